# Copyright (c) cblseg contributors. All rights reserved.
"""The checks and builders behind
:func:`~cblseg.evaluation.model_comparison.compare_models` (steps 1-3 of its
module docstring): model names, config and checkpoint files, the device, the
metric settings of the data config's ``test_evaluator``, the test
dataloader, and each model with its checkpoint loaded strictly. Every
function fails with a message naming the file or value and what to do.
"""
import os.path as osp
import re
import zipfile
from typing import Dict, List, Optional, Sequence

import torch

from ..utils.checkpoint import UnsafeCheckpointError
from .metrics.boundary_iou_metric import BoundaryIoUMetric

__all__ = [
    'METRIC_SETTINGS', 'METRIC_OPTIONS', 'model_names', 'metric_settings',
    'merge_metric_options'
]

#: ``BoundaryIoUMetric`` arguments taken from the data config's evaluator.
METRIC_SETTINGS = ('ignore_index', 'dilation', 'radius', 'tolerances',
                   'cbl_biou', 'nan_to_num', 'iou_metrics', 'beta',
                   'bf_protocol', 'bf_tolerance_ratios')
#: The ones that ``compare_models`` (and the tool's flags) can override.
METRIC_OPTIONS = ('iou_metrics', 'beta', 'bf_protocol', 'bf_tolerance_ratios')
# IoUMetric's arguments that BoundaryIoUMetric takes with the same meaning.
_IOU_METRIC_SETTINGS = ('ignore_index', 'nan_to_num', 'iou_metrics', 'beta')
# The F-score tolerances that belong to each protocol.
_PROTOCOL_TOLERANCES = dict(
    counts='tolerances', per_image='bf_tolerance_ratios')
_CONFIG_SUFFIXES = ('.py', '.json', '.yaml', '.yml')
# First line of mmengine's load_state_dict(strict=True) error.
_MISMATCH = 'do not match exactly'
# torch's wording of a shape mismatch, shortened to fit on one line.
_SIZE_MISMATCH = re.compile(
    r'size mismatch for (\S+): copying a param with shape '
    r'torch\.Size\((\[.*?\])\) from checkpoint, the shape in current model '
    r'is torch\.Size\((\[.*?\])\)\.?')


def model_names(configs: Sequence[str],
                names: Optional[Sequence[str]] = None) -> List[str]:
    """The names of the models: ``names``, or the config file names without
    their extension.

    Raises:
        ValueError: If ``names`` has another length than ``configs``, a name
            is empty, or two models get the same name.
    """
    if names is None:
        names = [osp.splitext(osp.basename(path))[0] for path in configs]
        hint = 'give distinct names with --names'
    else:
        names = [str(name) for name in names]
        if len(names) != len(configs):
            raise ValueError(f'{len(names)} names ({", ".join(names)}) for '
                             f'{len(configs)} models: give one name per '
                             'model')
        hint = 'give distinct names'
    for name, path in zip(names, configs):
        if not name.strip():
            raise ValueError(f'the name of the model of {path} is empty')
    seen: Dict[str, str] = {}
    for name, path in zip(names, configs):
        if name in seen:
            where = (f'both with config {path}' if seen[name] == path else
                     f'configs {seen[name]} and {path}')
            raise ValueError(
                f'two models are named {name!r} ({where}): {hint}')
        seen[name] = path
    return names


def _check_files(configs, checkpoints, names, data_config) -> None:
    for config, checkpoint, name in zip(configs, checkpoints, names):
        if not osp.isfile(config):
            raise FileNotFoundError(
                f'config {config!r} of model {name!r} does not exist')
        if not config.endswith(_CONFIG_SUFFIXES):
            raise ValueError(
                f'config {config!r} of model {name!r} is not a config file '
                f'({"/".join(_CONFIG_SUFFIXES)}): give CONFIG CHECKPOINT '
                'pairs, the config first')
        if '://' in checkpoint:
            continue  # a URL: mmengine's load_checkpoint downloads it
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(
                f'checkpoint {checkpoint!r} of model {name!r} does not '
                'exist: give the .pth file that tools/train.py wrote '
                '(e.g. work_dirs/<config>/iter_<n>.pth)')
        if not _is_torch_file(checkpoint):
            raise ValueError(
                f'checkpoint {checkpoint!r} of model {name!r} is not a '
                'PyTorch file (neither the zip archive that torch.save '
                'writes nor a pickle): give a .pth file written by '
                'tools/train.py')
    if data_config is not None and not osp.isfile(data_config):
        raise FileNotFoundError(f'data config {data_config!r} does not exist')


