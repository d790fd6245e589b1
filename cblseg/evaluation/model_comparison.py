# Copyright (c) cblseg contributors. All rights reserved.
"""Side-by-side evaluation of several trained models on the same data
(``tools/analysis/compare_models.py``; usage and an example:
``docs/compare_models.md``).

What :func:`compare_models` does:

1. Checks that every config and checkpoint file exists (a checkpoint must
   start like what ``torch.save`` writes) and that the model names (given,
   or the config file names without extension) are unique.
2. Loads every config (``cfg_options`` merged into each, then
   :func:`~cblseg.utils.adapt_cfg_to_hardware`: SyncBN becomes BN without
   CUDA) and builds **one** test dataloader from the ``test_dataloader`` of
   the data config: the first model's config unless ``data_config`` is
   given.
3. Builds each model, checks that it predicts as many classes as the
   dataset has, and loads its checkpoint with mmengine's
   ``load_checkpoint`` (cblseg's safe loader) **strictly**: a key missing
   from the checkpoint, an unexpected key or a shape that differs is an
   error naming the checkpoint and the config. Steps 1-3 finish before any
   image is evaluated, so a bad pair fails fast.
4. Runs MMSeg's ``model.test_step`` of every model over the shared
   dataloader in eval mode, one model at a time on ``device``: every model
   sees exactly the same images through the same pipeline.
5. Scores each model with its own ``BoundaryIoUMetric`` built with the
   same settings, taken from the data config's ``test_evaluator``: all of
   ``ignore_index``, ``dilation``, ``radius``, ``tolerances``, ``cbl_biou``
   and ``nan_to_num`` that it sets (from its ``BoundaryIoUMetric`` entry,
   else ``ignore_index`` and ``nan_to_num`` of an ``IoUMetric`` entry, else
   the defaults). The summary and per-class values come from the metric's
   own ``summarize_results`` (what its ``compute_metrics`` reports), i.e.
   exactly what ``tools/test.py`` with that evaluator reports.
6. Keeps the predictions of the first ``num_pictures`` images of the
   dataset (by dataset index, matched by image path; at the original image
   size, as scored) and reads their images and ground truth with
   :func:`~cblseg.visualization.boundary_grid.load_dataset_sample`.

:func:`format_markdown`, :func:`write_json` and
:func:`save_comparison_pictures` turn the :class:`ComparisonResult` into the
tool's ``comparison.md``, ``comparison.json`` and ``pictures/*.png``.
"""
import json
import os
import os.path as osp
import re
import sys
import time
import zipfile
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ..ops.boundary import resolve_radius
from ..utils.arguments import check_int
from ..utils.checkpoint import UnsafeCheckpointError
from .functional.boundary_counts import count_row_names
from .metrics.boundary_iou_metric import (BoundaryIoUMetric, json_float,
                                          per_class_dict)

__all__ = [
    'TABLE_KEYS', 'METRIC_SETTINGS', 'ModelResult', 'ComparisonResult',
    'model_names', 'metric_settings', 'compare_models', 'table_keys',
    'format_markdown', 'comparison_dict', 'write_json',
    'save_comparison_pictures'
]

#: Summary keys in the Markdown table, in this order; ``mBF@<t>px`` stands
#: for one column per tolerance of the metric. The JSON has every key.
TABLE_KEYS = ('aAcc', 'microIoU', 'mIoU', 'fwIoU', 'mBIoU', 'mBF@<t>px')
#: ``BoundaryIoUMetric`` arguments taken from the data config's evaluator.
METRIC_SETTINGS = ('ignore_index', 'dilation', 'radius', 'tolerances',
                   'cbl_biou', 'nan_to_num')
_IOU_METRIC_SETTINGS = ('ignore_index', 'nan_to_num')
_CONFIG_SUFFIXES = ('.py', '.json', '.yaml', '.yml')
# First line of mmengine's load_state_dict(strict=True) error.
_MISMATCH = 'do not match exactly'
# torch's wording of a shape mismatch, shortened to fit on one line.
_SIZE_MISMATCH = re.compile(
    r'size mismatch for (\S+): copying a param with shape '
    r'torch\.Size\((\[.*?\])\) from checkpoint, the shape in current model '
    r'is torch\.Size\((\[.*?\])\)\.?')


@dataclass
class ModelResult:
    """The scores of one model.

    Attributes:
        name (str): Model name (column title, table row).
        config (str): Config file.
        checkpoint (str): Checkpoint file.
        summary (dict): ``BoundaryIoUMetric``'s summary (percent, 2
            decimals).
        per_class (dict): Per-class arrays of fractions (``IoU``, ``Acc``,
            ``BIoU``, ``BF@<t>px``, ``BP@<t>px``, ``BR@<t>px``), NaN where
            undefined.
        counts (np.ndarray): The summed ``R x K`` count matrix.
        seconds (float): Inference and scoring time.
    """
    name: str
    config: str
    checkpoint: str
    summary: Dict[str, float]
    per_class: Dict[str, np.ndarray]
    counts: np.ndarray
    seconds: float


