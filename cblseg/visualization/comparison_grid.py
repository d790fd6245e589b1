# Copyright (c) cblseg contributors. All rights reserved.
"""One row of a model comparison picture: ``image | ground truth | model 1 |
model 2 | ...`` with boundary errors highlighted on each prediction.

:func:`compose_comparison_row` is pure (arrays in, RGB array out);
``tools/analysis/compare_models.py`` writes one such row per sample
(:mod:`cblseg.evaluation.model_comparison`).

Tiles (all at the label's resolution, ``H x W``; nothing is resampled, so a
1-pixel-wide error stays visible):

* **image** - the RGB image as given (grey images are repeated to RGB);
* **ground truth** - :func:`~cblseg.visualization.colorize_label` of the
  ground truth with the palette, ignored pixels black;
* **prediction** (one per model) - the prediction in palette colours
  (a prediction equal to the ignore index, "no class", black), then:

  - pixels whose ground truth is ignored are dimmed to 40 % brightness:
    they take no part in the metrics;
  - **boundary errors** are painted in ``error_color``, cyan
    ``(0, 255, 255)`` by default: the colour farthest from every colour of
    the Cityscapes and VOC palettes (magenta is close to Cityscapes'
    sidewalk, red is rider, yellow traffic sign). They are the pixels
    ``p`` with ``gt(p) != ignore_index``, ``p`` in the ground-truth
    boundary band ``Bg`` at ``radius``, and ``pred(p) != gt(p)``.

  ``Bg`` is the ground-truth band of ``BoundaryIoUMetric``
  (``docs/metrics.md``): the valid pixels ``p`` for which some ``q`` within
  Chebyshev distance ``radius`` lies outside the image or has a valid
  ground-truth label other than ``gt(p)``; an ignored neighbour does not
  count (its class is unknown). It is
  :func:`~cblseg.ops.label_to_boundary_mask_torch` with
  ``ignore_neighbours_differ=False``, the union over the classes of the
  per-class bands that ``mBIoU`` scores. So every highlighted pixel lowers
  the model's Boundary IoU (it is in the band of its ground-truth class
  but not in the predicted band of that class). Errors away from the
  ground-truth boundaries (e.g. a wrong blob inside a region, whose own
  predicted band also costs Boundary IoU) keep their predicted colours.
  Pixels within ``radius`` of the image border are in the band, as in the
  metric.

Every tile has a white title bar of ``TITLE_HEIGHT`` pixels above it:
``image``, ``ground truth`` and, per model, ``<name> (<e>%)`` with ``e`` the
share of the band predicted wrong, ``100 * |errors| / |Bg|`` to one decimal
(just ``<name>`` when the band is empty, e.g. an all-ignored ground
truth). A header bar of ``HEADER_HEIGHT`` pixels on top holds the optional
title, a swatch of ``error_color`` and the legend. Text that does not fit is
cut short with ``..``. Tiles are ``GAP`` white pixels apart. With ``N``
models the picture is::

    height = HEADER_HEIGHT + TITLE_HEIGHT + H
    width  = (N + 2) * W + (N + 1) * GAP

with ``GAP = 4``, ``TITLE_HEIGHT = 18``, ``HEADER_HEIGHT = 20``
(:func:`comparison_row_size`).
"""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
import torch

from cblseg.ops.boundary import check_radius, label_to_boundary_mask_torch
from cblseg.utils.arguments import check_int
from .colorize import colorize_label
from .label_checks import check_label_map, check_palette, check_rgb_image
from .text import FONT, FONT_SCALE, fit_text, put_text

__all__ = [
    'GAP', 'TITLE_HEIGHT', 'HEADER_HEIGHT', 'ERROR_COLOR', 'IGNORED_DIM',
    'comparison_row_size', 'gt_boundary_band', 'boundary_error_mask',
    'compose_comparison_row'
]

GAP = 4
TITLE_HEIGHT = 18
HEADER_HEIGHT = 20
#: Highlight of boundary errors (RGB).
ERROR_COLOR = (0, 255, 255)
#: Brightness of prediction pixels whose ground truth is ignored.
IGNORED_DIM = 0.4

