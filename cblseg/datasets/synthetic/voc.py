"""Write a synthetic dataset in the PASCAL VOC 2012 layout.

The files look like the real dataset to MMSeg's ``PascalVOCDataset`` (and
to label converters written for it)::

    <out_dir>/JPEGImages/<id>.jpg
    <out_dir>/SegmentationClass/<id>.png       ('P' mode, VOC palette)
    <out_dir>/ImageSets/Segmentation/{train,val,trainval}.txt

Deterministic and resumable (see :mod:`.writer`).
"""
import os.path as osp

from ..voc_labels import voc_palette_bytes
from .voc_scene import render_voc_scene
from .writer import (SPLITS, DatasetFiles, dataset_meta, numbered_sample_files,
                     split_image_ids, write_dataset, write_jpeg_sample)

__all__ = ['voc_image_id', 'generate_synthetic_voc']

DEFAULT_VOC_NUM_TRAIN = 64
DEFAULT_VOC_NUM_VAL = 16
DEFAULT_VOC_HEIGHT = 128
DEFAULT_VOC_WIDTH = 128
# Bump when the output for the same arguments changes.
VOC_FORMAT_VERSION = 1
# Written to the metadata: the module that wrote Cityscapes and VOC data
# before the generator became a subpackage, so data written then stays up
# to date.
GENERATOR_NAME = 'cblseg.datasets.synthetic_writer'
_VOC_STREAM = 1  # per-image seed stream (0: Cityscapes)
_IMG_DIR = 'JPEGImages'
_ANN_DIR = 'SegmentationClass'
_SPLIT_DIR = osp.join('ImageSets', 'Segmentation')


def voc_image_id(index):
    """VOC-style id (``2007_000001``, ...) of the index-th image overall."""
    return f'2007_{index + 1:06d}'


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
    meta = dataset_meta(GENERATOR_NAME, VOC_FORMAT_VERSION, 'voc', num_train,
                        num_val, height, width, seed, nproc)
    ids = split_image_ids(meta, voc_image_id)
    split_files = {
        name: osp.join(_SPLIT_DIR, f'{name}.txt')
        for name in ('train', 'val', 'trainval')
    }
    expected, owns_file = numbered_sample_files(ids, _IMG_DIR, _ANN_DIR,
                                                r'^\d{4}_\d{6}$')
    files = DatasetFiles(expected + list(split_files.values()),
                         [_IMG_DIR, _ANN_DIR], [_IMG_DIR, _ANN_DIR], owns_file)
    palette = voc_palette_bytes()
    tasks = [(str(out_dir), render_voc_scene, (meta['seed'], _VOC_STREAM,
                                               SPLITS.index(split), index),
              meta['height'], meta['width'],
              osp.join(_IMG_DIR, image_id + '.jpg'),
              osp.join(_ANN_DIR, image_id + '.png'), palette)
             for split in SPLITS for index, image_id in enumerate(ids[split])]
    split_lists = {
        split_files['train']: ids['train'],
        split_files['val']: ids['val'],
        split_files['trainval']: ids['train'] + ids['val'],
    }
    summary = write_dataset(out_dir, meta, files, write_jpeg_sample, tasks,
                            nproc, overwrite, split_lists)
    return dict(
        summary, img_dir=_IMG_DIR, ann_dir=_ANN_DIR, split_files=split_files)
