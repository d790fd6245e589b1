"""PASCAL VOC 2012 labels -> index PNGs, and the SBD merge.

VOC ``SegmentationClass`` labels are meant to be palette ('P') PNGs whose
pixel values are class indices (0..20, 255 for the void border), which is
what MMSeg reads. Labels that were saved as colour RGB(A) images (or as
palette images with another palette) are converted back with a colour ->
index table: the 21 VOC colours -> 0..20 and the border colour
(224, 224, 192) -> 255. Any other colour is reported (file, colour, pixel
count) and that file is not written.

Files that already are VOC index PNGs ('P' mode whose palette matches the
VOC palette at every index used) are recognised: converting in place leaves
them alone (``skipped``, reason ``already indexed``); converting to another
folder copies them unchanged (``converted``, reason ``already indexed,
copied``) so that the output folder is complete. Single-channel ('L') index
maps are validated and written with the VOC palette.

The SBD merge (:func:`merge_sbd`) follows MMSeg's
``tools/dataset_converters/voc_aug.py``: SBD's ``dataset/cls/*.mat``
(``GTcls.Segmentation``) and the VOC labels are written to
``SegmentationClassAug/<id>.png`` (the VOC annotation wins for images in
both), and ``ImageSets/Segmentation`` gets

* ``aug.txt``: SBD train + val ids minus VOC train and val ids (MMSeg's
  ``pascal_voc12_aug`` config concatenates it with ``train.txt``), and
* ``trainaug.txt``: VOC train + SBD train + val ids minus VOC val ids (the
  10582 images of the usual "train_aug" set).
"""
import os
import os.path as osp
import shutil

import numpy as np
from PIL import Image

from ..voc_labels import (VOC_BORDER_COLOR, VOC_CLASSES, VOC_IGNORE_INDEX,
                          voc_color_map, voc_palette_bytes)
from .common import (CONVERTED, FAILED, SKIPPED, ColorLookup, FileResult,
                     count_values, is_up_to_date, run_conversions, save_png,
                     write_text_if_changed)

LABEL_DIR = 'SegmentationClass'
# Default output folder when not converting in place.
INDEX_DIR = 'SegmentationClassIndex'
AUG_DIR = 'SegmentationClassAug'
SPLIT_DIR = osp.join('ImageSets', 'Segmentation')

NUM_CLASSES = len(VOC_CLASSES)
VALID_INDICES = frozenset(range(NUM_CLASSES)) | {VOC_IGNORE_INDEX}

_VALID_LUT = np.zeros(256, dtype=bool)
_VALID_LUT[sorted(VALID_INDICES)] = True
_VOC_COLOR_MAP = voc_color_map(256)
_COLOR_LOOKUP = None


def voc_color_to_index_map():
    """The VOC colour -> index table.

    Returns:
        dict: ``{(r, g, b): index}`` for the 21 class colours (0..20) and
        the border colour (224, 224, 192) -> 255.
    """
    mapping = {
        tuple(int(c) for c in _VOC_COLOR_MAP[index]): index
        for index in range(NUM_CLASSES)
    }
    mapping[tuple(VOC_BORDER_COLOR)] = VOC_IGNORE_INDEX
    return mapping


def _color_lookup():
    global _COLOR_LOOKUP
    if _COLOR_LOOKUP is None:
        _COLOR_LOOKUP = ColorLookup(voc_color_to_index_map())
    return _COLOR_LOOKUP


def rgb_to_voc_indices(rgb):
    """Convert a colour-coded VOC label to class indices.

    Args:
        rgb (np.ndarray): HxWx3 (or HxWx4; alpha ignored) uint8 image in
            the VOC colours.

    Returns:
        tuple[np.ndarray, dict]: HxW uint8 indices (0..20, 255) and
        ``{(r, g, b): pixel count}`` of unknown colours (empty when all are
        known).
    """
    return _color_lookup()(rgb)


