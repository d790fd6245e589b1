# Copyright (c) cblseg contributors. All rights reserved.
"""The label loaders of a config's datasets, and whether their class count
matches the dataset's classes.

``LoadCheckedAnnotations(num_classes=K)`` takes ``K`` from the config; the
dataset knows its classes from its metainfo (``METAINFO['classes']`` of its
type, or ``metainfo=dict(classes=...)`` in the config). The two disagree
when a config changes the classes but not ``K`` (or the reverse): values
would be refused that are classes, or let through that are not.
:func:`check_label_loaders` compares them from the config alone (no file
is read), before the Runner is built.
"""
from typing import Iterator, List, Optional, Sequence, Tuple

from cblseg.utils import iter_dataset_cfgs

__all__ = [
    'CHECKED_LOADER', 'iter_transform_cfgs', 'dataset_classes',
    'label_loader_problems', 'check_label_loaders'
]

CHECKED_LOADER = 'LoadCheckedAnnotations'


def iter_transform_cfgs(pipeline) -> Iterator[dict]:
    """Every transform config of a pipeline, looking into wrappers such as
    ``TestTimeAug`` (``transforms``: a list of lists)."""
    for transform in pipeline or []:
        if isinstance(transform, (list, tuple)):
            yield from iter_transform_cfgs(transform)
        elif isinstance(transform, dict):
            yield transform
            yield from iter_transform_cfgs(transform.get('transforms'))


def dataset_classes(dataset_cfg: dict) -> Optional[Tuple[str, ...]]:
    """The classes of a leaf dataset config: its ``metainfo['classes']``,
    else its registered type's ``METAINFO['classes']``; None if unknown."""
    metainfo = dataset_cfg.get('metainfo') or {}
    if metainfo.get('classes') is not None:
        return tuple(metainfo['classes'])
    from mmseg.registry import DATASETS
    kind = dataset_cfg.get('type')
    cls = DATASETS.get(kind) if isinstance(kind, str) else kind
    classes = getattr(cls, 'METAINFO', {}).get('classes')
    return tuple(classes) if classes is not None else None


def label_loader_problems(cfg, splits: Sequence[str]) -> List[str]:
    """Where a ``LoadCheckedAnnotations``'s ``num_classes`` differs from
    its dataset's number of classes.

    Args:
        cfg (mmengine.Config): The config.
        splits (Sequence[str]): ``'train'``, ``'val'``, ``'test'``: the
            ``{split}_dataloader`` entries to look at (absent ones are
            skipped).

    Returns:
        list[str]: One sentence per mismatch; empty when all agree.
    """
    problems = []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader or not loader.get('dataset'):
            continue
        for leaf in iter_dataset_cfgs(loader['dataset']):
            classes = dataset_classes(leaf)
            if classes is None:
                continue
            for transform in iter_transform_cfgs(leaf.get('pipeline')):
                if transform.get('type') != CHECKED_LOADER:
                    continue
                num_classes = transform.get('num_classes')
                if num_classes != len(classes):
                    problems.append(
                        f'{split}_dataloader: {CHECKED_LOADER}(num_classes='
                        f'{num_classes}) but the dataset '
                        f'({leaf.get("type")}) has {len(classes)} classes '
                        f'{list(classes)[:4]}{"..." * (len(classes) > 4)}; '
                        'set num_classes to the number of classes')
    return problems


def check_label_loaders(cfg, splits: Sequence[str]) -> None:
    """Raise ``ValueError`` listing every :func:`label_loader_problems`."""
    problems = label_loader_problems(cfg, splits)
    if problems:
        raise ValueError('the label check does not match the dataset:\n  ' +
                         '\n  '.join(problems))
