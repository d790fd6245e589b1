"""Write synthetic datasets to disk in the Cityscapes and VOC 2012 layouts.

The files look like the real datasets to MMSeg's ``CityscapesDataset`` and
``PascalVOCDataset`` (and to label converters written for them), so configs
and tools can be exercised end to end on a CPU without downloading data:

Cityscapes (``generate_synthetic_cityscapes``), with
``<stem> = <city>_<seq:06d>_<frame:06d>``::

    <out_dir>/leftImg8bit/{train,val}/<city>/<stem>_leftImg8bit.png
    <out_dir>/gtFine/{train,val}/<city>/<stem>_gtFine_labelIds.png
    <out_dir>/gtFine/{train,val}/<city>/<stem>_gtFine_labelTrainIds.png
    <out_dir>/gtFine/{train,val}/<city>/<stem>_gtFine_color.png

VOC 2012 (``generate_synthetic_voc``)::

    <out_dir>/JPEGImages/<id>.jpg
    <out_dir>/SegmentationClass/<id>.png       ('P' mode, VOC palette)
    <out_dir>/ImageSets/Segmentation/{train,val,trainval}.txt

Every image has its own random generator seeded from ``(seed, dataset,
split, index)``, so the output does not depend on ``nproc`` or on the order
in which images are written. A ``synthetic_meta.json`` records the
arguments; a second call with the same arguments finds it, checks that all
files exist and returns without rewriting anything.
"""
import json
import os
import os.path as osp
import re
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image

from cblseg.utils import single_opencv_thread_for_fork
from ..cityscapes_labels import ids_to_color, label_id_to_train_id_lut
from ..voc_labels import voc_palette_bytes
from .street_scene import render_street_scene
from .voc_scene import render_voc_scene

# Defaults sized for a quick CPU demo.
DEFAULT_CITYSCAPES_NUM_TRAIN = 96
DEFAULT_CITYSCAPES_NUM_VAL = 24
DEFAULT_CITYSCAPES_HEIGHT = 128
DEFAULT_CITYSCAPES_WIDTH = 256
DEFAULT_VOC_NUM_TRAIN = 64
DEFAULT_VOC_NUM_VAL = 16
DEFAULT_VOC_HEIGHT = 128
DEFAULT_VOC_WIDTH = 128

# Synthetic city names; they cannot clash with the real Cityscapes cities.
SYNTHETIC_CITIES = {
    'train': ('synthtown', 'modelburg'),
    'val': ('testville', ),
}
# Real Cityscapes fine annotations are for frame 19 of each sequence.
CITYSCAPES_FRAME = 19

META_FILENAME = 'synthetic_meta.json'
# Bump when the renderer's output changes, so that existing data generated
# by an older version is not mistaken for up to date.
SYNTHETIC_FORMAT_VERSION = 1
# The metadata names the generator by the module it had before the
# generator became a subpackage, so data written then stays up to date.
GENERATOR_NAME = 'cblseg.datasets.synthetic_writer'

SPLITS = ('train', 'val')
# Streams of the per-image seed, so the two layouts never share scenes.
_CITYSCAPES_STREAM = 0
_VOC_STREAM = 1
_VOC_ID_PATTERN = re.compile(r'^\d{4}_\d{6}$')


def image_rng(seed, stream, split_index, image_index):
    """The random generator of one image.

    Args:
        seed (int): Dataset seed (>= 0).
        stream (int): Which dataset (Cityscapes or VOC layout).
        split_index (int): Index of the split in :data:`SPLITS`.
        image_index (int): Index of the image within the split.

    Returns:
        np.random.Generator
    """
    return np.random.default_rng([seed, stream, split_index, image_index])


def cityscapes_stem(split, index):
    """``<city>_<seq:06d>_<frame:06d>`` of image ``index`` of a split;
    images are dealt to the split's cities in turn."""
    cities = SYNTHETIC_CITIES[split]
    city = cities[index % len(cities)]
    return city, f'{city}_{index // len(cities):06d}_{CITYSCAPES_FRAME:06d}'


def cityscapes_files(split, index):
    """Paths (relative to the dataset root) of one Cityscapes sample.

    Returns:
        dict: Keys ``image``, ``label_ids``, ``train_ids`` and ``color``.
    """
    city, stem = cityscapes_stem(split, index)
    gt_prefix = osp.join('gtFine', split, city, stem + '_gtFine_')
    return dict(
        image=osp.join('leftImg8bit', split, city, stem + '_leftImg8bit.png'),
        label_ids=gt_prefix + 'labelIds.png',
        train_ids=gt_prefix + 'labelTrainIds.png',
        color=gt_prefix + 'color.png')


