# Copyright (c) cblseg contributors. All rights reserved.
"""Where ``GenerateBoundary`` sits in a train pipeline, and what it changes.

The CBL reference config computes the boundary on the full-resolution label,
right after ``LoadAnnotations``; the band then travels through resize, crop
and flip with the label (``'full'``). Computing it last, on the crop that
the model sees (``'crop'``), gives a thinner band (the dilation refers to
the crop's diagonal) and makes every crop border boundary.
:func:`place_generate_boundary` moves the transform in a pipeline config;
:func:`boundary_shares` measures the share of boundary pixels per crop both
ways on the same random crops (``tools/benchmarks/boundary_placement.py``).
"""
import copy
import random
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

__all__ = [
    'PLACEMENTS', 'place_generate_boundary', 'boundary_shares',
    'train_pipeline_and_samples'
]

PLACEMENTS = ('full', 'crop')
IGNORE = 255


def _type_name(transform: dict) -> str:
    kind = transform.get('type', '')
    return kind if isinstance(kind, str) else getattr(kind, '__name__', '')


def place_generate_boundary(pipeline: Sequence[dict],
                            where: str) -> List[dict]:
    """A copy of ``pipeline`` with its ``GenerateBoundary`` moved.

    Args:
        pipeline (Sequence[dict]): Transform configs with one
            ``GenerateBoundary``.
        where (str): ``'full'``: right after the last label-loading
            transform (``LoadAnnotations`` or a subclass whose type ends
            with ``Annotations``), before any resize, crop or flip, as in
            the CBL reference. ``'crop'``: right before ``PackSegInputs``
            (appended when there is none), on the final crop.

    Returns:
        list[dict]: The new pipeline (deep copies of the configs).
    """
    if where not in PLACEMENTS:
        raise ValueError(f'where must be one of {PLACEMENTS}, got {where!r}')
    transforms = [copy.deepcopy(dict(t)) for t in pipeline]
    found = [
        i for i, t in enumerate(transforms)
        if _type_name(t) == 'GenerateBoundary'
    ]
    if len(found) != 1:
        raise ValueError('the pipeline must have exactly one '
                         f'GenerateBoundary, found {len(found)}: '
                         f'{[_type_name(t) for t in transforms]}')
    boundary = transforms.pop(found[0])
    names = [_type_name(t) for t in transforms]
    if where == 'full':
        loads = [i for i, n in enumerate(names) if n.endswith('Annotations')]
        if not loads:
            raise ValueError('no LoadAnnotations in the pipeline to put '
                             f'GenerateBoundary after: {names}')
        index = loads[-1] + 1
    else:
        packs = [i for i, n in enumerate(names) if n.startswith('Pack')]
        index = packs[-1] if packs else len(transforms)
    transforms.insert(index, boundary)
    return transforms


def _seed(seed: int) -> None:
    # mmcv's random transforms draw from numpy's and Python's global states.
    random.seed(seed)
    np.random.seed(seed)


def _share(edge: np.ndarray) -> float:
    labelled = int((edge != IGNORE).sum())
    return float((edge == 1).sum()) / labelled if labelled else float('nan')


def boundary_shares(pipeline: Sequence[dict],
                    samples: Iterable[dict],
                    crops_per_sample: int = 1,
                    seed: int = 0) -> List[Dict]:
    """Share of boundary pixels per crop, boundary computed both ways.

    Each sample goes through ``pipeline`` twice per crop, with
    ``GenerateBoundary`` placed ``'full'`` and ``'crop'``
    (:func:`place_generate_boundary`) and the same random state, so both
    runs make the same resize, crop and flip (asserted: the packed labels
    are equal). The share is boundary pixels over labelled (not ignored)
    pixels of the packed ``gt_edge_map``.

    Args:
        pipeline (Sequence[dict]): A train pipeline config with one
            ``GenerateBoundary`` and a ``PackSegInputs``.
        samples (Iterable[dict]): Dataset infos (``img_path``,
            ``seg_map_path``, ``seg_fields``, ``reduce_zero_label``, ...), as
            ``BaseSegDataset.get_data_info`` returns them.
        crops_per_sample (int): Random crops per sample.
        seed (int): Seed of the first crop; each crop has its own.

    Returns:
        list[dict]: One row per crop: ``sample`` and ``repeat`` (the crop
        of that sample) indices, ``full`` and ``crop`` shares, ``shape`` (of
        the packed label).
    """
    from mmcv.transforms import Compose
    composes = {
        where: Compose(place_generate_boundary(pipeline, where))
        for where in PLACEMENTS
    }
    rows = []
    for index, sample in enumerate(samples):
        for repeat in range(crops_per_sample):
            crop_seed = seed + index * crops_per_sample + repeat
            row = dict(sample=index, repeat=repeat)
            labels = []
            for where, compose in composes.items():
                _seed(crop_seed)
                packed = compose(copy.deepcopy(sample))['data_samples']
                labels.append(packed.gt_sem_seg.data.numpy())
                row[where] = _share(packed.gt_edge_map.data[0].numpy())
            if not np.array_equal(*labels):
                raise RuntimeError(
                    'the two placements gave different crops: a transform '
                    'draws random numbers from a state other than numpy\'s '
                    'and Python\'s global ones')
            row['shape'] = tuple(labels[0].shape[-2:])
            rows.append(row)
    return rows


def train_pipeline_and_samples(
        cfg,
        data_root: Optional[str] = None,
        num_samples: Optional[int] = None) -> Tuple[List[dict], List[dict]]:
    """The train pipeline config and dataset infos of a config's first
    (leaf) training dataset.

    Args:
        cfg (mmengine.Config): A config with ``train_dataloader.dataset``.
        data_root (str, optional): Replaces the dataset's ``data_root``.
        num_samples (int, optional): Only the first ``num_samples`` infos.

    Returns:
        tuple[list[dict], list[dict]]: The pipeline (transform configs) and
        the infos, ready for :func:`boundary_shares`.
    """
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS

    from cblseg.utils import iter_dataset_cfgs
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    leaf = copy.deepcopy(next(iter_dataset_cfgs(cfg.train_dataloader.dataset)))
    pipeline = list(leaf.pop('pipeline'))
    if data_root is not None:
        leaf['data_root'] = data_root
    dataset = DATASETS.build(dict(leaf, pipeline=[]))
    count = len(dataset)
    if num_samples is not None:
        count = min(count, num_samples)
    return pipeline, [dataset.get_data_info(i) for i in range(count)]
