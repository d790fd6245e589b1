# Copyright (c) cblseg contributors. All rights reserved.
"""Scan every image / label pair of a config's datasets for what would stop
or silently spoil a run (``tools/check_dataset.py``).

Each pair goes through the config's own loading transforms
(``LoadImageFromFile`` and the label loader, ``LoadCheckedAnnotations`` or
MMSeg's ``LoadAnnotations``, with their arguments; none of the random
augmentations), and is reported when:

- ``missing_label``: the image has no label file;
- ``missing_image``: the listed image file does not exist;
- ``unreadable_image`` / ``unreadable_label``: the file cannot be read or
  decoded (truncated, not an image);
- ``size_mismatch``: image and label differ in height or width;
- ``bad_values``: the label (after ``label_map`` and ``reduce_zero_label``)
  has values that are neither a class in ``[0, K)`` nor the ignore index,
  with their pixel counts;
- ``config``: the label loader's ``num_classes`` differs from the dataset's
  classes (:func:`cblseg.datasets.label_loading.label_loader_problems`).

``K`` and the ignore index are ``LoadCheckedAnnotations``'s when the
pipeline has one, else the dataset's number of classes and its
``ignore_index`` (255).
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence

from cblseg.datasets.label_loading import (CHECKED_LOADER, dataset_classes,
                                           iter_transform_cfgs,
                                           label_loader_problems)
from cblseg.datasets.label_values import bad_label_values, describe_bad_values
from cblseg.utils import iter_dataset_cfgs, single_opencv_thread_for_fork

__all__ = ['PROBLEM_KINDS', 'check_dataset', 'format_check_report']

PROBLEM_KINDS = ('config', 'missing_image', 'missing_label',
                 'unreadable_image', 'unreadable_label', 'size_mismatch',
                 'bad_values')
_IMAGE_LOADERS = ('LoadImageFromFile', )
_LABEL_LOADERS = ('LoadAnnotations', CHECKED_LOADER)

# Set in each worker by _init_worker: (image loader, label loader) per
# dataset index.
_LOADERS: Dict[int, tuple] = {}


def _loader_cfgs(leaf: dict, num_classes: int, ignore_index: int) -> tuple:
    """The leaf pipeline's image loader and a ``LoadCheckedAnnotations``
    with its label loader's arguments (``num_classes`` and
    ``ignore_index``: the loader's if it has them, else the dataset's)."""
    image_cfg = dict(type='LoadImageFromFile')
    label_cfg = dict(type=CHECKED_LOADER)
    for transform in iter_transform_cfgs(leaf.get('pipeline')):
        kind = transform.get('type')
        if kind in _IMAGE_LOADERS:
            image_cfg = copy.deepcopy(dict(transform))
        elif kind in _LABEL_LOADERS:
            label_cfg = dict(
                copy.deepcopy(dict(transform)), type=CHECKED_LOADER)
    label_cfg.setdefault('num_classes', num_classes)
    label_cfg.setdefault('ignore_index', ignore_index)
    return (image_cfg, label_cfg, label_cfg['num_classes'],
            label_cfg['ignore_index'])


def _init_worker(loader_cfgs: List[tuple]) -> None:
    from mmengine.registry import init_default_scope
    from mmseg.registry import TRANSFORMS

    # registers LoadCheckedAnnotations (not `import cblseg`: the package
    # imports this module)
    import cblseg.datasets.transforms  # noqa: F401
    init_default_scope('mmseg')
    _LOADERS.clear()
    for index, (image_cfg, label_cfg, _, _) in enumerate(loader_cfgs):
        _LOADERS[index] = (TRANSFORMS.build(image_cfg),
                           TRANSFORMS.build(label_cfg))


def _cause(err: BaseException) -> str:
    return f'{type(err).__name__}: {err}'


def _check_pair(task: tuple) -> List[dict]:
    """The problems of one image / label pair (an empty list if none)."""
    dataset_index, info, num_classes, ignore_index = task
    image_loader, label_loader = _LOADERS[dataset_index]
    img_path, seg_path = info.get('img_path'), info.get('seg_map_path')
    problems = []

    def report(kind, detail, **extra):
        problems.append(
            dict(
                kind=kind,
                img_path=img_path,
                seg_map_path=seg_path,
                detail=detail,
                **extra))

    image_shape = None
    if not osp.isfile(img_path):
        report('missing_image', 'no such file')
    else:
        try:
            results = image_loader(copy.deepcopy(info))
            image_shape = tuple(results['img'].shape[:2])
        except Exception as err:  # any decoder's error is the file's
            report('unreadable_image', _cause(err))
    if not seg_path or not osp.isfile(seg_path):
        report('missing_label', 'no label file for this image')
        return problems
    try:
        # values are checked below, so that each file gets one report
        label = label_loader.read_label(copy.deepcopy(info))
    except OSError as err:
        report('unreadable_label',
               _cause(err.__cause__) if err.__cause__ else str(err))
        return problems
    except ValueError as err:  # not a 2D integer map, or wider than uint8
        report('bad_values', str(err))
        return problems
    label_shape = tuple(label.shape[:2])
    if image_shape is not None and image_shape != label_shape:
        report(
            'size_mismatch', f'image {image_shape[0]}x{image_shape[1]}, label '
            f'{label_shape[0]}x{label_shape[1]} (H x W)')
    bad = bad_label_values(label, num_classes, ignore_index)
    if bad:
        report(
            'bad_values',
            f'outside [0, {num_classes - 1}] and {ignore_index}: '
            f'{describe_bad_values(bad)}',
            values={
                str(v): c
                for v, c in bad.items()
            })
    return problems


def _unique_leaves(cfg, splits):
    """(split names, leaf dataset config) for each distinct leaf dataset
    (val and test often share one)."""
    leaves = []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader or not loader.get('dataset'):
            continue
        for leaf in iter_dataset_cfgs(loader['dataset']):
            key = {
                k: v
                for k, v in leaf.items() if k not in ('pipeline', 'test_mode')
            }
            for names, other_key, _ in leaves:
                if other_key == key:
                    names.append(split)
                    break
            else:
                leaves.append(([split], key, leaf))
    return [(names, leaf) for names, _, leaf in leaves]


def check_dataset(cfg,
                  splits: Sequence[str] = ('train', 'val', 'test'),
                  nproc: int = 1,
                  progress: bool = True) -> dict:
    """Check every image / label pair of a config's dataloaders.

    Args:
        cfg (mmengine.Config): The config (``custom_imports`` done).
        splits (Sequence[str]): Dataloaders to scan.
        nproc (int): Worker processes (1: in this process).
        progress (bool): Show mmengine's progress bar (with ``nproc`` 1;
            the parallel run always shows it).

    Returns:
        dict: ``ok`` (no problem), ``datasets`` (per distinct dataset: the
        splits using it, ``data_root``, ``num_pairs``, ``num_classes``,
        ``ignore_index``), ``num_pairs``, ``problems`` (dicts with
        ``kind``, ``split``, ``img_path``, ``seg_map_path``, ``detail`` and,
        for ``bad_values``, ``values``: {value: pixel count}) and
        ``counts`` (problems per kind).
    """
    import mmengine
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS
    if int(nproc) != nproc or nproc < 1:
        raise ValueError(f'nproc must be an integer >= 1, got {nproc!r}')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    problems = [
        dict(
            kind='config',
            split=None,
            img_path=None,
            seg_map_path=None,
            detail=sentence)
        for sentence in label_loader_problems(cfg, splits)
    ]
    datasets, loader_cfgs, tasks, task_splits = [], [], [], []
    for index, (names, leaf) in enumerate(_unique_leaves(cfg, splits)):
        dataset = DATASETS.build(dict(copy.deepcopy(leaf), pipeline=[]))
        classes = dataset_classes(leaf) or dataset.metainfo['classes']
        loaders = _loader_cfgs(leaf, len(classes),
                               getattr(dataset, 'ignore_index', 255))
        loader_cfgs.append(loaders)
        num_classes, ignore_index = loaders[2], loaders[3]
        datasets.append(
            dict(
                splits=names,
                type=leaf.get('type'),
                data_root=leaf.get('data_root'),
                num_pairs=len(dataset),
                num_classes=num_classes,
                ignore_index=ignore_index))
        for i in range(len(dataset)):
            tasks.append(
                (index, dataset.get_data_info(i), num_classes, ignore_index))
            task_splits.append('/'.join(names))
    if not tasks:
        results = []
    elif nproc == 1:
        _init_worker(loader_cfgs)
        results = (
            mmengine.track_progress(_check_pair, tasks)
            if progress else [_check_pair(t) for t in tasks])
    else:
        # OpenCV's thread count is set before the fork, not in the workers.
        with single_opencv_thread_for_fork():
            results = mmengine.track_parallel_progress(
                _check_pair,
                tasks,
                nproc,
                initializer=_init_worker,
                initargs=(loader_cfgs, ),
                keep_order=True)
    for split, found in zip(task_splits, results):
        for problem in found:
            problems.append(dict(problem, split=split))
    counts = {kind: 0 for kind in PROBLEM_KINDS}
    for problem in problems:
        counts[problem['kind']] += 1
    return dict(
        ok=not problems,
        splits=list(splits),
        datasets=datasets,
        num_pairs=len(tasks),
        problems=problems,
        counts=counts)


def format_check_report(report: dict, max_rows: Optional[int] = 50) -> str:
    """The report as text: datasets, a table of problems, counts."""
    lines = []
    for d in report['datasets']:
        lines.append(f'{"/".join(d["splits"])}: {d["type"]} at '
                     f'{d["data_root"]}: {d["num_pairs"]} images, '
                     f'{d["num_classes"]} classes, ignore '
                     f'{d["ignore_index"]}')
    problems = report['problems']
    if problems:
        rows = [('kind', 'split', 'file', 'detail')]
        for p in problems[:max_rows]:
            path = p['seg_map_path'] if p['kind'] in (
                'missing_label', 'unreadable_label',
                'bad_values') else p['img_path']
            rows.append((p['kind'], p['split'] or '-', path
                         or '-', p['detail']))
        widths = [max(len(str(r[i])) for r in rows) for i in range(3)]
        lines.append('')
        for i, row in enumerate(rows):
            lines.append('  '.join(
                str(cell).ljust(widths[j]) if j < 3 else str(cell)
                for j, cell in enumerate(row)).rstrip())
            if i == 0:
                lines.append('  '.join('-' * w for w in widths) + '  ------')
        if max_rows is not None and len(problems) > max_rows:
            lines.append(f'... and {len(problems) - max_rows} more (all in '
                         'the JSON report)')
    lines.append('')
    found = ', '.join(f'{kind} {n}' for kind, n in report['counts'].items()
                      if n)
    lines.append(f'{report["num_pairs"]} image/label pairs checked: ' +
                 ('no problems found'
                  if report['ok'] else f'{len(problems)} problems ({found})'))
    return '\n'.join(lines)