def voc_image_id(index):
    """VOC-style id (``2007_000001``, ...) of the index-th image overall."""
    return f'2007_{index + 1:06d}'


def _save(image, path, **params):
    """Save a PIL image atomically (temporary file, then rename), so an
    interrupted run never leaves a truncated file behind."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    extension = osp.splitext(path)[1].lower()
    image_format = {'.png': 'PNG', '.jpg': 'JPEG'}[extension]
    temporary = f'{path}.tmp{os.getpid()}'
    image.save(temporary, format=image_format, **params)
    os.replace(temporary, path)


def _write_cityscapes_sample(task):
    """Render and write one Cityscapes sample (runs in worker processes)."""
    root, seed, split, image_index, height, width = task
    rng = image_rng(seed, _CITYSCAPES_STREAM, SPLITS.index(split), image_index)
    image, label_ids = render_street_scene(rng, height, width)
    files = cityscapes_files(split, image_index)
    _save(Image.fromarray(image), osp.join(root, files['image']))
    _save(Image.fromarray(label_ids), osp.join(root, files['label_ids']))
    _save(
        Image.fromarray(label_id_to_train_id_lut()[label_ids]),
        osp.join(root, files['train_ids']))
    _save(
        Image.fromarray(ids_to_color(label_ids)),
        osp.join(root, files['color']))
    return len(files)


def _write_voc_sample(task):
    """Render and write one VOC sample (runs in worker processes)."""
    root, seed, split, image_index, image_id, height, width = task
    rng = image_rng(seed, _VOC_STREAM, SPLITS.index(split), image_index)
    image, label = render_voc_scene(rng, height, width)
    _save(
        Image.fromarray(image),
        osp.join(root, 'JPEGImages', image_id + '.jpg'),
        quality=95)
    label_image = Image.fromarray(label)
    # putpalette turns the 'L' image into a 'P' image with the VOC colours.
    label_image.putpalette(voc_palette_bytes())
    _save(label_image, osp.join(root, 'SegmentationClass', image_id + '.png'))
    return 2


def _run(worker, tasks, nproc):
    """Run ``worker`` over ``tasks``; returns the sum of its results."""
    if nproc <= 1 or len(tasks) <= 1:
        return sum(worker(task) for task in tasks)
    with single_opencv_thread_for_fork(), Pool(min(nproc, len(tasks))) as pool:
        return sum(
            pool.imap_unordered(
                worker, tasks, chunksize=max(1,
                                             len(tasks) // (4 * nproc))))


def _read_meta(root):
    try:
        with open(osp.join(root, META_FILENAME)) as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def _write_meta(root, meta):
    os.makedirs(root, exist_ok=True)
    path = osp.join(root, META_FILENAME)
    temporary = f'{path}.tmp{os.getpid()}'
    with open(temporary, 'w') as file:
        json.dump(meta, file, indent=2, sort_keys=True)
        file.write('\n')
    os.replace(temporary, path)


def _check_arguments(num_train, num_val, height, width, seed, nproc):
    for name, value, minimum in (('num_train', num_train, 0), ('num_val',
                                                               num_val, 0),
                                 ('height', height, 1), ('width', width, 1),
                                 ('seed', seed, 0), ('nproc', nproc, 1)):
        if int(value) != value or value < minimum:
            raise ValueError(
                f'{name} must be an integer >= {minimum}, got {value!r}')


def _prepare_root(root, meta, expected_files, guarded_dirs, managed_dirs,
                  owns_file, overwrite):
    """Decide whether to (re)generate; clean up files of an older run.

    Args:
        root (str): Dataset root.
        meta (dict): Metadata of the requested dataset.
        expected_files (list[str]): Files the request produces, relative to
            the root.
        guarded_dirs (list[str]): Directories that must be empty unless the
            root holds our metadata (protects real datasets).
        managed_dirs (list[str]): Directories whose files named like ours
            (``owns_file``) are removed when the dataset is regenerated.
        owns_file (callable): Whether a relative path is named like a file
            this generator writes.
        overwrite (bool): Regenerate unconditionally.

    Returns:
        bool: True when the existing data is complete and up to date.
    """
    existing = _read_meta(root)
    if (not overwrite and existing is not None
            and existing == dict(meta, complete=True) and all(
                osp.isfile(osp.join(root, path)) for path in expected_files)):
        return True
    if existing is None and not overwrite:
        for directory in guarded_dirs:
            path = osp.join(root, directory)
            if osp.isdir(path) and os.listdir(path):
                raise FileExistsError(
                    f'{path} is not empty and has no {META_FILENAME}: it '
                    'does not look like synthetic data written by cblseg. '
                    'Use another output directory, or overwrite=True '
                    '(--overwrite) to write into it anyway.')
    if existing is not None:
        # Our own data from other arguments: drop samples the new
        # arguments do not produce, so that directory scans (Cityscapes)
        # see exactly the new dataset.
        expected = {osp.normpath(path) for path in expected_files}
        for directory in managed_dirs:
            for parent, _, names in os.walk(osp.join(root, directory)):
                for name in names:
                    relative = osp.normpath(
                        osp.relpath(osp.join(parent, name), root))
                    if relative not in expected and owns_file(relative):
                        os.remove(osp.join(root, relative))
    # Mark the data incomplete until every file is written, so an
    # interrupted run is redone next time.
    _write_meta(root, dict(meta, complete=False))
    return False


def generate_synthetic_cityscapes(out_dir,
                                  num_train=DEFAULT_CITYSCAPES_NUM_TRAIN,
                                  num_val=DEFAULT_CITYSCAPES_NUM_VAL,
                                  height=DEFAULT_CITYSCAPES_HEIGHT,
                                  width=DEFAULT_CITYSCAPES_WIDTH,
                                  seed=0,
                                  nproc=1,
                                  overwrite=False):
    """Write a synthetic dataset in the Cityscapes ``gtFine`` layout.

    Street scenes from :func:`render_street_scene` are written as
    ``leftImg8bit`` PNG images with ``labelIds`` (uint8 'L' PNG of official
    label ids, license plate as 255), ``labelTrainIds`` (the official
    mapping, ignored classes as 255) and ``color`` (official colours)
    ground truth. Train images are spread over the cities ``synthtown`` and
    ``modelburg``, val images are in ``testville``.

    Args:
        out_dir (str): Dataset root (e.g. ``data/synthetic/cityscapes``).
        num_train (int): Number of training images.
        num_val (int): Number of validation images.
        height (int): Image height.
        width (int): Image width.
        seed (int): Seed of the whole dataset.
        nproc (int): Number of worker processes.
        overwrite (bool): Regenerate even if up-to-date data exists, and
            write into a non-empty directory that has no metadata file.

    Returns:
        dict: Summary with ``layout``, ``root``, ``skipped`` (True when
        existing data was up to date), ``num_images`` per split,
        ``files_written``, ``seconds``, the directory layout (``img_dir``,
        ``ann_dir``, ``img_suffix``, ``seg_map_suffix``) and ``meta_file``.
    """
    _check_arguments(num_train, num_val, height, width, seed, nproc)
    counts = dict(train=int(num_train), val=int(num_val))
    meta = dict(
        generator=GENERATOR_NAME,
        format_version=SYNTHETIC_FORMAT_VERSION,
        layout='cityscapes',
        num_train=counts['train'],
        num_val=counts['val'],
        height=int(height),
        width=int(width),
        seed=int(seed))
    expected_files = [
        path for split in SPLITS for index in range(counts[split])
        for path in cityscapes_files(split, index).values()
    ]
    managed_dirs = [
        osp.join(top, split, city) for top in ('leftImg8bit', 'gtFine')
        for split in SPLITS for city in SYNTHETIC_CITIES[split]
    ]

    def owns_file(relative_path):
        return relative_path.endswith(
            ('_leftImg8bit.png', '_gtFine_labelIds.png',
             '_gtFine_labelTrainIds.png', '_gtFine_color.png'))

    start = time.perf_counter()
    root = str(out_dir)
    skipped = _prepare_root(root, meta, expected_files,
                            ['leftImg8bit', 'gtFine'], managed_dirs, owns_file,
                            overwrite)
    files_written = 0
    if not skipped:
        tasks = [(root, int(seed), split, index, int(height), int(width))
                 for split in SPLITS for index in range(counts[split])]
        files_written = _run(_write_cityscapes_sample, tasks, int(nproc))
        _write_meta(root, dict(meta, complete=True))
    return dict(
        layout='cityscapes',
        root=root,
        skipped=skipped,
        num_images=counts,
        files_written=files_written,
        seconds=time.perf_counter() - start,
        img_dir='leftImg8bit',
        ann_dir='gtFine',
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelTrainIds.png',
        meta_file=osp.join(root, META_FILENAME))


def generate_synthetic_voc(out_dir,
                           num_train=DEFAULT_VOC_NUM_TRAIN,
                           num_val=DEFAULT_VOC_NUM_VAL,
                           height=DEFAULT_VOC_HEIGHT,
                           width=DEFAULT_VOC_WIDTH,
                           seed=0,
                           nproc=1,
                           overwrite=False):
    """Write a synthetic dataset in the PASCAL VOC 2012 layout.

    Object scenes from :func:`render_voc_scene` are written as
    ``JPEGImages/<id>.jpg`` (quality 95) and ``SegmentationClass/<id>.png``
    ('P' mode with the VOC palette; 255 marks object outlines), with the
    ``ImageSets/Segmentation`` split files. Ids run ``2007_000001``, ...
    over the train images, then the val images.

    Args:
        out_dir (str): Dataset root, e.g.
            ``data/synthetic/VOCdevkit/VOC2012``.
        num_train (int): Number of training images.
        num_val (int): Number of validation images.
        height (int): Image height.
        width (int): Image width.
        seed (int): Seed of the whole dataset.
        nproc (int): Number of worker processes.
        overwrite (bool): Regenerate even if up-to-date data exists, and
            write into a non-empty directory that has no metadata file.

    Returns:
        dict: Summary with ``layout``, ``root``, ``skipped``, ``num_images``
        per split, ``files_written``, ``seconds``, ``img_dir``, ``ann_dir``,
        ``split_files`` (per split, relative to the root) and ``meta_file``.
    """
    _check_arguments(num_train, num_val, height, width, seed, nproc)
    counts = dict(train=int(num_train), val=int(num_val))
    meta = dict(
        generator=GENERATOR_NAME,
        format_version=SYNTHETIC_FORMAT_VERSION,
        layout='voc',
        num_train=counts['train'],
        num_val=counts['val'],
        height=int(height),
        width=int(width),
        seed=int(seed))
    ids = {}
    offset = 0
    for split in SPLITS:
        ids[split] = [voc_image_id(offset + i) for i in range(counts[split])]
        offset += counts[split]
    split_dir = osp.join('ImageSets', 'Segmentation')
    split_files = {
        name: osp.join(split_dir, f'{name}.txt')
        for name in ('train', 'val', 'trainval')
    }
    expected_files = [
        osp.join(directory, image_id + extension) for split in SPLITS
        for image_id in ids[split]
        for directory, extension in (('JPEGImages', '.jpg'),
                                     ('SegmentationClass', '.png'))
    ] + list(split_files.values())

    def owns_file(relative_path):
        directory, name = osp.split(relative_path)
        stem, extension = osp.splitext(name)
        return (directory, extension) in (('JPEGImages', '.jpg'),
                                          ('SegmentationClass',
                                           '.png')) and bool(
                                               _VOC_ID_PATTERN.match(stem))

    start = time.perf_counter()
    root = str(out_dir)
    voc_dirs = ['JPEGImages', 'SegmentationClass']
    skipped = _prepare_root(root, meta, expected_files, voc_dirs, voc_dirs,
                            owns_file, overwrite)
    files_written = 0
    if not skipped:
        tasks = [(root, int(seed), split, index, image_id, int(height),
                  int(width)) for split in SPLITS
                 for index, image_id in enumerate(ids[split])]
        files_written = _run(_write_voc_sample, tasks, int(nproc))
        os.makedirs(osp.join(root, split_dir), exist_ok=True)
        for name, path in split_files.items():
            names = ids['train'] + ids['val'] if name == 'trainval' else ids[
                name]
            with open(osp.join(root, path), 'w') as file:
                file.write(''.join(f'{image_id}\n' for image_id in names))
            files_written += 1
        _write_meta(root, dict(meta, complete=True))
    return dict(
        layout='voc',
        root=root,
        skipped=skipped,
        num_images=counts,
        files_written=files_written,
        seconds=time.perf_counter() - start,
        img_dir='JPEGImages',
        ann_dir='SegmentationClass',
        split_files=split_files,
        meta_file=osp.join(root, META_FILENAME))
