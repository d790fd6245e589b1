"""Pictures of the boundary bands of a label map.

Two pictures per sample, both RGB ``uint8`` arrays composed by pure
functions (arrays in, array out):

* :func:`compose_boundary_grid` - a grid of *cells*. The first cell is an
  overview (the label in palette colours | the boundary band of all classes
  in class colours); then one cell per class shown, each the class mask
  (left, white) next to the class's boundary band (right, white over the
  class mask in grey). Every cell has a title bar with the class colour and
  name; a header above the grid gives the title, the radius and a legend.
  A thin grey frame (drawn in the gaps) outlines every tile.
  Ignored pixels are hatched. Masks are
  :func:`~cblseg.ops.ignore_aware_one_hot` and bands are
  :func:`~cblseg.ops.class_boundaries`, the definitions used in training.
* :func:`overlay_boundaries` - the image with every boundary pixel painted,
  alpha-blended, in its class's palette colour; ignored pixels optionally
  hatched or darkened. Same size as the image.

Size of the grid. With a label of ``H x W`` pixels, ``n`` classes shown
(those present in the label, or all of them), ``tile_width`` ``tw`` and
``columns`` ``c0``::

    th    = min(4 * tw, max(1, floor(tw * H / W + 1/2)))   # tile height
    cells = 1 + n                                          # overview first
    c     = min(c0, cells)                                 # columns used
    r     = ceil(cells / c)                                # rows
    width  = c * (2 * tw + TILE_GAP) + (c + 1) * GAP
    height = HEADER_HEIGHT + r * (TITLE_HEIGHT + th) + (r + 1) * GAP

with ``GAP = 12``, ``TILE_GAP = 4``, ``TITLE_HEIGHT = 20`` and
``HEADER_HEIGHT = 44`` (:func:`boundary_grid_size` computes it). A label
with no class present (all ignored) gives the overview cell alone, titled
"no classes present". Text that does not fit is cut short with ``..``.

Tiles are resampled to ``th x tw``: nearest neighbour when enlarging, area
averaging when shrinking; a shrunk boundary band keeps every tile pixel that
it touches, so thin bands stay visible in small tiles.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from cblseg.ops.boundary import (check_radius, class_boundaries,
                                 ignore_aware_one_hot, label_to_boundary,
                                 resolve_radius)
from cblseg.utils.arguments import check_int
from .colorize import colorize_label
from .label_checks import check_label_map, check_palette, check_rgb_image
from .text import FONT_SCALE, put_text

__all__ = [
    'GAP', 'TILE_GAP', 'TITLE_HEIGHT', 'HEADER_HEIGHT', 'DEFAULT_TILE_WIDTH',
    'DEFAULT_COLUMNS', 'IGNORE_STYLES', 'tile_shape', 'boundary_grid_size',
    'classes_to_show', 'compose_boundary_grid', 'overlay_boundaries',
    'render_boundary_pictures'
]

GAP = 12
TILE_GAP = 4
TITLE_HEIGHT = 20
HEADER_HEIGHT = 44
DEFAULT_TILE_WIDTH = 160
DEFAULT_COLUMNS = 4
MIN_TILE_WIDTH = 8
# A tile is at most this many times as high as it is wide (very tall images).
MAX_TILE_ASPECT = 4
IGNORE_STYLES = ('hatch', 'darken', 'none')

_HEADER_FONT_SCALE = 0.5
_BACKGROUND = 255
_SWATCH = 12
# Tile colours (RGB).
_TILE_BACKGROUND = (0, 0, 0)
_MASK_COLOR = (255, 255, 255)
_MASK_UNDER_BAND_COLOR = (90, 90, 90)
_BAND_COLOR = (255, 255, 255)
_IGNORE_HATCH_COLOR = (150, 120, 60)
_HATCH_PERIOD = 6
_FRAME_COLOR = (160, 160, 160)
_OVERLAY_HATCH_PERIOD = 8


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------
def tile_shape(label_shape: Sequence[int],
               tile_width: int = DEFAULT_TILE_WIDTH) -> Tuple[int, int]:
    """Height and width of one tile for a label of ``label_shape``.

    Args:
        label_shape (Sequence[int]): ``(H, W)`` of the label map.
        tile_width (int): Tile width in pixels (>= 8).

    Returns:
        tuple[int, int]: ``(th, tw)`` with ``tw = tile_width`` and
        ``th = min(4 * tw, max(1, floor(tw * H / W + 1/2)))``.
    """
    tile_width = check_int('tile_width', tile_width, MIN_TILE_WIDTH)
    height, width = (int(v) for v in label_shape[:2])
    if height < 1 or width < 1:
        raise ValueError(f'label must not be empty, got shape {label_shape}')
    tile_height = (2 * tile_width * height + width) // (2 * width)
    return min(MAX_TILE_ASPECT * tile_width, max(1, tile_height)), tile_width


def boundary_grid_size(num_classes_shown: int,
                       tile_height: int,
                       tile_width: int = DEFAULT_TILE_WIDTH,
                       columns: int = DEFAULT_COLUMNS) -> Tuple[int, int]:
    """Height and width of the picture :func:`compose_boundary_grid` draws.

    Args:
        num_classes_shown (int): Number of class cells ``n`` (0 allowed);
            the overview cell comes on top, so the grid has ``1 + n`` cells.
        tile_height (int): Tile height ``th`` (see :func:`tile_shape`).
        tile_width (int): Tile width ``tw``.
        columns (int): Maximum number of cells per row ``c0`` (>= 1).

    Returns:
        tuple[int, int]: ``(height, width)`` per the formula in the module
        docstring.
    """
    num_classes_shown = check_int('num_classes_shown', num_classes_shown, 0)
    tile_height = check_int('tile_height', tile_height, 1)
    tile_width = check_int('tile_width', tile_width, MIN_TILE_WIDTH)
    columns = check_int('columns', columns, 1)
    cells = 1 + num_classes_shown
    cols = min(columns, cells)
    rows = math.ceil(cells / cols)
    width = cols * (2 * tile_width + TILE_GAP) + (cols + 1) * GAP
    height = (
        HEADER_HEIGHT + rows * (TITLE_HEIGHT + tile_height) + (rows + 1) * GAP)
    return height, width


# --------------------------------------------------------------------------
# Classes shown
# --------------------------------------------------------------------------
def classes_to_show(label: np.ndarray,
                    num_classes: int,
                    ignore_index: int = 255,
                    all_classes: bool = False) -> List[int]:
    """Class indices that get a cell: the ones present in ``label`` (ignore
    excluded), or all ``num_classes`` with ``all_classes``."""
    present = check_label_map(label, 'label', num_classes, ignore_index)
    if all_classes:
        return list(range(num_classes))
    return [int(v) for v in present]


# --------------------------------------------------------------------------
# Drawing helpers
# --------------------------------------------------------------------------
def _hatch(shape: Tuple[int, int], period: int) -> np.ndarray:
    """Diagonal lines: True on 2 of every ``period`` anti-diagonals."""
    rows = np.arange(shape[0]).reshape(-1, 1)
    cols = np.arange(shape[1]).reshape(1, -1)
    return (rows + cols) % period < 2


def _coverage(mask: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    """Fraction of each ``size`` tile pixel covered by ``mask`` (area
    average when shrinking, nearest neighbour when enlarging)."""
    tile_height, tile_width = size
    mask = mask.astype(np.float32)
    if mask.shape == (tile_height, tile_width):
        return mask
    shrink = tile_height <= mask.shape[0] and tile_width <= mask.shape[1]
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_NEAREST
    out = cv2.resize(
        mask, (tile_width, tile_height), interpolation=interpolation)
    return np.clip(out.reshape(tile_height, tile_width), 0.0, 1.0)


def _resize_rgb(image: np.ndarray, size: Tuple[int, int]) -> np.ndarray:
    tile_height, tile_width = size
    if image.shape[:2] == (tile_height, tile_width):
        return image
    shrink = tile_height <= image.shape[0] and tile_width <= image.shape[1]
    interpolation = cv2.INTER_AREA if shrink else cv2.INTER_NEAREST
    out = cv2.resize(
        image, (tile_width, tile_height), interpolation=interpolation)
    return out.reshape(tile_height, tile_width, 3)


def _blend(base: np.ndarray, color, weight: np.ndarray) -> np.ndarray:
    """``base * (1 - weight) + color * weight`` per pixel (RGB uint8)."""
    weight = weight[..., None]
    color = np.asarray(color, dtype=np.float32)
    return (base.astype(np.float32) * (1 - weight) +
            color * weight).round().astype(np.uint8)


def _hatch_ignored(tile: np.ndarray, ignored_cover: np.ndarray) -> np.ndarray:
    lines = _hatch(tile.shape[:2], _HATCH_PERIOD) & (ignored_cover >= 0.5)
    tile = tile.copy()
    tile[lines] = _IGNORE_HATCH_COLOR
    return tile


def _mask_tile(mask_cover: np.ndarray,
               ignored_cover: np.ndarray) -> np.ndarray:
    tile = np.empty(mask_cover.shape + (3, ), dtype=np.uint8)
    tile[...] = _TILE_BACKGROUND
    tile = _blend(tile, _MASK_COLOR, mask_cover)
    return _hatch_ignored(tile, ignored_cover)


def _band_tile(mask_cover: np.ndarray, band_cover: np.ndarray,
               ignored_cover: np.ndarray) -> np.ndarray:
    tile = np.empty(mask_cover.shape + (3, ), dtype=np.uint8)
    tile[...] = _TILE_BACKGROUND
    tile = _blend(tile, _MASK_UNDER_BAND_COLOR, mask_cover)
    # Keep every tile pixel the band touches at full strength.
    tile[band_cover > 1e-6] = _BAND_COLOR
    return _hatch_ignored(tile, ignored_cover)


def _cell(title: str, color, left: np.ndarray,
          right: np.ndarray) -> np.ndarray:
    """Title bar (colour swatch + title) over ``left | gap | right``."""
    tile_height, tile_width = left.shape[:2]
    width = 2 * tile_width + TILE_GAP
    cell = np.full((TITLE_HEIGHT + tile_height, width, 3),
                   _BACKGROUND,
                   dtype=np.uint8)
    text_x = 2
    if color is not None and width >= 3 * _SWATCH:
        top = (TITLE_HEIGHT - _SWATCH) // 2
        cv2.rectangle(cell, (1, top), (_SWATCH, top + _SWATCH - 1),
                      tuple(int(v) for v in color), -1)
        cv2.rectangle(cell, (1, top), (_SWATCH, top + _SWATCH - 1),
                      (96, 96, 96), 1)
        text_x = _SWATCH + 5
    put_text(cell, title, text_x, TITLE_HEIGHT - 6, width - text_x - 1,
             FONT_SCALE)
    cell[TITLE_HEIGHT:, :tile_width] = left
    cell[TITLE_HEIGHT:, tile_width + TILE_GAP:] = right
    return cell


def _class_title(index: int, name: str) -> str:
    return name if name == str(index) else f'{index} {name}'


# --------------------------------------------------------------------------
# The two pictures
# --------------------------------------------------------------------------
def compose_boundary_grid(label: np.ndarray,
                          class_names: Sequence[str],
                          palette: Sequence[Sequence[int]],
                          radius: int,
                          ignore_index: int = 255,
                          all_classes: bool = False,
                          tile_width: int = DEFAULT_TILE_WIDTH,
                          columns: int = DEFAULT_COLUMNS,
                          title: str = '') -> np.ndarray:
    """Grid of per-class masks and per-class boundary bands.

    Args:
        label (np.ndarray): ``H x W`` integer class-index map.
        class_names (Sequence[str]): Name of each class; ``K = len()``.
        palette (Sequence): RGB colour of each class (at least ``K``).
        radius (int): Boundary radius in pixels (>= 1), see
            :func:`resolve_radius`.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        all_classes (bool): One cell per class, not only the present ones.
        tile_width (int): Tile width in pixels (>= 8).
        columns (int): Cells per row (>= 1).
        title (str): First header line (e.g. the image name); the radius is
            appended.

    Returns:
        np.ndarray: RGB uint8 picture of size :func:`boundary_grid_size`
        ``(n, *tile_shape(label.shape, tile_width)[:1], tile_width,
        columns)``, ``n`` the number of classes shown.
    """
    label = np.asarray(label)
    num_classes = len(class_names)
    radius = check_radius(radius)
    colors = check_palette(palette, num_classes)
    shown = classes_to_show(label, num_classes, ignore_index, all_classes)
    size = tile_shape(label.shape, tile_width)
    columns = check_int('columns', columns, 1)
    height, width = boundary_grid_size(
        len(shown), size[0], tile_width, columns)

    ignored = label == ignore_index
    ignored_cover = _coverage(ignored, size)
    # One label that fits uint8 with 255 as ignore, for colorize_label.
    display = np.where(ignored, 255, label).astype(np.uint8)
    boundary = label_to_boundary(display, radius, 255) == 1

    # Overview: the label in class colours | all bands in class colours.
    colored = colorize_label(display, colors, 255, _TILE_BACKGROUND)
    overview_band = (colored.astype(np.float32) * 0.25).astype(np.uint8)
    overview_band[boundary] = colored[boundary]
    left = _hatch_ignored(_resize_rgb(colored, size), ignored_cover)
    right = _hatch_ignored(_resize_rgb(overview_band, size), ignored_cover)
    overview_title = (f'all {len(shown)} classes'
                      if shown else 'no classes present')
    if shown and not all_classes:
        overview_title = (f'{len(shown)} of {num_classes} classes present')
    cells = [_cell(overview_title, None, left, right)]

    if shown:
        index = torch.as_tensor(display, dtype=torch.uint8)
        masks = ignore_aware_one_hot(index, num_classes, 255).numpy()
        bands = class_boundaries(index, num_classes, radius, 255).numpy()
        for k in shown:
            mask_cover = _coverage(masks[k], size)
            band_cover = _coverage(bands[k], size)
            cells.append(
                _cell(
                    _class_title(k, str(class_names[k])), colors[k],
                    _mask_tile(mask_cover, ignored_cover),
                    _band_tile(mask_cover, band_cover, ignored_cover)))

    canvas = np.full((height, width, 3), _BACKGROUND, dtype=np.uint8)
    text_width = width - 2 * GAP
    header = f'{title}  ' if title else ''
    header += (f'{label.shape[0]}x{label.shape[1]} px, boundary radius '
               f'{radius} px')
    put_text(canvas, header, GAP, 18, text_width, _HEADER_FONT_SCALE)
    put_text(canvas, 'per class: mask | boundary band; hatched: ignore', GAP,
             HEADER_HEIGHT - 6, text_width, FONT_SCALE)
    cols = min(columns, len(cells))
    cell_height, cell_width = cells[0].shape[:2]
    for position, cell in enumerate(cells):
        row, col = divmod(position, cols)
        top = HEADER_HEIGHT + GAP + row * (cell_height + GAP)
        left_x = GAP + col * (cell_width + GAP)
        canvas[top:top + cell_height, left_x:left_x + cell_width] = cell
        # A 1-pixel frame just outside each tile (in the gaps), so white
        # tiles do not melt into the white background.
        tile_top = top + TITLE_HEIGHT
        for tile_x in (left_x, left_x + tile_width + TILE_GAP):
            cv2.rectangle(canvas, (tile_x - 1, tile_top - 1),
                          (tile_x + tile_width, top + cell_height),
                          _FRAME_COLOR, 1)
    return canvas


def overlay_boundaries(image: np.ndarray,
                       label: np.ndarray,
                       palette: Sequence[Sequence[int]],
                       radius: int,
                       ignore_index: int = 255,
                       alpha: float = 0.7,
                       ignore_style: str = 'hatch',
                       num_classes: Optional[int] = None) -> np.ndarray:
    """The image with the boundary band painted in class colours.

    Args:
        image (np.ndarray): ``H x W x 3`` RGB uint8 image (or ``H x W``
            grey).
        label (np.ndarray): ``H x W`` class-index map.
        palette (Sequence): RGB colour of each class.
        radius (int): Boundary radius in pixels (>= 1).
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        alpha (float): Opacity of the band colour in [0, 1].
        ignore_style (str): Ignored pixels: ``'hatch'`` (darkened, with grey
            diagonal lines), ``'darken'`` or ``'none'``.
        num_classes (int, optional): Number of classes; defaults to the
            palette length.

    Returns:
        np.ndarray: ``H x W x 3`` RGB uint8 image.
    """
    image = check_rgb_image(image)
    label = np.asarray(label)
    if label.shape != image.shape[:2]:
        raise ValueError(f'label {label.shape} and image {image.shape[:2]} '
                         'must have the same height and width')
    if ignore_style not in IGNORE_STYLES:
        raise ValueError(f'ignore_style must be one of {IGNORE_STYLES}, got '
                         f'{ignore_style!r}')
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f'alpha must be in [0, 1], got {alpha!r}')
    num_classes = len(palette) if num_classes is None else num_classes
    colors = check_palette(palette, num_classes)
    check_label_map(label, 'label', num_classes, ignore_index)
    radius = check_radius(radius)

    ignored = label == ignore_index
    display = np.where(ignored, 255, label).astype(np.uint8)
    band = label_to_boundary(display, radius, 255) == 1
    colored = colorize_label(display, colors, 255)
    out = image.copy()
    blended = (
        image[band].astype(np.float32) * (1 - alpha) +
        colored[band].astype(np.float32) * alpha)
    out[band] = blended.round().astype(np.uint8)
    if ignore_style != 'none' and ignored.any():
        factor = 0.4 if ignore_style == 'darken' else 0.55
        out[ignored] = (out[ignored].astype(np.float32) * factor).astype(
            np.uint8)
        if ignore_style == 'hatch':
            lines = ignored & _hatch(ignored.shape, _OVERLAY_HATCH_PERIOD)
            out[lines] = (160, 160, 160)
    return out


def render_boundary_pictures(sample: Dict,
                             radius: Optional[int] = None,
                             dilation: Optional[float] = None,
                             all_classes: bool = False,
                             tile_width: int = DEFAULT_TILE_WIDTH,
                             columns: int = DEFAULT_COLUMNS,
                             alpha: float = 0.7,
                             ignore_style: str = 'hatch') -> Dict:
    """Both pictures of a sample from
    :func:`~cblseg.datasets.dataset_samples.load_sample_from_files` or
    :func:`~cblseg.datasets.dataset_samples.load_sample_from_config`.

    Returns:
        dict: ``grid`` and ``overlay`` (RGB arrays), ``radius`` (pixels),
        ``stem`` (image file name without extension) and ``classes_shown``
        (list of class indices with a cell).
    """
    label = sample['label']
    radius = resolve_radius(*label.shape[:2], dilation=dilation, radius=radius)
    classes = sample['classes']
    ignore_index = sample['ignore_index']
    grid = compose_boundary_grid(
        label,
        classes,
        sample['palette'],
        radius,
        ignore_index=ignore_index,
        all_classes=all_classes,
        tile_width=tile_width,
        columns=columns,
        title=sample['stem'])
    overlay = overlay_boundaries(
        sample['image'],
        label,
        sample['palette'],
        radius,
        ignore_index=ignore_index,
        alpha=alpha,
        ignore_style=ignore_style,
        num_classes=len(classes))
    return dict(
        grid=grid,
        overlay=overlay,
        radius=radius,
        stem=sample['stem'],
        classes_shown=classes_to_show(label, len(classes), ignore_index,
                                      all_classes))