def invalid_voc_indices(indices):
    """Find values that are not VOC indices (0..20, 255).

    Args:
        indices (np.ndarray): HxW integer array.

    Returns:
        dict: ``{value: pixel count}`` of invalid values (empty when all are
        valid).
    """
    indices = np.asarray(indices)
    if indices.dtype == np.uint8:
        counts = np.bincount(indices.ravel(), minlength=256)
        bad = np.flatnonzero((counts > 0) & ~_VALID_LUT)
        return {int(value): int(counts[value]) for value in bad}
    valid = (indices >= 0) & (indices <= 255)
    valid[valid] = _VALID_LUT[indices[valid].astype(np.uint8)]
    return count_values(indices[~valid]) if not valid.all() else {}


def has_voc_palette(image, indices):
    """Whether a 'P' image uses the VOC palette at every index it uses.

    Args:
        image (PIL.Image.Image): Palette image.
        indices (np.ndarray): Its pixel values (``np.asarray(image)``).

    Returns:
        bool
    """
    if image.mode != 'P':
        return False
    palette = np.full(768, -1, dtype=np.int32)
    entries = image.getpalette() or []
    palette[:len(entries)] = entries[:768]
    palette = palette.reshape(256, 3)
    used = np.flatnonzero(np.bincount(indices.ravel(), minlength=256))
    return bool((palette[used] == _VOC_COLOR_MAP[used]).all())


def load_voc_label(path):
    """Read a VOC label file as class indices.

    Args:
        path (str): PNG: a VOC palette image, an 'L' index map, or a colour
            image (RGB, RGBA, or 'P' with another palette).

    Returns:
        tuple[np.ndarray, dict, bool]: HxW uint8 indices, ``{value: pixel
        count}`` of unknown colours (``(r, g, b)`` keys) or invalid indices
        (int keys), and whether the file already is a VOC palette PNG.
    """
    with Image.open(path) as image:
        if image.mode == 'P':
            indices = np.asarray(image)
            if has_voc_palette(image, indices):
                return indices, invalid_voc_indices(indices), True
        elif image.mode == 'L':
            indices = np.asarray(image)
            return indices, invalid_voc_indices(indices), False
        elif image.mode not in ('RGB', 'RGBA'):
            raise ValueError(f'unsupported image mode {image.mode}')
        if image.mode != 'RGB':
            image = image.convert('RGB')
        rgb = np.asarray(image)
    indices, unknown = rgb_to_voc_indices(rgb)
    return indices, unknown, False


def index_image(indices):
    """A VOC palette PNG image of class indices.

    Args:
        indices (np.ndarray): HxW uint8 indices.

    Returns:
        PIL.Image.Image: 'P' mode image with the VOC palette.
    """
    image = Image.fromarray(np.asarray(indices, dtype=np.uint8))
    image.putpalette(voc_palette_bytes())
    return image


def _copy_file(src, dst):
    os.makedirs(osp.dirname(dst) or '.', exist_ok=True)
    temporary = f'{dst}.tmp{os.getpid()}'
    try:
        shutil.copyfile(src, temporary)
        os.replace(temporary, dst)
    finally:
        if osp.exists(temporary):
            os.remove(temporary)


def _unknown_reason(unknown):
    if any(isinstance(value, tuple) for value in unknown):
        return 'unknown colours'
    return 'invalid indices'


def convert_voc_file(src, dst=None, force=False):
    """Convert one VOC label to a VOC index PNG.

    Args:
        src (str): Label PNG.
        dst (str, optional): Output; ``None`` or ``src`` converts in place.
        force (bool): Convert even if ``dst`` is newer than ``src`` (not
            converting in place).

    Returns:
        FileResult: ``skipped`` (up to date, or already indexed in place),
        ``converted`` (written, or an already indexed file copied), or
        ``failed`` with the unknown values (nothing written).
    """
    dst = src if dst is None else dst
    in_place = osp.abspath(src) == osp.abspath(dst)
    if not in_place and not force and is_up_to_date(src, dst):
        return FileResult(src, dst, SKIPPED, 'up to date')
    indices, unknown, indexed = load_voc_label(src)
    if unknown:
        return FileResult(src, dst, FAILED, _unknown_reason(unknown), unknown)
    if indexed:
        if in_place:
            return FileResult(src, dst, SKIPPED, 'already indexed')
        _copy_file(src, dst)
        return FileResult(src, dst, CONVERTED, 'already indexed, copied')
    save_png(index_image(indices), dst)
    return FileResult(src, dst, CONVERTED)


