"""Cityscapes ``gtFine`` labels -> ``*_gtFine_labelTrainIds.png``.

Two sources are supported:

* ``labelIds`` (``*_gtFine_labelIds.png``): the official 34 -> 19 mapping of
  :data:`~cblseg.datasets.cityscapes_labels.CITYSCAPES_LABELS`; every
  ``ignoreInEval`` id and the license plate (id -1, stored as 255 in 8-bit
  label maps) become 255. Any other value is unknown.
* ``color`` (``*_gtFine_color.png``): colour -> train id. The official colour
  table is not injective, so each colour maps to:

  - the train id shared by all labels of that colour when they agree, e.g.
    (0, 0, 0) is unlabeled, ego vehicle, rectification border, out of roi
    and static, all ignored -> 255;
  - otherwise the one evaluated class among them: (0, 0, 142) is car and
    license plate -> car (13), and (153, 153, 153) is pole and polegroup ->
    pole (5). Colour labels cannot tell license plates from cars or pole
    groups from poles, so those pixels are trained as car / pole instead of
    being ignored as they are when converting from ``labelIds``.

  See :data:`AMBIGUOUS_COLORS`. Any other colour is unknown.

A file holding unknown values is reported (file, value, pixel count) and its
output is not written.
"""
import os
import os.path as osp

import numpy as np
from PIL import Image

from ..cityscapes_labels import (CITYSCAPES_LABELS, LICENSE_PLATE_STORED_ID,
                                 eval_train_id, label_id_to_train_id_lut,
                                 stored_id)
from .common import (CONVERTED, FAILED, SKIPPED, ColorLookup, FileResult,
                     count_values, is_up_to_date, run_conversions, save_png)

IGNORE_INDEX = 255
# Marks unknown label ids in the id -> train id table: not a train id.
UNKNOWN_ID = 254
TRAIN_ID_SUFFIX = '_gtFine_labelTrainIds.png'
SOURCE_SUFFIXES = {
    'labelIds': '_gtFine_labelIds.png',
    'color': '_gtFine_color.png',
}


def label_id_to_train_id_map():
    """Stored label id -> train id, for every id that may appear in an
    8-bit ``*_gtFine_labelIds.png``.

    Returns:
        dict: ``{0: 255, ..., 7: 0, ..., 33: 18, 255: 255}`` (255 is the
        license plate).
    """
    return {
        stored_id(label): eval_train_id(label)
        for label in CITYSCAPES_LABELS
    }


def _labels_by_color():
    groups = {}
    for label in CITYSCAPES_LABELS:
        groups.setdefault(tuple(label.color), []).append(label)
    return groups


def color_to_train_id_map():
    """Official colour -> train id, resolving colours shared by several
    labels as described in the module docstring.

    Returns:
        dict: ``{(r, g, b): train id}``, e.g. ``(0, 0, 142) -> 13``.

    Raises:
        ValueError: If a colour were shared by two evaluated classes (not
            the case in the official table).
    """
    mapping = {}
    for color, labels in _labels_by_color().items():
        train_ids = {eval_train_id(label) for label in labels}
        evaluated = train_ids - {IGNORE_INDEX}
        if len(evaluated) > 1:
            raise ValueError(f'colour {color} is shared by evaluated classes '
                             f'{[label.name for label in labels]}')
        mapping[color] = evaluated.pop() if evaluated else IGNORE_INDEX
    return mapping


def _ambiguous_colors():
    chosen = color_to_train_id_map()
    ambiguous = {}
    for color, labels in _labels_by_color().items():
        if len({eval_train_id(label) for label in labels}) > 1:
            winner = [
                label.name for label in labels
                if eval_train_id(label) == chosen[color]
            ]
            ambiguous[color] = (tuple(label.name
                                      for label in labels), winner[0])
    return ambiguous


# Colours shared by labels whose train ids differ, so that the choice
# matters: {(r, g, b): (names of the labels, name of the label chosen)};
# (0, 0, 142) -> car, (153, 153, 153) -> pole.
AMBIGUOUS_COLORS = _ambiguous_colors()

_COLOR_LOOKUP = None


def _color_lookup():
    global _COLOR_LOOKUP
    if _COLOR_LOOKUP is None:
        _COLOR_LOOKUP = ColorLookup(color_to_train_id_map())
    return _COLOR_LOOKUP


def label_ids_to_train_ids(label_ids):
    """Convert a labelIds map to train ids, finding unknown ids.

    Args:
        label_ids (np.ndarray): HxW integer array of label ids: 0..33, and
            the license plate as 255 (8-bit maps) or -1 (signed arrays).

    Returns:
        tuple[np.ndarray, dict]: HxW uint8 train ids (0..18, 255 ignored;
        pixels of unknown ids hold an unspecified value) and
        ``{unknown id: pixel count}`` (empty when every id is known).
    """
    label_ids = np.asarray(label_ids)
    if label_ids.ndim != 2 or not np.issubdtype(label_ids.dtype, np.integer):
        raise ValueError('expected an HxW integer label map, got shape '
                         f'{label_ids.shape} and dtype {label_ids.dtype}')
    if label_ids.dtype == np.uint8:
        ids8 = label_ids
        out_of_range = None
    else:
        # The license plate may be spelled -1 in signed arrays.
        label_ids = np.where(label_ids == -1, LICENSE_PLATE_STORED_ID,
                             label_ids)
        out_of_range = (label_ids < 0) | (label_ids > 255)
        ids8 = np.where(out_of_range, 0, label_ids).astype(np.uint8)
    train_ids = label_id_to_train_id_lut(unknown=UNKNOWN_ID)[ids8]
    unknown_mask = train_ids == UNKNOWN_ID
    if out_of_range is not None:
        unknown_mask |= out_of_range
    unknown = count_values(label_ids[unknown_mask]) if unknown_mask.any() \
        else {}
    return train_ids, unknown


