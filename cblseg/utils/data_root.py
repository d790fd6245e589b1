"""Checking that the datasets a config reads exist before anything is built.

Without this, a missing dataset shows up as a bare ``FileNotFoundError`` from
deep inside the dataset, or as an empty dataset and a sampler error.
"""
import os.path as osp
from typing import Dict, Iterator, List, Tuple

from mmengine.config import Config

__all__ = ['DATA_HINT', 'iter_dataset_cfgs', 'check_data_roots']

DATA_HINT = (
    'For the embedded synthetic data run `make data` (or `python '
    'tools/dataset_converters/generate_synthetic_data.py --out-dir '
    'data/synthetic`); for real Cityscapes, Pascal VOC, ADE20K or Pascal '
    'Context download them and convert the labels as described in '
    'docs/datasets.md, or point the '
    "config at them with --cfg-options "
    "train_dataloader.dataset.data_root=/path/to/data (same for val/test).")


def iter_dataset_cfgs(dataset_cfg: Dict) -> Iterator[Dict]:
    """Yield the leaf dataset configs, looking through dataset wrappers."""
    if not isinstance(dataset_cfg, dict):
        return
    if 'datasets' in dataset_cfg:  # ConcatDataset
        for sub in dataset_cfg['datasets']:
            yield from iter_dataset_cfgs(sub)
    elif 'dataset' in dataset_cfg:  # RepeatDataset, MultiImageMixDataset
        yield from iter_dataset_cfgs(dataset_cfg['dataset'])
    else:
        yield dataset_cfg


def _expected_paths(dataset_cfg: Dict) -> List[Tuple[str, str]]:
    data_root = dataset_cfg.get('data_root') or ''
    paths = []
    prefix = dataset_cfg.get('data_prefix') or {}
    for key in ('img_path', 'seg_map_path'):
        if prefix.get(key):
            paths.append((key, osp.join(data_root, prefix[key])))
    ann_file = dataset_cfg.get('ann_file')
    if ann_file:
        paths.append(('ann_file', osp.join(data_root, ann_file)))
    if not paths and data_root:
        paths.append(('data_root', data_root))
    return paths


def check_data_roots(cfg: Config, splits=('train', 'val', 'test')) -> None:
    """Raise a clear error when a dataset folder or file does not exist.

    Args:
        cfg (Config): The full config.
        splits (Sequence[str]): Which ``{split}_dataloader`` to check.

    Raises:
        FileNotFoundError: Naming the split, the expected path and how to
            generate or convert the data.
    """
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not loader or not loader.get('dataset'):
            continue
        for dataset_cfg in iter_dataset_cfgs(loader['dataset']):
            for key, path in _expected_paths(dataset_cfg):
                if not osp.exists(path):
                    raise FileNotFoundError(
                        f'{split}_dataloader: {key} {path!r} does not exist '
                        f"(data_root={dataset_cfg.get('data_root')!r}, "
                        f"dataset type {dataset_cfg.get('type')!r}). "
                        f'{DATA_HINT}')