def _png_files(folder):
    if not osp.isdir(folder):
        raise FileNotFoundError(f'no such folder: {folder}')
    return sorted(
        osp.join(folder, name) for name in os.listdir(folder)
        if name.endswith('.png'))


def convert_voc(root,
                out_dir=None,
                in_place=False,
                nproc=1,
                force=False,
                progress=True,
                label_dir=LABEL_DIR):
    """Convert every ``<root>/<label_dir>/*.png`` to a VOC index PNG.

    Args:
        root (str): VOC2012 root.
        out_dir (str, optional): Output folder; defaults to
            ``<root>/SegmentationClassIndex`` unless ``in_place``.
        in_place (bool): Overwrite the labels themselves (already indexed
            files are left alone).
        nproc (int): Number of worker processes.
        force (bool): Redo outputs that are newer than their input.
        progress (bool): Show a progress bar.
        label_dir (str): Label folder, relative to ``root``.

    Returns:
        ConversionSummary: Per-file results and totals.
    """
    if in_place and out_dir is not None:
        raise ValueError('give either out_dir or in_place, not both')
    sources = _png_files(osp.join(root, label_dir))
    if in_place:
        tasks = [(src, src) for src in sources]
        target = 'in place'
    else:
        out_dir = osp.join(root, INDEX_DIR) if out_dir is None else out_dir
        tasks = [(src, osp.join(out_dir, osp.basename(src)))
                 for src in sources]
        target = f'-> {out_dir}'
    return run_conversions(
        convert_voc_file,
        tasks,
        name=f'voc {label_dir} {target}',
        nproc=nproc,
        progress=progress,
        force=force)


def sbd_dataset_dir(sbd_path):
    """The SBD folder that holds ``cls/`` and the split lists.

    Args:
        sbd_path (str): SBD's ``benchmark_RELEASE`` folder (holding
            ``dataset/``) or its ``dataset`` folder.

    Returns:
        str

    Raises:
        FileNotFoundError: If neither holds a ``cls`` folder.
    """
    for candidate in (osp.join(sbd_path, 'dataset'), sbd_path):
        if osp.isdir(osp.join(candidate, 'cls')):
            return candidate
    raise FileNotFoundError(f'no dataset/cls (or cls) folder in {sbd_path}')


def read_sbd_mat(path):
    """Read the class segmentation of an SBD ``cls/*.mat`` file.

    Args:
        path (str): ``.mat`` file with a ``GTcls`` struct whose
            ``Segmentation`` field is the HxW class index map.

    Returns:
        tuple[np.ndarray, dict]: HxW uint8 indices and ``{value: pixel
        count}`` of values that are not VOC indices.
    """
    from scipy.io import loadmat
    data = loadmat(path, squeeze_me=True, struct_as_record=False)
    segmentation = np.asarray(data['GTcls'].Segmentation)
    if segmentation.ndim != 2:
        raise ValueError(
            f'GTcls.Segmentation has shape {segmentation.shape}, expected HxW')
    if not np.issubdtype(segmentation.dtype, np.integer):
        rounded = np.rint(segmentation)
        if not np.array_equal(rounded, segmentation):
            raise ValueError('GTcls.Segmentation holds non-integer values')
        segmentation = rounded.astype(np.int64)
    unknown = invalid_voc_indices(segmentation)
    return segmentation.astype(np.uint8), unknown


def convert_sbd_file(src, dst, force=False):
    """Convert one SBD ``cls/*.mat`` to a VOC index PNG.

    Args:
        src (str): ``.mat`` file.
        dst (str): Output PNG.
        force (bool): Convert even if ``dst`` is newer than ``src``.

    Returns:
        FileResult
    """
    if not force and is_up_to_date(src, dst):
        return FileResult(src, dst, SKIPPED, 'up to date')
    indices, unknown = read_sbd_mat(src)
    if unknown:
        return FileResult(src, dst, FAILED, 'invalid indices', unknown)
    save_png(index_image(indices), dst)
    return FileResult(src, dst, CONVERTED)


