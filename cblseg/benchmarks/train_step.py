# Copyright (c) cblseg contributors. All rights reserved.
"""What tools/benchmarks/benchmark_cbl_train_step.py times: one training
step of a tiny CPU model with and without CBL, in one process.

Pairs (``--model``): the tiny baseline configs and their ``cbl-`` twins of
:data:`cblseg.apis.cbl_vs_baseline.MODEL_PAIRS` (OCRNet on a tiny HRNet,
Mask2Former and MaskFormer on a tiny ResNet-18). Both models are built
from their configs without pretrained weights (BN for SyncBN) and get
identical weights: the CBL model loads the baseline's ``state_dict``
(strict; the CBL heads add no parameters).

A step is MMSeg's ``model.train_step(data, optim_wrapper)`` as the runner
calls it (data preprocessor, forward, losses, backward, SGD step,
zero_grad) on one fixed batch of synthetic street scenes with
``gt_edge_map`` (:func:`cblseg.benchmarks.inputs.train_step_batch`).
After warm-up steps, the two models' steps are interleaved (the order
alternates every round) so that both see the same machine load; the
summary has the median step time of each, the ratio of the medians, the
median of the per-round ratios and the ratio of the fastest steps (the last
two are steadier when other jobs share the CPU).
"""
import copy
import statistics
import time
from collections import OrderedDict
from typing import Callable, Dict, List, Tuple

import numpy as np
import torch
from mmengine.logging import MMLogger

from cblseg.apis.cbl_vs_baseline import MODEL_PAIRS, config_pair
from .inputs import train_step_batch
from .train_cost import _optim_wrapper, build_model

__all__ = ['TARGET_RATIO', 'TITLES', 'compare_train_steps', 'format_summary']

TARGET_RATIO = 1.15
# The model's name in the printed lines.
TITLES = dict(
    ocrnet='OCRNet', mask2former='Mask2Former', maskformer='MaskFormer')


def _head_type(model) -> str:
    head = model.decode_head
    return type(
        head[-1] if isinstance(head, torch.nn.ModuleList) else head).__name__


def _step(model, optim_wrapper, data) -> Tuple[float, dict]:
    batch = copy.deepcopy(data)
    start = time.perf_counter()
    log_vars = model.train_step(batch, optim_wrapper)
    elapsed = time.perf_counter() - start
    for key, value in log_vars.items():
        value = float(torch.as_tensor(value).detach())
        if not np.isfinite(value):
            raise RuntimeError(f'non-finite {key} = {value}')
    return elapsed, log_vars


def compare_train_steps(model: str = 'ocrnet',
                        batch: int = 4,
                        size: Tuple[int, int] = (128, 256),
                        warmup: int = 5,
                        steps: int = 30) -> dict:
    """Time ``steps`` interleaved training steps of the baseline and the
    CBL model of ``model`` (a :data:`MODEL_PAIRS` name).

    Returns:
        dict: ``names`` (baseline, CBL), ``times`` (seconds per step, per
        name), ``cbl_losses`` (the CBL model's last CBL terms), ``configs``
        and the settings.
    """
    if model not in MODEL_PAIRS:
        config_pair(model)  # raises, naming the choices
    # init_weights() logs every parameter at INFO
    MMLogger.get_instance('cblseg_train_step', log_level='WARNING')
    base_config, cbl_config = config_pair(model)
    cpu = torch.device('cpu')
    torch.manual_seed(0)
    base = build_model(base_config, size, cpu)
    cbl = build_model(cbl_config, size, cpu, base.state_dict())
    title = TITLES.get(model, model)
    names = [
        f'{title} ({_head_type(base)})',
        f'{title} + CBL ({_head_type(cbl)})',
    ]
    models = OrderedDict(
        zip(names, [(m, _optim_wrapper(m, cpu)) for m in (base, cbl)]))
    data = train_step_batch(batch, *size)
    for _ in range(warmup):
        for net, optim_wrapper in models.values():
            _step(net, optim_wrapper, data)
    times: Dict[str, List[float]] = {name: [] for name in names}
    last_log = {}
    for index in range(steps):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            elapsed, last_log[name] = _step(*models[name], data)
            times[name].append(elapsed)
    cbl_losses = {
        key: float(torch.as_tensor(value).detach())
        for key, value in sorted(last_log[names[1]].items())
        if 'loss_cbl' in key
    }
    if len(cbl_losses) != 3 or any('loss_cbl' in key
                                   for key in last_log[names[0]]):
        raise RuntimeError(f'expected 3 CBL losses from the CBL model only, '
                           f'got {sorted(cbl_losses)}')
    return dict(
        model=model,
        title=title,
        configs=(base_config, cbl_config),
        names=names,
        times=times,
        cbl_losses=cbl_losses,
        batch=batch,
        size=tuple(size),
        warmup=warmup,
        steps=steps)


def format_summary(result: dict,
                   log: Callable[[str], None] = print) -> Dict[str, float]:
    """Print the per-model medians and the three ratios; return the
    ratios (``medians``, ``rounds``, ``minima``)."""
    base_name, cbl_name = result['names']
    times, title = result['times'], result['title']
    log('last CBL losses: ' +
        ', '.join(f'{k} {v:.4f}' for k, v in result['cbl_losses'].items()))
    width = max(28, *(len(name) for name in result['names']))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name in result['names']:
        log(f'{name:<{width}s} median {medians[name] * 1e3:8.1f} ms per '
            f'step (min {min(times[name]) * 1e3:.1f}, '
            f'max {max(times[name]) * 1e3:.1f})')
    ratios = dict(
        medians=medians[cbl_name] / medians[base_name],
        rounds=statistics.median(
            c / b for c, b in zip(times[cbl_name], times[base_name])),
        minima=min(times[cbl_name]) / min(times[base_name]))
    label = f'ratio CBL / {title}'
    pad = len('ratio CBL / OCRNet (median of rounds):  ') - len(
        'ratio CBL / OCRNet') + len(label)
    log(f'{label + " (medians):":<{pad}s}{ratios["medians"]:.3f}x   '
        f'(target <= {TARGET_RATIO:.2f}x)')
    log(f'{label + " (median of rounds):":<{pad}s}{ratios["rounds"]:.3f}x')
    log(f'{label + " (minima):":<{pad}s}{ratios["minima"]:.3f}x')
    return ratios
