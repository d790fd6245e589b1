# Copyright (c) cblseg contributors. All rights reserved.
"""Class names, palettes and ``reduce_zero_label`` of the datasets cblseg
knows by name, taken from MMSeg's dataset classes.

MMSeg's dataset classes are the one source: ``classes`` and ``palette`` come
from their ``METAINFO``, ``reduce_zero_label`` from their constructor's
default (``True`` for ADE20K and Pascal Context 59, whose label files keep
0 for "other" / "background"). The synthetic data sets use the same MMSeg
dataset types (``configs/_base_/datasets/synthetic_*.py``), so they share
these tables.

Used by the offline evaluation (``tools/eval_boundary.py``) and the boundary
pictures (``tools/analysis/visualize_boundaries.py``).
"""
import inspect
from typing import Dict, List, Optional, Tuple

import numpy as np

from cblseg.utils.arguments import check_int

__all__ = [
    'DATASET_TYPES', 'dataset_metainfo', 'dataset_classes_and_palette',
    'reduce_zero_label'
]

#: Dataset name -> MMSeg dataset class name (``mmseg.datasets``).
DATASET_TYPES = {
    'cityscapes': 'CityscapesDataset',
    'voc': 'PascalVOCDataset',
    'ade20k': 'ADE20KDataset',
    'pascal_context': 'PascalContextDataset',
    'pascal_context_59': 'PascalContextDataset59',
}


def _dataset_class(dataset: str):
    if dataset not in DATASET_TYPES:
        raise ValueError(f'dataset must be one of {sorted(DATASET_TYPES)}, '
                         f'got {dataset!r}')
    import mmseg.datasets
    return getattr(mmseg.datasets, DATASET_TYPES[dataset])


def dataset_metainfo(dataset: str) -> Dict:
    """Classes, palette and ``reduce_zero_label`` of a named dataset.

    Args:
        dataset (str): One of :data:`DATASET_TYPES`.

    Returns:
        dict: ``type`` (MMSeg class name), ``classes`` (tuple of str),
        ``palette`` (list of ``[r, g, b]`` lists, one per class) and
        ``reduce_zero_label`` (bool: the label files hold 0 for an unlabelled
        "other" class and ``k`` for class ``k - 1``).
    """
    cls = _dataset_class(dataset)
    metainfo = cls.METAINFO
    classes = tuple(str(name) for name in metainfo['classes'])
    palette = [list(color) for color in metainfo['palette'][:len(classes)]]
    parameter = inspect.signature(
        cls.__init__).parameters.get('reduce_zero_label')
    # BaseSegDataset's default (False) when the class does not override it.
    reduce = bool(parameter.default) if parameter is not None else False
    return dict(
        type=DATASET_TYPES[dataset],
        classes=classes,
        palette=palette,
        reduce_zero_label=reduce)


def dataset_classes_and_palette(
        dataset: Optional[str] = None,
        num_classes: Optional[int] = None) -> Tuple[List[str], List]:
    """Class names and palette of a named dataset, or generic ones.

    Args:
        dataset (str, optional): One of :data:`DATASET_TYPES`
            (:func:`dataset_metainfo`).
        num_classes (int, optional): Number of classes; must match the
            dataset when both are given. Without a dataset the names are
            ``'0'``, ``'1'``, ... and the colours the VOC colour map.

    Returns:
        tuple[list[str], list[list[int]]]: Names and RGB palette.
    """
    if dataset is not None:
        meta = dataset_metainfo(dataset)
        names = meta['classes']
        if num_classes is not None and num_classes != len(names):
            raise ValueError(f'{dataset} has {len(names)} classes, got '
                             f'num_classes={num_classes}')
        return list(names), meta['palette']
    if num_classes is None:
        raise ValueError('give a dataset name or num_classes')
    num_classes = check_int('num_classes', num_classes, 1)
    if num_classes > 255:
        raise ValueError(f'at most 255 classes, got {num_classes}')
    from .voc_labels import voc_color_map
    return ([str(k)
             for k in range(num_classes)], voc_color_map(num_classes).tolist())


def reduce_zero_label(label: np.ndarray) -> np.ndarray:
    """MMSeg's ``reduce_zero_label``: 0 -> 255, ``v`` -> ``v - 1``, 255
    stays 255 (as ``LoadAnnotations`` does to uint8 label files).

    Args:
        label (np.ndarray): Integer label map as read from the file.

    Returns:
        np.ndarray: A new array of the same dtype.
    """
    label = np.asarray(label)
    if not np.issubdtype(label.dtype, np.integer):
        raise ValueError(f'expected an integer label map, got {label.dtype}')
    out = label.copy()
    # LoadAnnotations: label[label == 0] = 255; label -= 1;
    # label[label == 254] = 255 (so a stored 255 stays ignored).
    out[label == 0] = 255
    out = out - 1
    out[out == 254] = 255
    return out