_BACKGROUND = 255
_SWATCH = 10
# Value that stands for "ignored / no class" in the uint8 display labels;
# free because at most 255 classes are supported.
_DISPLAY_IGNORE = 255


def comparison_row_size(height: int, width: int,
                        num_models: int) -> Tuple[int, int]:
    """Height and width of the picture :func:`compose_comparison_row` draws.

    Args:
        height (int): Image height ``H`` (>= 1).
        width (int): Image width ``W`` (>= 1).
        num_models (int): Number of prediction tiles ``N`` (>= 1).

    Returns:
        tuple[int, int]: ``(HEADER_HEIGHT + TITLE_HEIGHT + H,
        (N + 2) * W + (N + 1) * GAP)``.
    """
    height = check_int('height', height, 1)
    width = check_int('width', width, 1)
    columns = check_int('num_models', num_models, 1) + 2
    return (HEADER_HEIGHT + TITLE_HEIGHT + height,
            columns * width + (columns - 1) * GAP)


def _display_label(label, what: str, num_classes: int, ignore_index: int,
                   ignore_is_class: bool) -> np.ndarray:
    """Check a label map and recode it to uint8 with ignore as 255.

    ``ignore_is_class``: the ignore index is a class index and the map is a
    prediction, where it means that class (as in ``IoUMetric``).
    """
    check_label_map(label, what, num_classes, ignore_index)
    label = np.asarray(label).astype(np.int64)
    if ignore_is_class:
        return label.astype(np.uint8)
    return np.where(label == ignore_index, _DISPLAY_IGNORE,
                    label).astype(np.uint8)


def gt_boundary_band(gt: np.ndarray,
                     radius: int,
                     ignore_index: int = 255) -> np.ndarray:
    """The ground-truth boundary band ``Bg`` of ``BoundaryIoUMetric``.

    Args:
        gt (np.ndarray): ``H x W`` integer ground truth.
        radius (int): Band radius in pixels (>= 1).
        ignore_index (int): Ignored ground-truth label. Defaults to 255.

    Returns:
        np.ndarray: ``H x W`` bool; True on valid pixels with, within
        Chebyshev distance ``radius``, a pixel outside the image or a valid
        pixel of another class. Ignored pixels are False.
    """
    gt = np.asarray(gt)
    if gt.ndim != 2:
        raise ValueError(
            f'ground truth must be a 2D H x W map, got shape {gt.shape}')
    radius = check_radius(radius)
    labels = torch.from_numpy(np.ascontiguousarray(gt.astype(np.int64)))
    return label_to_boundary_mask_torch(
        labels, radius, ignore_index, ignore_neighbours_differ=False).numpy()


def boundary_error_mask(gt: np.ndarray,
                        pred: np.ndarray,
                        radius: int,
                        ignore_index: int = 255) -> np.ndarray:
    """Pixels of the ground-truth boundary band that ``pred`` gets wrong.

    Args:
        gt (np.ndarray): ``H x W`` integer ground truth.
        pred (np.ndarray): ``H x W`` integer prediction.
        radius (int): Band radius in pixels (>= 1).
        ignore_index (int): Ignored ground-truth label. Defaults to 255.

    Returns:
        np.ndarray: ``H x W`` bool, ``gt_boundary_band(gt) & (pred != gt)``
        (ignored pixels are never in the band).
    """
    gt, pred = np.asarray(gt), np.asarray(pred)
    if pred.shape != gt.shape:
        raise ValueError(f'prediction {pred.shape} and ground truth '
                         f'{gt.shape} must have the same shape')
    return gt_boundary_band(gt, radius, ignore_index) & (pred != gt)


