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
   ``ignore_index``, ``dilation``, ``radius``, ``tolerances``, ``cbl_biou``,
   ``nan_to_num``, ``iou_metrics``, ``beta``, ``bf_protocol`` and
   ``bf_tolerance_ratios`` that it sets (from its ``BoundaryIoUMetric``
   entry, else ``ignore_index``, ``nan_to_num``, ``iou_metrics`` and
   ``beta`` of an ``IoUMetric`` entry, else the defaults), with the metric
   options given to :func:`compare_models` (``iou_metrics``, ``beta``,
   ``bf_protocol``, ``bf_tolerance_ratios``) on top. The summary and
   per-class values come from the metric's own ``summarize_results`` (what
   its ``compute_metrics`` reports), i.e. exactly what ``tools/test.py``
   with that evaluator reports.
6. Keeps the predictions of the first ``num_pictures`` images of the
   dataset (by dataset index, matched by image path; at the original image
   size, as scored) and reads their images and ground truth with
   :func:`~cblseg.datasets.dataset_samples.load_dataset_sample`.

Steps 1-3 live in ``comparison_inputs.py``. :func:`format_markdown` and
:func:`write_json` (``comparison_report.py``) and
:func:`cblseg.visualization.comparison_pictures.save_comparison_pictures`
turn the :class:`ComparisonResult` into the tool's ``comparison.md``,
``comparison.json`` and ``pictures/*.png``.
"""
import sys
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from ..datasets.dataset_samples import load_dataset_sample
from ..ops.boundary import resolve_radius
from ..utils.arguments import check_int
from .comparison_inputs import (METRIC_OPTIONS, METRIC_SETTINGS,
                                _build_dataloader, _build_metric, _build_model,
                                _check_device, _check_files, _load_cfg,
                                merge_metric_options, metric_settings,
                                model_names)
from .comparison_report import (TABLE_KEYS, ComparisonResult, ModelResult,
                                comparison_dict, format_markdown, table_keys,
                                write_json)
from .metrics.boundary_iou_metric import BoundaryIoUMetric

__all__ = [
    'TABLE_KEYS', 'METRIC_SETTINGS', 'METRIC_OPTIONS', 'ModelResult',
    'ComparisonResult', 'model_names', 'metric_settings', 'compare_models',
    'table_keys', 'format_markdown', 'comparison_dict', 'write_json'
]


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


def compare_models(
        configs: Sequence[str],
        checkpoints: Sequence[str],
        names: Optional[Sequence[str]] = None,
        data_config: Optional[str] = None,
        cfg_options: Optional[Dict] = None,
        device: str = 'cpu',
        num_pictures: int = 4,
        progress: bool = True,
        iou_metrics: Optional[Sequence[str]] = None,
        beta: Optional[float] = None,
        bf_protocol: Optional[str] = None,
        bf_tolerance_ratios: Optional[Sequence[float]] = None
) -> ComparisonResult:
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
        iou_metrics (Sequence[str], optional): ``BoundaryIoUMetric``'s
            ``iou_metrics`` (``'mDice'``, ``'mFscore'`` add their keys and
            table columns); default: the data config's evaluator's, else
            ``('mIoU', )``.
        beta (float, optional): Weight of recall in ``mFscore``; default:
            the evaluator's, else 1.
        bf_protocol (str, optional): ``'counts'`` or ``'per_image'``
            (GSCNN / SegFix boundary F-scores); default: the evaluator's,
            else ``'counts'``. Switching the protocol drops the evaluator's
            tolerances of the other protocol.
        bf_tolerance_ratios (Sequence[float], optional): Tolerances of
            ``'per_image'`` as fractions of the image diagonal; default:
            the evaluator's, else GSCNN's.

    Returns:
        ComparisonResult: Scores and picture samples.

    Raises:
        FileNotFoundError: A config, checkpoint or dataset is missing.
        ValueError: Bad names, a checkpoint that does not fit its model, a
            model with another number of classes than the dataset, a bad
            device, metric settings the metric refuses.
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
    settings = merge_metric_options(
        metric_settings(data_cfg.get('test_evaluator')),
        dict(
            iou_metrics=iou_metrics,
            beta=beta,
            bf_protocol=bf_protocol,
            bf_tolerance_ratios=bf_tolerance_ratios))
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
        iou_metrics=list(probe.iou_metrics),
        beta=probe.beta,
        bf_protocol=probe.bf_protocol,
        bf_tolerance_ratios=list(probe.bf_tolerance_ratios),
        device=str(device))
    return ComparisonResult(
        models=results,
        classes=classes,
        palette=palette,
        data_config=data_path,
        num_images=len(dataset),
        settings=full_settings,
        samples=samples)