def _evaluator_entries(evaluator) -> list:
    if evaluator is None:
        return []
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator = evaluator['metrics']  # Evaluator(metrics=...) form
    if isinstance(evaluator, dict):
        return [evaluator]
    return [entry for entry in evaluator if isinstance(entry, dict)]


def _type_name(entry: dict) -> str:
    kind = entry.get('type', '')
    kind = getattr(kind, '__name__', kind)
    return str(kind).rsplit('.', 1)[-1]


def metric_settings(evaluator) -> Dict:
    """``BoundaryIoUMetric`` arguments from a config's ``test_evaluator``.

    Args:
        evaluator (dict | list | None): The evaluator config.

    Returns:
        dict: The keys of :data:`METRIC_SETTINGS` that the first
        ``BoundaryIoUMetric`` entry sets; without one, ``ignore_index``,
        ``nan_to_num``, ``iou_metrics`` and ``beta`` of the first
        ``IoUMetric`` entry; else empty (the metric's defaults).
    """
    entries = _evaluator_entries(evaluator)
    for kind, keys in (('BoundaryIoUMetric', METRIC_SETTINGS),
                       ('IoUMetric', _IOU_METRIC_SETTINGS)):
        for entry in entries:
            if _type_name(entry) == kind:
                return {key: entry[key] for key in keys if key in entry}
    return {}


def _load_cfg(path: str, cfg_options: Optional[Dict]):
    from cblseg.utils import adapt_cfg_to_hardware, load_config
    cfg = load_config(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = 'none'
    adapt_cfg_to_hardware(cfg)
    return cfg


def _check_device(device: str) -> torch.device:
    try:
        device = torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f'unknown device {device!r} ({err}): use cpu or '
                         'cuda') from None
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise ValueError(f'device {str(device)!r}: CUDA is not available on '
                         'this machine; use --device cpu')
    return device


def _model_classes(model) -> Optional[int]:
    num_classes = getattr(model, 'num_classes', None)
    if num_classes is None:
        head = getattr(model, 'decode_head', None)
        num_classes = getattr(head, 'num_classes', None)
    return None if num_classes is None else int(num_classes)


def _one_line(text: str, limit: int = 400) -> str:
    text = ' '.join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _build_model(cfg, config: str, checkpoint: str, name: str,
                 classes: Sequence[str], data_config: str):
    """Build a model, check its classes, load its checkpoint strictly."""
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS

    if 'model' not in cfg:
        raise ValueError(f'config {config!r} (model {name!r}) has no model')
    model = MODELS.build(cfg.model)
    num_classes = _model_classes(model)
    if num_classes is not None and num_classes != len(classes):
        raise ValueError(
            f'model {name!r} ({config}) predicts {num_classes} classes but '
            f'the test data of {data_config} has {len(classes)}: compare '
            'models trained on the classes of the same dataset, or pick the '
            'data with --data-config')
    try:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    except UnsafeCheckpointError:
        raise  # its message names the file and the refused object
    except RuntimeError as err:
        if _MISMATCH in str(err):
            raise ValueError(
                f'checkpoint {checkpoint!r} does not fit the model of '
                f'{config} (model {name!r}): {_mismatch_summary(str(err))}. '
                'Pair each checkpoint with the config it was trained with'
            ) from None
        raise _unreadable(checkpoint, name, err) from None
    except Exception as err:
        # torch.load fails on a file that is not a checkpoint with whatever
        # its unpickler meets (a text file gives a KeyError).
        raise _unreadable(checkpoint, name, err) from None
    model.eval()
    return model


