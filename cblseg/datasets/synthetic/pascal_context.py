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
Deterministic and resumable (see :mod:`.writer`).
"""
import os.path as osp

from .class_scene import render_class_scene
from .writer import (SPLITS, DatasetFiles, dataset_meta, numbered_sample_files,
                     split_image_ids, write_dataset, write_jpeg_sample)

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
    meta = dataset_meta(GENERATOR_NAME, PASCAL_CONTEXT_FORMAT_VERSION,
                        'pascal_context', num_train, num_val, height, width,
                        seed, nproc)
    ids = split_image_ids(meta, pascal_context_image_id)
    split_files = {
        split: osp.join(PASCAL_CONTEXT_SPLIT_DIR, f'{split}.txt')
        for split in SPLITS
    }
    expected, owns_file = numbered_sample_files(ids, _IMG_DIR, _ANN_DIR,
                                                r'^2008_\d{6}$')
    files = DatasetFiles(expected + list(split_files.values()),
                         [_IMG_DIR, _ANN_DIR], [_IMG_DIR, _ANN_DIR], owns_file)
    tasks = [(str(out_dir), render_pascal_context_scene,
              (meta['seed'], _PASCAL_CONTEXT_STREAM, SPLITS.index(split),
               index), meta['height'], meta['width'],
              osp.join(_IMG_DIR,
                       image_id + '.jpg'), osp.join(_ANN_DIR,
                                                    image_id + '.png'), None)
             for split in SPLITS for index, image_id in enumerate(ids[split])]
    split_lists = {split_files[split]: ids[split] for split in SPLITS}
    summary = write_dataset(out_dir, meta, files, write_jpeg_sample, tasks,
                            nproc, overwrite, split_lists)
    return dict(
        summary, img_dir=_IMG_DIR, ann_dir=_ANN_DIR, split_files=split_files)