def compose_comparison_row(
        image: np.ndarray,
        gt: np.ndarray,
        predictions: Sequence[np.ndarray],
        names: Sequence[str],
        palette: Sequence[Sequence[int]],
        ignore_index: int = 255,
        radius: int = 1,
        title: Optional[str] = None,
        error_color: Sequence[int] = ERROR_COLOR) -> np.ndarray:
    """Compose ``image | ground truth | prediction 1 | ...`` for one sample.

    See the module docstring for the tiles, the highlight and the size.

    Args:
        image (np.ndarray): ``H x W x 3`` RGB uint8 image (or ``H x W``
            grey).
        gt (np.ndarray): ``H x W`` integer ground truth.
        predictions (Sequence[np.ndarray]): One ``H x W`` integer prediction
            per model (at least one).
        names (Sequence[str]): Column title of each prediction.
        palette (Sequence): RGB colour of each class; its length is the
            number of classes ``K`` (at most 255).
        ignore_index (int): Ignored ground-truth label. Defaults to 255.
        radius (int): Band radius in pixels (>= 1), e.g. the metric's
            ``resolve_radius(H, W, dilation, radius)``.
        title (str, optional): Text at the start of the header (e.g. the
            image name).
        error_color (Sequence[int]): RGB colour of boundary errors.

    Returns:
        np.ndarray: RGB uint8 array of :func:`comparison_row_size`.
    """
    image = check_rgb_image(image)
    colors = check_palette(palette)
    gt_display = _display_label(gt, 'ground truth', len(colors), ignore_index,
                                False)
    if gt_display.shape != image.shape[:2]:
        raise ValueError(f'ground truth {gt_display.shape} and image '
                         f'{image.shape[:2]} must have the same height and '
                         'width')
    predictions = list(predictions)
    names = [str(name) for name in names]
    if not predictions:
        raise ValueError('give at least one prediction')
    if len(names) != len(predictions):
        raise ValueError(f'{len(predictions)} predictions but {len(names)} '
                         'names')
    radius = check_radius(radius)
    error_color = np.asarray(error_color, dtype=np.uint8).reshape(3)
    num_classes = len(colors)
    ignore_is_class = 0 <= ignore_index < num_classes

    height, width = gt_display.shape
    ignored = gt_display == _DISPLAY_IGNORE
    band = gt_boundary_band(gt_display, radius, _DISPLAY_IGNORE)
    band_size = int(band.sum())
    tiles = [image, colorize_label(gt_display, colors, _DISPLAY_IGNORE)]
    titles = ['image', 'ground truth']
    for index, (pred, name) in enumerate(zip(predictions, names)):
        what = f'prediction {index} ({name!r})'
        pred = np.asarray(pred)
        if pred.shape != gt_display.shape:
            raise ValueError(f'{what} has shape {pred.shape}, the ground '
                             f'truth {gt_display.shape}')
        pred_display = _display_label(pred, what, num_classes, ignore_index,
                                      ignore_is_class)
        tile = colorize_label(pred_display, colors, _DISPLAY_IGNORE)
        tile[ignored] = (tile[ignored].astype(np.float32) *
                         IGNORED_DIM).astype(np.uint8)
        # gt_display and pred_display share the coding (classes as is, 255
        # for ignore / no class), and ignored ground truth is never in the
        # band: comparing them is the metric's "pred != gt".
        errors = band & (pred_display != gt_display)
        tile[errors] = error_color
        tiles.append(tile)
        if band_size:
            share = 100.0 * int(errors.sum()) / band_size
            titles.append(f'{name} ({share:.1f}%)')
        else:
            titles.append(name)

    total_height, total_width = comparison_row_size(height, width,
                                                    len(predictions))
    canvas = np.full((total_height, total_width, 3),
                     _BACKGROUND,
                     dtype=np.uint8)
    top = HEADER_HEIGHT + TITLE_HEIGHT
    for column, (tile, text) in enumerate(zip(tiles, titles)):
        left = column * (width + GAP)
        canvas[top:, left:left + width] = tile
        put_text(canvas, text, left + 2, top - 5, width - 2)

    x = 2
    if title:
        header = fit_text(f'{title}  ', total_width - x)
        put_text(canvas, header, x, HEADER_HEIGHT - 6, total_width - x)
        x += cv2.getTextSize(header, FONT, FONT_SCALE, 1)[0][0]
    if x + _SWATCH <= total_width:
        swatch_top = (HEADER_HEIGHT - _SWATCH) // 2
        canvas[swatch_top:swatch_top + _SWATCH, x:x + _SWATCH] = error_color
        x += _SWATCH + 4
    put_text(
        canvas, f'wrong in the ground-truth boundary band (radius {radius} '
        'px; % of the band per model); dimmed: ignored ground truth', x,
        HEADER_HEIGHT - 6, total_width - x)
    return canvas