def _is_torch_file(path: str) -> bool:
    """Whether ``path`` starts like what ``torch.save`` writes.

    Checked first because torch's unpickler reports other files with
    misleading errors (a KeyError, or a refused global for a text file).
    """
    with open(path, 'rb') as file:
        head = file.read(2)
    return zipfile.is_zipfile(path) or (len(head) == 2 and head[0] == 0x80)


def _unreadable(checkpoint: str, name: str, err: Exception) -> ValueError:
    return ValueError(
        f'cannot read checkpoint {checkpoint!r} of model {name!r} '
        f'({type(err).__name__}: {_one_line(str(err), 200)}): give a .pth '
        'file written by tools/train.py')


def _mismatch_summary(message: str, max_lines: int = 4) -> str:
    """mmengine's multi-line key/shape mismatch report in one line: the
    unexpected and missing key lists first (one line each, cut to 160
    characters: a missing head lists hundreds of keys), then the shape
    mismatches (one line each)."""
    lines = [
        _SIZE_MISMATCH.sub(r'\1 is \2 in the checkpoint, \3 in the model',
                           line.strip()) for line in message.splitlines()
        if line.strip() and _MISMATCH not in line
    ]
    lines.sort(key=lambda line: not line.startswith(
        ('unexpected key', 'missing keys')))
    parts = [_one_line(line, 160) for line in lines[:max_lines]]
    if len(lines) > max_lines:
        parts.append(f'and {len(lines) - max_lines} more')
    return '; '.join(parts)


def merge_metric_options(settings: Dict, options: Dict) -> Dict:
    """The evaluator's settings with the given options on top.

    Args:
        settings (dict): From :func:`metric_settings`.
        options (dict): Keys of :data:`METRIC_OPTIONS`; None values are
            left out (the evaluator's value, else the metric's default).

    Returns:
        dict: The merged settings. An option that switches ``bf_protocol``
        drops the evaluator's tolerances of the other protocol (pixel
        ``tolerances`` belong to ``'counts'``, ``bf_tolerance_ratios`` to
        ``'per_image'``): they are of no use to the protocol asked for,
        and the metric would refuse them.

    Raises:
        ValueError: For a key that is not an option.
    """
    unknown = sorted(set(options) - set(METRIC_OPTIONS))
    if unknown:
        raise ValueError(f'unknown metric options {unknown}; the options are '
                         f'{list(METRIC_OPTIONS)}')
    given = {key: value for key, value in options.items() if value is not None}
    merged = dict(settings)
    protocol = given.get('bf_protocol')
    if protocol in _PROTOCOL_TOLERANCES and protocol != settings.get(
            'bf_protocol', 'counts'):
        for other, key in _PROTOCOL_TOLERANCES.items():
            if other != protocol:
                merged.pop(key, None)
    merged.update(given)
    return merged


def _build_metric(settings: Dict, data_config: str) -> BoundaryIoUMetric:
    try:
        # The prefix is never applied (evaluate() is not called); setting it
        # keeps BaseMetric from warning about it once per model.
        return BoundaryIoUMetric(**settings, prefix='test')
    except (TypeError, ValueError) as err:
        raise ValueError(
            f'metric settings (test_evaluator of {data_config}, then the '
            f'metric options given): {err}; fix them or pick another data '
            'config with --data-config') from None


def _build_dataloader(cfg, data_config: str):
    from mmengine.runner import Runner

    from cblseg.utils import check_data_roots

    loader = cfg.get('test_dataloader')
    if not loader or not loader.get('dataset'):
        raise ValueError(f'data config {data_config} has no test_dataloader '
                         'with a dataset: pick another one with '
                         '--data-config')
    try:
        check_data_roots(cfg, ('test', ))
    except FileNotFoundError as err:
        raise FileNotFoundError(f'data config {data_config}: {err}') from None
    try:
        dataloader = Runner.build_dataloader(loader)
    except (KeyError, TypeError, ValueError) as err:
        # registry and argument errors say what is wrong, not where
        raise ValueError(f'cannot build the test_dataloader of {data_config}'
                         f': {_one_line(str(err))}') from None
    if len(dataloader.dataset) == 0:
        raise ValueError(f'the test dataset of {data_config} is empty')
    return dataloader