@dataclass
class ComparisonResult:
    """Everything the comparison found.

    Attributes:
        models (list[ModelResult]): In the order given.
        classes (list[str]): The dataset's class names.
        palette (list): The dataset's RGB palette.
        data_config (str): Config whose ``test_dataloader`` was used.
        num_images (int): Images evaluated.
        settings (dict): The metric settings (``METRIC_SETTINGS``) and the
            device.
        samples (list[dict]): Per picture sample: ``index``, ``img_path``,
            ``stem``, ``image`` (RGB), ``gt``, ``radius`` (the metric's band
            radius at the image size) and ``predictions`` (one per model).
        picture_paths (list[str]): Filled in by
            :func:`save_comparison_pictures`.
    """
    models: List[ModelResult]
    classes: List[str]
    palette: List
    data_config: str
    num_images: int
    settings: Dict
    samples: List[Dict] = field(default_factory=list)
    picture_paths: List[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------
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
        ``BoundaryIoUMetric`` entry sets; without one, ``ignore_index`` and
        ``nan_to_num`` of the first ``IoUMetric`` entry; else empty (the
        metric's defaults).
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


def _build_metric(settings: Dict, data_config: str) -> BoundaryIoUMetric:
    try:
        # The prefix is never applied (evaluate() is not called); setting it
        # keeps BaseMetric from warning about it once per model.
        return BoundaryIoUMetric(**settings, prefix='test')
    except (TypeError, ValueError) as err:
        raise ValueError(
            f'test_evaluator of {data_config}: {err}; fix it or pick another '
            'data config with --data-config') from None


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


# --------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------
def _label_array(data) -> np.ndarray:
    """``1 x H x W`` label tensor -> ``H x W`` numpy (uint8 if it fits)."""
    array = data.squeeze(0).cpu().numpy()
    if array.size and 0 <= array.min() and array.max() <= 255:
        return array.astype(np.uint8)
    return array.astype(np.int64)


def _evaluate(model, dataloader, metric: BoundaryIoUMetric, device,
              wanted: Dict[str, int], progress: bool):
    """Run one model over the dataloader; return its predictions of the
    ``wanted`` image paths (path -> dataset index)."""
    kept = {}
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(dataloader.dataset), file=sys.stderr)
    model.to(device)
    try:
        with torch.no_grad():
            for data_batch in dataloader:
                outputs = model.test_step(data_batch)
                metric.process(data_batch,
                               [sample.to_dict() for sample in outputs])
                for sample in outputs:
                    path = sample.metainfo.get('img_path')
                    if path in wanted and path not in kept:
                        kept[path] = _label_array(sample.pred_sem_seg.data)
                if bar is not None:
                    for _ in outputs:
                        bar.update()
    finally:
        model.to('cpu')
        if bar is not None:
            sys.stderr.write('\n')
    return kept


def _picture_samples(dataset, wanted: Dict[str, int], kept: List[Dict],
                     metric: BoundaryIoUMetric) -> List[Dict]:
    """Image, ground truth, band radius and every model's prediction of the
    ``wanted`` images (path -> dataset index), in dataset order."""
    from cblseg.visualization.boundary_grid import load_dataset_sample

    samples = []
    for path, index in sorted(wanted.items(), key=lambda item: item[1]):
        if any(path not in model_kept for model_kept in kept):
            continue  # a sampler that skipped the image: nothing to show
        sample = load_dataset_sample(dataset, index)
        predictions = [model_kept[path] for model_kept in kept]
        if predictions[0].shape != sample['label'].shape:
            raise ValueError(
                f"{path}: the predictions are {predictions[0].shape}, the "
                f"ground truth {sample['label'].shape}")
        samples.append(
            dict(
                index=index,
                img_path=path,
                stem=sample['stem'],
                image=sample['image'],
                gt=sample['label'],
                radius=resolve_radius(
                    *sample['label'].shape,
                    dilation=metric.dilation,
                    radius=metric.radius),
                predictions=predictions))
    return samples


def compare_models(configs: Sequence[str],
                   checkpoints: Sequence[str],
                   names: Optional[Sequence[str]] = None,
                   data_config: Optional[str] = None,
                   cfg_options: Optional[Dict] = None,
                   device: str = 'cpu',
                   num_pictures: int = 4,
                   progress: bool = True) -> ComparisonResult:
    """Evaluate several models on the same test data (see the module
    docstring for the steps and checks).

    Args:
        configs (Sequence[str]): Config file of each model.
        checkpoints (Sequence[str]): Checkpoint file of each model.
        names (Sequence[str], optional): Model names; default: the config
            file names without extension.
        data_config (str, optional): Config whose ``test_dataloader`` and
            ``test_evaluator`` are used; default: ``configs[0]``.
        cfg_options (dict, optional): Overrides merged into every config
            (the models' and the data config).
        device (str): ``'cpu'`` or ``'cuda'`` (``'cuda:1'``...).
        num_pictures (int): Keep predictions of the first this many images
            for :func:`save_comparison_pictures` (0 for none).
        progress (bool): Progress bars on stderr.

    Returns:
        ComparisonResult: Scores and picture samples.

    Raises:
        FileNotFoundError: A config, checkpoint or dataset is missing.
        ValueError: Bad names, a checkpoint that does not fit its model, a
            model with another number of classes than the dataset, a bad
            device.
    """
    from mmengine.registry import init_default_scope

    configs, checkpoints = list(configs), list(checkpoints)
    if not configs:
        raise ValueError('give at least one CONFIG CHECKPOINT pair')
    if len(configs) != len(checkpoints):
        raise ValueError(f'{len(configs)} configs but {len(checkpoints)} '
                         'checkpoints: give CONFIG CHECKPOINT pairs')
    num_pictures = check_int('num_pictures', num_pictures, 0)
    names = model_names(configs, names)
    _check_files(configs, checkpoints, names, data_config)
    device = _check_device(device)

    cfgs = [_load_cfg(path, cfg_options) for path in configs]
    data_path = configs[0] if data_config is None else data_config
    data_cfg = cfgs[0] if data_config is None else _load_cfg(
        data_config, cfg_options)
    init_default_scope(data_cfg.get('default_scope', 'mmseg'))
    dataloader = _build_dataloader(data_cfg, data_path)
    dataset = dataloader.dataset
    classes = [str(name) for name in dataset.metainfo['classes']]
    palette = [list(color) for color in dataset.metainfo['palette']]
    settings = metric_settings(data_cfg.get('test_evaluator'))
    probe = _build_metric(settings, data_path)

    models = []
    for cfg, config, checkpoint, name in zip(cfgs, configs, checkpoints,
                                             names):
        models.append(
            _build_model(cfg, config, checkpoint, name, classes, data_path))

    num_pictures = min(num_pictures, len(dataset))
    wanted = {}
    for index in range(num_pictures):
        wanted.setdefault(dataset.get_data_info(index)['img_path'], index)
    results, kept = [], []
    for model, config, checkpoint, name in zip(models, configs, checkpoints,
                                               names):
        if progress:
            print(
                f'evaluating {name} on {len(dataset)} images', file=sys.stderr)
        start = time.perf_counter()
        metric = _build_metric(settings, data_path)
        metric.dataset_meta = dataset.metainfo
        kept.append(
            _evaluate(model, dataloader, metric, device, wanted, progress))
        summary, per_class, counts = metric.summarize_results(
            metric.results, len(classes))
        results.append(
            ModelResult(name, config, checkpoint, summary, per_class, counts,
                        round(time.perf_counter() - start, 3)))

    samples = _picture_samples(dataset, wanted, kept, probe)
    full_settings = OrderedDict(
        ignore_index=probe.ignore_index,
        dilation=probe.dilation,
        radius=probe.radius,
        tolerances=list(probe.tolerances),
        cbl_biou=probe.cbl_biou,
        nan_to_num=probe.nan_to_num,
        device=str(device))
    return ComparisonResult(
        models=results,
        classes=classes,
        palette=palette,
        data_config=data_path,
        num_images=len(dataset),
        settings=full_settings,
        samples=samples)


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def table_keys(result: ComparisonResult) -> List[str]:
    """The summary keys of the Markdown table (:data:`TABLE_KEYS` with one
    ``mBF@<t>px`` per tolerance), in order."""
    keys = []
    for key in TABLE_KEYS:
        if key == 'mBF@<t>px':
            keys += [f'mBF@{t}px' for t in result.settings['tolerances']]
        else:
            keys.append(key)
    return keys


def _format_value(value: float) -> str:
    return 'n/a' if value is None or value != value else f'{value:.2f}'


def _markdown_cell(text: str) -> str:
    return str(text).replace('|', '\\|')


def _band_description(settings: Dict) -> str:
    if settings['radius'] is not None:
        return f"{settings['radius']} px"
    dilation = 0.02 if settings['dilation'] is None else settings['dilation']
    return f'{dilation} of the image diagonal'


def format_markdown(result: ComparisonResult,
                    base_dir: Optional[str] = None) -> str:
    """``comparison.md``: a description, the table (one row per model,
    values in percent, the best of each column in bold when there are
    several models), the files of each model and the pictures.

    Args:
        result (ComparisonResult): What :func:`compare_models` returned.
        base_dir (str, optional): Folder the Markdown file goes to: the
            pictures are then embedded as images with paths relative to it
            (so the file shows them in a Markdown viewer); without it they
            are listed as paths.

    Returns:
        str: The Markdown text.
    """
    keys = table_keys(result)
    settings = result.settings
    tolerances = ', '.join(str(t) for t in settings['tolerances']) or 'none'
    lines = [
        '# Model comparison', '',
        f'{result.num_images} images of the test data of '
        f'`{result.data_config}`. Values in percent (docs/metrics.md); '
        f'boundary band radius {_band_description(settings)}, boundary '
        f'F-score tolerances {tolerances} px, ignore index '
        f"{settings['ignore_index']}.", ''
    ]
    best = {}
    if len(result.models) > 1:
        for key in keys:
            values = [
                model.summary.get(key) for model in result.models
                if model.summary.get(key) == model.summary.get(key)
                and model.summary.get(key) is not None
            ]
            if values:
                best[key] = max(values)
    lines.append('| model | ' + ' | '.join(keys) + ' |')
    lines.append('| --- |' + ' ---: |' * len(keys))
    for model in result.models:
        cells = []
        for key in keys:
            value = model.summary.get(key)
            text = _format_value(value)
            if key in best and value == best[key]:
                text = f'**{text}**'
            cells.append(text)
        lines.append(f'| {_markdown_cell(model.name)} | ' + ' | '.join(cells) +
                     ' |')
    lines += ['', 'Models:', '']
    for model in result.models:
        lines.append(f'- {_markdown_cell(model.name)}: config '
                     f'`{model.config}`, checkpoint `{model.checkpoint}`')
    if result.picture_paths:
        lines += [
            '', 'Pictures (image | ground truth | each model; cyan: '
            'prediction wrong in the ground-truth boundary band):', ''
        ]
        for path in result.picture_paths:
            if base_dir is None:
                lines.append(f'- `{path}`')
            else:
                relative = osp.relpath(path, base_dir).replace(os.sep, '/')
                stem = osp.splitext(osp.basename(path))[0]
                lines += [f'![{stem}]({relative})', '']
    return '\n'.join(lines).rstrip('\n') + '\n'


def comparison_dict(result: ComparisonResult) -> 'OrderedDict':
    """The JSON content: settings, data, table keys and per model its files,
    full summary (percent), per-class values (fractions, as
    ``tools/eval_boundary.py``'s report) and summed counts."""
    models = []
    for model in result.models:
        models.append(
            OrderedDict(
                name=model.name,
                config=model.config,
                checkpoint=model.checkpoint,
                summary=OrderedDict((key, json_float(value))
                                    for key, value in model.summary.items()),
                per_class=per_class_dict(model.per_class, result.classes),
                counts=OrderedDict(
                    (row, values.tolist()) for row, values in zip(
                        count_row_names(result.settings['tolerances']),
                        model.counts)),
                seconds=model.seconds))
    return OrderedDict(
        table_keys=table_keys(result),
        data=OrderedDict(
            config=result.data_config,
            split='test',
            num_images=result.num_images,
            classes=list(result.classes)),
        settings=OrderedDict(result.settings, distance='chebyshev'),
        models=models,
        pictures=list(result.picture_paths))


def write_json(result: ComparisonResult, path: str) -> None:
    """Write :func:`comparison_dict` as JSON (NaN as null)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as file:
        json.dump(comparison_dict(result), file, indent=2)
        file.write('\n')


def save_comparison_pictures(result: ComparisonResult,
                             out_dir: str) -> List[str]:
    """Write one :func:`~cblseg.visualization.comparison_grid.
    compose_comparison_row` PNG per picture sample,
    ``<out_dir>/<index:02d>_<stem>.png``, and record the paths in
    ``result.picture_paths``.

    Returns:
        list[str]: The written paths.
    """
    from PIL import Image

    from cblseg.visualization.comparison_grid import compose_comparison_row

    if not result.samples:
        return []
    os.makedirs(out_dir, exist_ok=True)
    names = [model.name for model in result.models]
    paths = []
    for sample in result.samples:
        row = compose_comparison_row(
            sample['image'],
            sample['gt'],
            sample['predictions'],
            names,
            result.palette[:len(result.classes)],
            ignore_index=result.settings['ignore_index'],
            radius=sample['radius'],
            title=sample['stem'])
        path = osp.join(out_dir, f"{sample['index']:02d}_{sample['stem']}.png")
        Image.fromarray(row).save(path)
        paths.append(path)
    result.picture_paths = paths
    return paths