def convert_aug_file(src, dst, force=False):
    """One file of the SBD merge: an SBD ``.mat`` or a VOC label PNG.

    Args:
        src (str): ``.mat`` or ``.png`` input.
        dst (str): ``SegmentationClassAug/<id>.png``.
        force (bool): Redo up-to-date outputs.

    Returns:
        FileResult
    """
    if src.endswith('.mat'):
        return convert_sbd_file(src, dst, force=force)
    return convert_voc_file(src, dst, force=force)


def _read_ids(path):
    with open(path) as file:
        return [line.strip() for line in file if line.strip()]


def merge_sbd(root,
              sbd_path,
              nproc=1,
              force=False,
              progress=True,
              label_dir=LABEL_DIR,
              aug_dir=AUG_DIR):
    """Merge SBD into ``SegmentationClassAug`` and write the aug lists.

    Args:
        root (str): VOC2012 root (with ``ImageSets/Segmentation/train.txt``
            and ``val.txt``).
        sbd_path (str): SBD ``benchmark_RELEASE`` (or its ``dataset``)
            folder, with ``cls/*.mat``, ``train.txt`` and ``val.txt``.
        nproc (int): Number of worker processes.
        force (bool): Redo outputs that are newer than their input.
        progress (bool): Show a progress bar.
        label_dir (str): VOC label folder, relative to ``root``.
        aug_dir (str): Output folder, relative to ``root``.

    Returns:
        ConversionSummary: Per-file results; the notes name the list files
        written.
    """
    dataset = sbd_dataset_dir(sbd_path)
    cls_dir = osp.join(dataset, 'cls')
    mats = {
        name[:-len('.mat')]: osp.join(cls_dir, name)
        for name in sorted(os.listdir(cls_dir)) if name.endswith('.mat')
    }
    voc_labels = {
        osp.splitext(osp.basename(path))[0]: path
        for path in _png_files(osp.join(root, label_dir))
    }
    out_dir = osp.join(root, aug_dir)
    sources = dict(mats)
    sources.update(voc_labels)  # the VOC annotation wins
    tasks = [(sources[image_id], osp.join(out_dir, image_id + '.png'))
             for image_id in sorted(sources)]
    summary = run_conversions(
        convert_aug_file,
        tasks,
        name=f'voc + sbd -> {out_dir}',
        nproc=nproc,
        progress=progress,
        force=force)

    split_dir = osp.join(root, SPLIT_DIR)
    voc_train = _read_ids(osp.join(split_dir, 'train.txt'))
    voc_val = _read_ids(osp.join(split_dir, 'val.txt'))
    sbd_ids = []
    for name in ('train.txt', 'val.txt'):
        sbd_ids += _read_ids(osp.join(dataset, name))
    written = {
        osp.basename(result.dst)[:-len('.png')]
        for result in summary.results
        if result.status != FAILED and osp.isfile(result.dst)
    }
    lists = {
        'aug.txt': set(sbd_ids) - set(voc_train) - set(voc_val),
        'trainaug.txt': (set(voc_train) | set(sbd_ids)) - set(voc_val),
    }
    overridden = len(set(mats) & set(voc_labels))
    if overridden:
        summary.notes.append(f'{overridden} SBD labels replaced by the VOC '
                             'annotation of the same image')
    for name, ids in lists.items():
        missing = ids - written
        kept = sorted(ids & written)
        path = osp.join(split_dir, name)
        write_text_if_changed(path, ''.join(f'{i}\n' for i in kept))
        note = f'{path}: {len(kept)} ids'
        if missing:
            note += (f' ({len(missing)} left out: no label in {aug_dir}, '
                     f'e.g. {sorted(missing)[0]})')
        summary.notes.append(note)
    return summary
