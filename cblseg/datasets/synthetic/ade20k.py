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
import time

from PIL import Image

from . import writer
from .class_scene import render_class_scene

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


def render_ade20k_scene(rng, height, width):
    """A scene with ADE20K labels (0 = other, 1..150 = the classes of
    ``ADE20KDataset.METAINFO``); see :func:`render_class_scene`."""
    # Imported here: mmseg.datasets adds about a second to `import cblseg`.
    from mmseg.datasets import ADE20KDataset
    return render_class_scene(rng, height, width,
                              ADE20KDataset.METAINFO['classes'])


def _write_sample(task):
    """Render and write one sample (runs in worker processes)."""
    root, seed, split, index, height, width = task
    rng = writer.image_rng(seed, _ADE20K_STREAM, writer.SPLITS.index(split),
                           index)
    image, label = render_ade20k_scene(rng, height, width)
    image_path, label_path = _sample_files(split, index)
    writer._save(
        Image.fromarray(image), osp.join(root, image_path), quality=95)
    writer._save(Image.fromarray(label), osp.join(root, label_path))
    return 2


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
    writer._check_arguments(num_train, num_val, height, width, seed, nproc)
    counts = dict(train=int(num_train), val=int(num_val))
    meta = dict(
        generator=GENERATOR_NAME,
        format_version=ADE20K_FORMAT_VERSION,
        layout='ade20k',
        num_train=counts['train'],
        num_val=counts['val'],
        height=int(height),
        width=int(width),
        seed=int(seed))
    expected_files = [
        path for split in writer.SPLITS for index in range(counts[split])
        for path in _sample_files(split, index)
    ]
    top_dirs = ['images', 'annotations']
    managed_dirs = [
        osp.join(top, folder) for top in top_dirs
        for folder, _ in ADE20K_SPLIT_DIRS.values()
    ]

    def owns_file(relative_path):
        stem, extension = osp.splitext(osp.basename(relative_path))
        return extension in ('.jpg', '.png') and bool(
            _STEM_PATTERN.match(stem))

    start = time.perf_counter()
    root = str(out_dir)
    skipped = writer._prepare_root(root, meta, expected_files, top_dirs,
                                   managed_dirs, owns_file, overwrite)
    files_written = 0
    if not skipped:
        tasks = [(root, int(seed), split, index, int(height), int(width))
                 for split in writer.SPLITS for index in range(counts[split])]
        files_written = writer._run(_write_sample, tasks, int(nproc))
        writer._write_meta(root, dict(meta, complete=True))
    return dict(
        layout='ade20k',
        root=root,
        skipped=skipped,
        num_images=counts,
        files_written=files_written,
        seconds=time.perf_counter() - start,
        img_dir='images',
        ann_dir='annotations',
        meta_file=osp.join(root, writer.META_FILENAME))
