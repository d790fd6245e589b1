# Copyright (c) cblseg contributors. All rights reserved.
"""One sample (image, class-index label, class names, palette) of a dataset,
read from two files or from a config's dataloader dataset.

The pictures (``cblseg.visualization``), the model comparison
(``cblseg.evaluation.model_comparison``) and the analysis tools read their
samples here, so data loading does not depend on any picture code.

A sample is a dict: ``image`` (``H x W x 3`` RGB uint8), ``label``
(``H x W`` class indices), ``classes`` (names), ``palette`` (RGB per class),
``ignore_index``, ``img_path`` and ``stem`` (image file name without
extension).
"""
import copy
import os.path as osp
from typing import Dict, Optional

import numpy as np

from .dataset_meta import (dataset_classes_and_palette, dataset_metainfo,
                           reduce_zero_label)

__all__ = [
    'load_sample_from_files', 'build_split_dataset', 'load_dataset_sample',
    'load_sample_from_config'
]


def _read_rgb(path: str) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as image:
        return np.array(image.convert('RGB'))


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def load_sample_from_files(img_path: str,
                           label_path: str,
                           dataset: Optional[str] = None,
                           num_classes: Optional[int] = None,
                           ignore_index: int = 255) -> Dict:
    """Read an image and its class-index label file.

    The label is read with PIL: a palette ('P') PNG gives its indices (as
    VOC ``SegmentationClass`` files), a grey PNG its values (as Cityscapes
    ``*_labelTrainIds.png``). For a dataset whose MMSeg class reduces the
    zero label (ADE20K, Pascal Context 59; :func:`~cblseg.datasets.
    dataset_meta.dataset_metainfo`) the label is reduced as in training:
    0 -> 255, ``v`` -> ``v - 1``.

    Args:
        img_path (str): Image file.
        label_path (str): Class-index label file.
        dataset (str, optional): Dataset name
            (:data:`~cblseg.datasets.dataset_meta.DATASET_TYPES`): class
            names, palette and ``reduce_zero_label``.
        num_classes (int, optional): Number of classes without a dataset.
        ignore_index (int): Label of ignored pixels.

    Returns:
        dict: ``image`` (RGB), ``label``, ``classes``, ``palette``,
        ``ignore_index``, ``img_path`` and ``stem``.
    """
    from PIL import Image
    classes, palette = dataset_classes_and_palette(dataset, num_classes)
    reduce = dataset is not None and dataset_metainfo(
        dataset)['reduce_zero_label']
    image = _read_rgb(img_path)
    with Image.open(label_path) as label_image:
        if label_image.mode in ('RGB', 'RGBA'):
            raise ValueError(
                f'{label_path} is an {label_image.mode} colour image; give '
                'the class-index label (e.g. *_labelTrainIds.png, or a VOC '
                'SegmentationClass png)')
        label = np.array(label_image)
    if reduce:
        label = reduce_zero_label(label)
    if label.shape != image.shape[:2]:
        raise ValueError(f'label {label_path} is {label.shape}, image '
                         f'{img_path} is {image.shape[:2]}')
    return dict(
        image=image,
        label=label,
        classes=classes,
        palette=palette,
        ignore_index=ignore_index,
        img_path=img_path,
        stem=_stem(img_path))


def _base_dataset(dataset):
    """The first plain dataset inside dataset wrappers."""
    while True:
        if hasattr(dataset, 'datasets'):  # ConcatDataset
            dataset = dataset.datasets[0]
        elif hasattr(dataset, 'dataset'):  # RepeatDataset, ClassBalanced
            dataset = dataset.dataset
        else:
            return dataset


def build_split_dataset(config,
                        split: str = 'val',
                        cfg_options: Optional[Dict] = None):
    """Build a config's ``<split>_dataloader`` dataset with only its file
    list loaded (``lazy_init``; the pipeline is not run).

    Args:
        config (str | Config): Config file or object.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        BaseDataset: The dataset.
    """
    from mmengine.config import Config
    from mmseg.registry import DATASETS
    from mmseg.utils import register_all_modules

    from cblseg.utils import load_config

    if split not in ('train', 'val', 'test'):
        raise ValueError(f"split must be 'train', 'val' or 'test', got "
                         f'{split!r}')
    cfg = (
        load_config(config)
        if isinstance(config, str) else copy.deepcopy(config))
    if not isinstance(cfg, Config):
        raise TypeError(f'config must be a path or a Config, got {config!r}')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    register_all_modules(init_default_scope=True)
    loader = cfg.get(f'{split}_dataloader')
    if not loader or 'dataset' not in loader:
        raise KeyError(f'the config has no {split}_dataloader.dataset')
    dataset_cfg = loader['dataset'].copy()
    dataset_cfg['lazy_init'] = True
    dataset = DATASETS.build(dataset_cfg)
    dataset.full_init()
    return dataset


def load_dataset_sample(dataset, index: int) -> Dict:
    """Read sample ``index`` of a dataset from :func:`build_split_dataset`.

    The label is read by MMSeg's ``LoadAnnotations`` (so
    ``reduce_zero_label`` and ``label_map`` apply as in training); class
    names and palette come from the dataset's metainfo.

    Args:
        dataset (BaseDataset): The dataset.
        index (int): Sample index (negative counts from the end).

    Returns:
        dict: As :func:`load_sample_from_files`.
    """
    from mmseg.datasets.transforms import LoadAnnotations

    length = len(dataset)
    if not -length <= index < length:
        raise IndexError(f'index {index} is out of range for a split '
                         f'with {length} samples')
    info = dataset.get_data_info(index % length)
    base = _base_dataset(dataset)
    metainfo = dataset.metainfo
    classes = [str(name) for name in metainfo['classes']]
    palette = [list(color) for color in metainfo['palette']]
    results = dict(
        seg_map_path=info['seg_map_path'],
        reduce_zero_label=info.get('reduce_zero_label', False),
        label_map=info.get('label_map'),
        seg_fields=[])
    label = LoadAnnotations()(results)['gt_seg_map']
    image = _read_rgb(info['img_path'])
    if label.shape != image.shape[:2]:
        raise ValueError(f"label {info['seg_map_path']} is {label.shape}, "
                         f"image {info['img_path']} is {image.shape[:2]}")
    return dict(
        image=image,
        label=label,
        classes=classes,
        palette=palette,
        ignore_index=int(getattr(base, 'ignore_index', 255)),
        img_path=info['img_path'],
        stem=_stem(info['img_path']))


def load_sample_from_config(config,
                            index: int,
                            split: str = 'val',
                            cfg_options: Optional[Dict] = None) -> Dict:
    """Read sample ``index`` of a config's ``<split>_dataloader`` dataset
    (:func:`build_split_dataset`, then :func:`load_dataset_sample`).

    Returns:
        dict: As :func:`load_sample_from_files`.
    """
    return load_dataset_sample(
        build_split_dataset(config, split, cfg_options), index)
