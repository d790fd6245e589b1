"""Write a synthetic dataset in the Pascal Context layout.

The files look like what MMSeg's converter
(``tools/dataset_converters/pascal_context.py``) makes of VOC 2010 and the
Pascal Context annotations, which is what ``PascalContextDataset`` (60
classes) and ``PascalContextDataset59`` read::

    <out_dir>/JPEGImages/<id>.jpg
    <out_dir>/SegmentationClassContext/<id>.png
    <out_dir>/ImageSets/SegmentationContext/{train,val}.txt

Labels are 'L' PNGs of 0..59 indexing ``PascalContextDataset.METAINFO``'s
classes: 0 is background. The 59-class dataset reads the same files with
``reduce_zero_label``: background becomes the ignore index 255, label ``k``
becomes class ``k - 1`` of ``PascalContextDataset59.METAINFO``. Ids run
``2008_000001``, ... over the train images, then the val images.
Deterministic and resumable as :mod:`.writer`'s datasets.
"""
import os
import os.path as osp
import re
import time

from PIL import Image

from . import writer
from .class_scene import render_class_scene

__all__ = [
    'PASCAL_CONTEXT_SPLIT_DIR', 'pascal_context_image_id',
    'render_pascal_context_scene', 'generate_synthetic_pascal_context'
]

DEFAULT_PASCAL_CONTEXT_NUM_TRAIN = 64
DEFAULT_PASCAL_CONTEXT_NUM_VAL = 16
DEFAULT_PASCAL_CONTEXT_HEIGHT = 120
DEFAULT_PASCAL_CONTEXT_WIDTH = 160
# Bump when the output for the same arguments changes.
PASCAL_CONTEXT_FORMAT_VERSION = 1
# Written to the metadata; the module's name before the generator became a
# subpackage, so data written then stays up to date.
GENERATOR_NAME = 'cblseg.datasets.synthetic_pascal_context'

PASCAL_CONTEXT_SPLIT_DIR = osp.join('ImageSets', 'SegmentationContext')
_IMG_DIR = 'JPEGImages'
_ANN_DIR = 'SegmentationClassContext'
_PASCAL_CONTEXT_STREAM = 3  # per-image seed stream (0-2: other layouts)
_ID_PATTERN = re.compile(r'^2008_\d{6}$')


def pascal_context_image_id(index):
    """VOC-style id (``2008_000001``, ...) of the index-th image overall."""
    return f'2008_{index + 1:06d}'


def render_pascal_context_scene(rng, height, width):
    """A scene with Pascal Context labels (0 = background, 1..59 = the
    other classes of ``PascalContextDataset.METAINFO``); see
    :func:`render_class_scene`."""
    # Imported here: mmseg.datasets adds about a second to `import cblseg`.
    from mmseg.datasets import PascalContextDataset
    classes = PascalContextDataset.METAINFO['classes']
    return render_class_scene(rng, height, width, classes[1:])


def _write_sample(task):
    """Render and write one sample (runs in worker processes)."""
    root, seed, split, index, image_id, height, width = task
    rng = writer.image_rng(seed, _PASCAL_CONTEXT_STREAM,
                           writer.SPLITS.index(split), index)
    image, label = render_pascal_context_scene(rng, height, width)
    writer._save(
        Image.fromarray(image),
        osp.join(root, _IMG_DIR, image_id + '.jpg'),
        quality=95)
    writer._save(
        Image.fromarray(label), osp.join(root, _ANN_DIR, image_id + '.png'))
    return 2


def generate_synthetic_pascal_context(
        out_dir,
        num_train=DEFAULT_PASCAL_CONTEXT_NUM_TRAIN,
        num_val=DEFAULT_PASCAL_CONTEXT_NUM_VAL,
        height=DEFAULT_PASCAL_CONTEXT_HEIGHT,
        width=DEFAULT_PASCAL_CONTEXT_WIDTH,
        seed=0,
        nproc=1,
        overwrite=False):
    """Write a synthetic dataset in the Pascal Context layout.

    Args:
        out_dir (str): Dataset root, e.g.
            ``data/synthetic/VOCdevkit/VOC2010``.
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
    writer._check_arguments(num_train, num_val, height, width, seed, nproc)
    counts = dict(train=int(num_train), val=int(num_val))
    meta = dict(
        generator=GENERATOR_NAME,
        format_version=PASCAL_CONTEXT_FORMAT_VERSION,
        layout='pascal_context',
        num_train=counts['train'],
        num_val=counts['val'],
        height=int(height),
        width=int(width),
        seed=int(seed))
    ids, offset = {}, 0
    for split in writer.SPLITS:
        ids[split] = [
            pascal_context_image_id(offset + i) for i in range(counts[split])
        ]
        offset += counts[split]
    split_files = {
        split: osp.join(PASCAL_CONTEXT_SPLIT_DIR, f'{split}.txt')
        for split in writer.SPLITS
    }
    expected_files = [
        osp.join(directory, image_id + extension) for split in writer.SPLITS
        for image_id in ids[split]
        for directory, extension in ((_IMG_DIR, '.jpg'), (_ANN_DIR, '.png'))
    ] + list(split_files.values())

    def owns_file(relative_path):
        directory, name = osp.split(relative_path)
        stem, extension = osp.splitext(name)
        return (directory, extension) in ((_IMG_DIR, '.jpg'),
                                          (_ANN_DIR, '.png')) and bool(
                                              _ID_PATTERN.match(stem))

    start = time.perf_counter()
    root = str(out_dir)
    data_dirs = [_IMG_DIR, _ANN_DIR]
    skipped = writer._prepare_root(root, meta, expected_files, data_dirs,
                                   data_dirs, owns_file, overwrite)
    files_written = 0
    if not skipped:
        tasks = [(root, int(seed), split, index, image_id, int(height),
                  int(width)) for split in writer.SPLITS
                 for index, image_id in enumerate(ids[split])]
        files_written = writer._run(_write_sample, tasks, int(nproc))
        os.makedirs(osp.join(root, PASCAL_CONTEXT_SPLIT_DIR), exist_ok=True)
        for split, path in split_files.items():
            with open(osp.join(root, path), 'w') as file:
                file.write(''.join(f'{image_id}\n' for image_id in ids[split]))
            files_written += 1
        writer._write_meta(root, dict(meta, complete=True))
    return dict(
        layout='pascal_context',
        root=root,
        skipped=skipped,
        num_images=counts,
        files_written=files_written,
        seconds=time.perf_counter() - start,
        img_dir=_IMG_DIR,
        ann_dir=_ANN_DIR,
        split_files=split_files,
        meta_file=osp.join(root, writer.META_FILENAME))
