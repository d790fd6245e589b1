"""Write a synthetic dataset in the Cityscapes ``gtFine`` layout.

The files look like the real dataset to MMSeg's ``CityscapesDataset`` (and
to label converters written for it), so configs and tools can be exercised
end to end on a CPU without downloading data. With
``<stem> = <city>_<seq:06d>_<frame:06d>``::

    <out_dir>/leftImg8bit/{train,val}/<city>/<stem>_leftImg8bit.png
    <out_dir>/gtFine/{train,val}/<city>/<stem>_gtFine_labelIds.png
    <out_dir>/gtFine/{train,val}/<city>/<stem>_gtFine_labelTrainIds.png
    <out_dir>/gtFine/{train,val}/<city>/<stem>_gtFine_color.png

Deterministic and resumable (see :mod:`.writer`).
"""
import os.path as osp

from PIL import Image

from ..cityscapes_labels import ids_to_color, label_id_to_train_id_lut
from .street_scene import render_street_scene
from .writer import (SPLITS, DatasetFiles, dataset_meta, image_rng, save_image,
                     write_dataset)

__all__ = [
    'SYNTHETIC_CITIES', 'cityscapes_stem', 'cityscapes_files',
    'generate_synthetic_cityscapes'
]

# Defaults sized for a quick CPU demo.
DEFAULT_CITYSCAPES_NUM_TRAIN = 96
DEFAULT_CITYSCAPES_NUM_VAL = 24
DEFAULT_CITYSCAPES_HEIGHT = 128
DEFAULT_CITYSCAPES_WIDTH = 256
# Bump when the renderer's output changes, so that existing data generated
# by an older version is not mistaken for up to date.
CITYSCAPES_FORMAT_VERSION = 1
# Written to the metadata: the module that wrote Cityscapes and VOC data
# before the generator became a subpackage, so data written then stays up
# to date.
GENERATOR_NAME = 'cblseg.datasets.synthetic_writer'

# Synthetic city names; they cannot clash with the real Cityscapes cities.
SYNTHETIC_CITIES = {
    'train': ('synthtown', 'modelburg'),
    'val': ('testville', ),
}
# Real Cityscapes fine annotations are for frame 19 of each sequence.
CITYSCAPES_FRAME = 19
_CITYSCAPES_STREAM = 0  # per-image seed stream
_FILE_SUFFIXES = ('_leftImg8bit.png', '_gtFine_labelIds.png',
                  '_gtFine_labelTrainIds.png', '_gtFine_color.png')


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


def _write_sample(task):
    """Render and write one Cityscapes sample (runs in worker processes)."""
    root, seed, split, image_index, height, width = task
    rng = image_rng(seed, _CITYSCAPES_STREAM, SPLITS.index(split), image_index)
    image, label_ids = render_street_scene(rng, height, width)
    files = cityscapes_files(split, image_index)
    save_image(Image.fromarray(image), osp.join(root, files['image']))
    save_image(Image.fromarray(label_ids), osp.join(root, files['label_ids']))
    save_image(
        Image.fromarray(label_id_to_train_id_lut()[label_ids]),
        osp.join(root, files['train_ids']))
    save_image(
        Image.fromarray(ids_to_color(label_ids)),
        osp.join(root, files['color']))
    return len(files)


def _owns_file(relative_path):
    return relative_path.endswith(_FILE_SUFFIXES)


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
    meta = dataset_meta(GENERATOR_NAME, CITYSCAPES_FORMAT_VERSION,
                        'cityscapes', num_train, num_val, height, width, seed,
                        nproc)
    samples = [(split, index) for split in SPLITS
               for index in range(meta[f'num_{split}'])]
    files = DatasetFiles(
        expected=[
            path for split, index in samples
            for path in cityscapes_files(split, index).values()
        ],
        guarded_dirs=['leftImg8bit', 'gtFine'],
        managed_dirs=[
            osp.join(top, split, city) for top in ('leftImg8bit', 'gtFine')
            for split in SPLITS for city in SYNTHETIC_CITIES[split]
        ],
        owns_file=_owns_file)
    tasks = [(str(out_dir), meta['seed'], split, index, meta['height'],
              meta['width']) for split, index in samples]
    summary = write_dataset(out_dir, meta, files, _write_sample, tasks, nproc,
                            overwrite)
    return dict(
        summary,
        img_dir='leftImg8bit',
        ann_dir='gtFine',
        img_suffix='_leftImg8bit.png',
        seg_map_suffix='_gtFine_labelTrainIds.png')
