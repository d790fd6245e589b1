"""Write a synthetic dataset in the ADE20K (ADEChallengeData2016) layout.

The files look like the real SceneParsing release to MMSeg's
``ADE20KDataset``::

    <out_dir>/images/{training,validation}/ADE_{train,val}_<n:08d>.jpg
    <out_dir>/annotations/{training,validation}/ADE_{train,val}_<n:08d>.png

Annotations are 'L' PNGs of labels 0..150: 0 is "other objects"
(unlabelled), ``k`` is class ``k - 1`` of ``ADE20KDataset.METAINFO``.
MMSeg's ``reduce_zero_label`` turns 0 into the ignore index 255 and ``k``
into ``k - 1``. Deterministic and resumable as
:mod:`.writer`'s datasets (same metadata file and rules).
"""
import os.path as osp
import re

from .class_scene import render_class_scene
from .writer import (SPLITS, DatasetFiles, dataset_meta, write_dataset,
                     write_jpeg_sample)

__all__ = [
    'ADE20K_SPLIT_DIRS', 'ade20k_stem', 'render_ade20k_scene',
    'generate_synthetic_ade20k'
]

DEFAULT_ADE20K_NUM_TRAIN = 64
DEFAULT_ADE20K_NUM_VAL = 16
DEFAULT_ADE20K_HEIGHT = 128
DEFAULT_ADE20K_WIDTH = 160
# Bump when the output for the same arguments changes.
ADE20K_FORMAT_VERSION = 1
# Written to the metadata; the module's name before the generator became a
# subpackage, so data written then stays up to date.
GENERATOR_NAME = 'cblseg.datasets.synthetic_ade20k'

# split -> (folder, file-name tag) of the real release.
ADE20K_SPLIT_DIRS = dict(
    train=('training', 'train'), val=('validation', 'val'))
_ADE20K_STREAM = 2  # per-image seed stream (0, 1: Cityscapes, VOC)
_STEM_PATTERN = re.compile(r'^ADE_(train|val)_\d{8}$')


def ade20k_stem(split, index):
    """``ADE_train_00000001``, ... as in the real release (1-based)."""
    return f'ADE_{ADE20K_SPLIT_DIRS[split][1]}_{index + 1:08d}'


def _sample_files(split, index):
    folder = ADE20K_SPLIT_DIRS[split][0]
    stem = ade20k_stem(split, index)
    return (osp.join('images', folder, stem + '.jpg'),
            osp.join('annotations', folder, stem + '.png'))


def _owns_file(relative_path):
    stem, extension = osp.splitext(osp.basename(relative_path))
    return extension in ('.jpg', '.png') and bool(_STEM_PATTERN.match(stem))


def render_ade20k_scene(rng, height, width):
    """A scene with ADE20K labels (0 = other, 1..150 = the classes of
    ``ADE20KDataset.METAINFO``); see :func:`render_class_scene`."""
    # Imported here: mmseg.datasets adds about a second to `import cblseg`.
    from mmseg.datasets import ADE20KDataset
    return render_class_scene(rng, height, width,
                              ADE20KDataset.METAINFO['classes'])


def generate_synthetic_ade20k(out_dir,
                              num_train=DEFAULT_ADE20K_NUM_TRAIN,
                              num_val=DEFAULT_ADE20K_NUM_VAL,
                              height=DEFAULT_ADE20K_HEIGHT,
                              width=DEFAULT_ADE20K_WIDTH,
                              seed=0,
                              nproc=1,
                              overwrite=False):
    """Write a synthetic dataset in the ADE20K layout.

    Args:
        out_dir (str): Dataset root, e.g.
            ``data/synthetic/ade/ADEChallengeData2016``.
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
        per split, ``files_written``, ``seconds``, ``img_dir``, ``ann_dir``
        and ``meta_file``.
    """
    meta = dataset_meta(GENERATOR_NAME, ADE20K_FORMAT_VERSION, 'ade20k',
                        num_train, num_val, height, width, seed, nproc)
    samples = [(split, index) for split in SPLITS
               for index in range(meta[f'num_{split}'])]
    top_dirs = ['images', 'annotations']
    files = DatasetFiles(
        expected=[
            path for split, index in samples
            for path in _sample_files(split, index)
        ],
        guarded_dirs=top_dirs,
        managed_dirs=[
            osp.join(top, folder) for top in top_dirs
            for folder, _ in ADE20K_SPLIT_DIRS.values()
        ],
        owns_file=_owns_file)
    tasks = [(str(out_dir), render_ade20k_scene, (meta['seed'], _ADE20K_STREAM,
                                                  SPLITS.index(split),
                                                  index), meta['height'],
              meta['width'], *_sample_files(split, index), None)
             for split, index in samples]
    summary = write_dataset(out_dir, meta, files, write_jpeg_sample, tasks,
                            nproc, overwrite)
    return dict(summary, img_dir='images', ann_dir='annotations')