def color_to_train_ids(color):
    """Convert a colour label image to train ids, finding unknown colours.

    Args:
        color (np.ndarray): HxWx3 (or HxWx4; alpha ignored) uint8 RGB image
            in the official colours.

    Returns:
        tuple[np.ndarray, dict]: HxW uint8 train ids and ``{(r, g, b):
        pixel count}`` of unknown colours (empty when all are known).
    """
    return _color_lookup()(color)


def read_label_image(path, source):
    """Read a Cityscapes ground-truth image as an array.

    Args:
        path (str): PNG file.
        source (str): ``'labelIds'`` (single channel expected) or
            ``'color'`` (RGB, RGBA or palette images accepted).

    Returns:
        np.ndarray: HxW ids or HxWx3 uint8 RGB.
    """
    with Image.open(path) as image:
        if source == 'labelIds':
            if image.mode not in ('L', 'P', 'I', 'I;16'):
                raise ValueError(f'expected a single-channel label image, got '
                                 f'mode {image.mode}')
            return np.asarray(image)
        if image.mode != 'RGB':
            image = image.convert('RGB')
        return np.asarray(image)


def train_ids_path(src, source):
    """The ``*_gtFine_labelTrainIds.png`` next to a source label.

    Args:
        src (str): ``*_gtFine_labelIds.png`` or ``*_gtFine_color.png``.
        source (str): ``'labelIds'`` or ``'color'``.

    Returns:
        str
    """
    suffix = SOURCE_SUFFIXES[source]
    if not src.endswith(suffix):
        raise ValueError(f'{src} does not end with {suffix}')
    return src[:-len(suffix)] + TRAIN_ID_SUFFIX


def convert_cityscapes_file(src, dst=None, source='labelIds', force=False):
    """Convert one Cityscapes label file to train ids.

    Args:
        src (str): ``*_gtFine_labelIds.png`` or ``*_gtFine_color.png``.
        dst (str, optional): Output; defaults to the
            ``*_gtFine_labelTrainIds.png`` next to ``src``.
        source (str): ``'labelIds'`` or ``'color'``.
        force (bool): Convert even if ``dst`` is newer than ``src``.

    Returns:
        FileResult: ``skipped`` (up to date), ``converted``, or ``failed``
        with the unknown values (``dst`` is then not written).
    """
    if source not in SOURCE_SUFFIXES:
        raise ValueError(f'source must be one of {list(SOURCE_SUFFIXES)}, '
                         f'got {source!r}')
    dst = train_ids_path(src, source) if dst is None else dst
    if not force and is_up_to_date(src, dst):
        return FileResult(src, dst, SKIPPED, 'up to date')
    array = read_label_image(src, source)
    if source == 'labelIds':
        train_ids, unknown = label_ids_to_train_ids(array)
        what = 'unknown label ids'
    else:
        train_ids, unknown = color_to_train_ids(array)
        what = 'unknown colours'
    if unknown:
        return FileResult(src, dst, FAILED, what, unknown)
    save_png(Image.fromarray(train_ids), dst)
    return FileResult(src, dst, CONVERTED)


def find_cityscapes_labels(root, source='labelIds', gt_dir='gtFine'):
    """All source labels under ``<root>/<gt_dir>`` (every split), sorted.

    Args:
        root (str): Cityscapes root (holding ``gtFine``).
        source (str): ``'labelIds'`` or ``'color'``.
        gt_dir (str): Ground-truth folder, relative to ``root``.

    Returns:
        list[str]: Paths of ``*_gtFine_<source>.png`` files.

    Raises:
        FileNotFoundError: If the ground-truth folder does not exist.
    """
    suffix = SOURCE_SUFFIXES[source]
    top = osp.join(root, gt_dir)
    if not osp.isdir(top):
        raise FileNotFoundError(f'no {gt_dir} folder in {root}')
    found = []
    for parent, dirs, names in os.walk(top):
        dirs.sort()
        found.extend(
            osp.join(parent, name) for name in sorted(names)
            if name.endswith(suffix))
    return found


def convert_cityscapes(root,
                       source='labelIds',
                       nproc=1,
                       force=False,
                       progress=True,
                       gt_dir='gtFine'):
    """Write ``*_gtFine_labelTrainIds.png`` for every label under
    ``<root>/<gt_dir>``.

    Outputs that are newer than their input are skipped unless ``force``;
    files with unknown ids / colours are reported and not written.

    Args:
        root (str): Cityscapes root.
        source (str): ``'labelIds'`` or ``'color'``.
        nproc (int): Number of worker processes.
        force (bool): Redo up-to-date outputs.
        progress (bool): Show a progress bar.
        gt_dir (str): Ground-truth folder, relative to ``root``.

    Returns:
        ConversionSummary: Per-file results and totals.
    """
    tasks = [(src, train_ids_path(src, source))
             for src in find_cityscapes_labels(root, source, gt_dir)]
    return run_conversions(
        convert_cityscapes_file,
        tasks,
        name=f'cityscapes {source} -> labelTrainIds',
        nproc=nproc,
        progress=progress,
        source=source,
        force=force)
