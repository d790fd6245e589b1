# Copyright (c) cblseg contributors. All rights reserved.
"""Training-cost part of the GPU report: one training step with and
without CBL.

A step is MMSeg's ``model.train_step(data, optim_wrapper)`` as the runner
calls it (data preprocessor, forward, losses, backward, SGD step,
zero_grad), on CUDA through ``AmpOptimWrapper`` (fp16, dynamic loss scale,
as ``--amp``). Models come from the configs of a :class:`TrainCase` with
no pretrained weights (random initialisation), SyncBN replaced by BN (one
process) and identical weights in both models; the data is one fixed batch
of synthetic street scenes at the crop size with ``gt_edge_map``
(:func:`cblseg.benchmarks.inputs.train_step_batch`), in memory.

The two models run one after the other, each alone on the device: warm-up
steps, then timed steps between CUDA synchronisations, with the peak of
``torch.cuda.max_memory_allocated`` over the timed steps (parameters,
gradients, optimizer state and activations). Figures: the median step
time of each, their ratio, the peaks and their ratio.

A new pair (e.g. Mask2Former with and without the mask-classification CBL)
is one :func:`register_train_case` call.
"""
import copy
import gc
import os.path as osp
import statistics
import time
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import AmpOptimWrapper, OptimWrapper
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

from cblseg.utils.config import load_config
from cblseg.utils.distributed import replace_sync_bn
from .inputs import train_step_batch
from .report import Report

__all__ = [
    'TrainCase', 'TRAIN_CASES', 'register_train_case', 'run_train_cost',
    'build_model', 'REPO_ROOT', 'TIME_GOAL', 'MEMORY_GOAL'
]

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TIME_GOAL = 1.05
MEMORY_GOAL = 1.05


@dataclass
class TrainCase:
    """A model pair for the training-cost part.

    Attributes:
        name (str): Key in reports (``train_cost.<name>...``).
        base_config / cbl_config (str): Without / with CBL: a path
            relative to the repository root or ``mmseg::...``.
        crop (tuple): ``(H, W)`` of the batch; ``batch`` its size.
        quick_base_config / quick_cbl_config / quick_crop / quick_batch:
            the tiny pair for ``--quick``.
        steps (tuple): ``(warm-up, timed)`` steps per model on CUDA.
    """
    name: str
    base_config: str
    cbl_config: str
    crop: Tuple[int, int]
    batch: int
    quick_base_config: str
    quick_cbl_config: str
    quick_crop: Tuple[int, int] = (64, 128)
    quick_batch: int = 2
    steps: Tuple[int, int] = (5, 20)


TRAIN_CASES: Dict[str, TrainCase] = {}


def register_train_case(case: TrainCase) -> TrainCase:
    if case.name in TRAIN_CASES:
        raise KeyError(f'train case {case.name!r} is already registered')
    TRAIN_CASES[case.name] = case
    return case


_TINY_OCR = 'ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py'
register_train_case(
    TrainCase(
        name='ocrnet_hr48',
        base_config='mmseg::ocrnet/ocrnet_hr48_4xb2-80k_cityscapes-'
        '512x1024.py',
        cbl_config='configs/cbl/cbl-ocrnet_hr48_4xb2-80k_cityscapes-'
        '512x1024.py',
        crop=(512, 1024),
        batch=2,
        quick_base_config=f'configs/{_TINY_OCR}',
        quick_cbl_config=f'configs/cbl/cbl-{_TINY_OCR.split("/")[1]}'))

# The CBL paper's Mask2Former setup: Swin-B, 640 x 640, batch 2 a GPU
# (MMSeg's 8 x 2); quick: the tiny Mask2Former pair.
_TINY_M2F = ('mask2former/'
             'mask2former_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
_M2F_SWIN_B = ('mask2former/mask2former_swin-b-in22k-384x384-pre_8xb2-160k_'
               'ade20k-640x640.py')
register_train_case(
    TrainCase(
        name='mask2former_swin-b',
        base_config=f'configs/{_M2F_SWIN_B}',
        cbl_config=f'configs/cbl/cbl-{_M2F_SWIN_B.split("/")[1]}',
        crop=(640, 640),
        batch=2,
        quick_base_config=f'configs/{_TINY_M2F}',
        quick_cbl_config=f'configs/cbl/cbl-{_TINY_M2F.split("/")[1]}'))


def _resolve(path: str) -> str:
    if path.startswith('mmseg::'):
        return path
    full = osp.join(REPO_ROOT, path)
    if osp.isfile(full):
        return full
    # an installed wheel ships the configs under cblseg/.mim (setup.py)
    shipped = osp.join(
        osp.dirname(osp.dirname(osp.abspath(__file__))), '.mim', path)
    if not osp.isfile(shipped):
        raise FileNotFoundError(
            f'config {full} not found (nor {shipped}): run the report from '
            'a cblseg checkout or a cblseg installed with its configs')
    return shipped


def _load(path: str) -> Config:
    """Load a config; ``mmseg::`` paths through mmengine's package lookup."""
    if path.startswith('mmseg::'):
        from mmengine.config.utils import _get_package_and_cfg_path
        from mmengine.utils import get_installed_path
        package, rel = _get_package_and_cfg_path(path)
        path = osp.join(get_installed_path(package), '.mim', 'configs', rel)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path} not found: mmsegmentation must be installed with '
                'its configs (pip install mmsegmentation==1.2.2)')
    return load_config(path)


def build_model(config: str,
                crop: Tuple[int, int],
                device: torch.device,
                state_dict: Optional[dict] = None):
    """The config's segmentor, randomly initialised (no pretrained
    weights: ``pretrained`` and the backbone's ``init_cfg`` dropped), BN for
    SyncBN, on ``device``; or with ``state_dict`` loaded (strict)."""
    cfg = _load(_resolve(config))
    model_cfg = cfg.model
    model_cfg.pretrained = None
    model_cfg.backbone.pop('pretrained', None)
    model_cfg.backbone.init_cfg = None
    replace_sync_bn(model_cfg)
    model_cfg.data_preprocessor.size = tuple(crop)
    init_default_scope('mmseg')
    model = MODELS.build(model_cfg)
    if state_dict is None:
        model.init_weights()
    else:
        model.load_state_dict(state_dict, strict=True)
    return model.to(device).train()


def _optim_wrapper(model, device: torch.device):
    optimizer = torch.optim.SGD(
        model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    if device.type == 'cuda':
        return AmpOptimWrapper(
            optimizer=optimizer, loss_scale='dynamic', dtype=torch.float16)
    return OptimWrapper(optimizer)


def _steps(model, optim_wrapper, data, count: int, device: torch.device):
    """``count`` train steps; seconds of each and the last log_vars."""
    times, log_vars = [], {}
    for _ in range(count):
        batch = copy.deepcopy(data)
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        log_vars = model.train_step(batch, optim_wrapper)
        if device.type == 'cuda':
            torch.cuda.synchronize(device)
        times.append(time.perf_counter() - start)
    return times, log_vars


def _phase(report: Report, label: str, model, data, device, warmup, timed):
    """Warm-up and timed steps of one model; (median ms, peak MiB or None,
    last log_vars)."""
    optim_wrapper = _optim_wrapper(model, device)
    report.log(f'{label}: {warmup} warm-up steps')
    _steps(model, optim_wrapper, data, warmup, device)
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    report.log(f'{label}: {timed} timed steps')
    times, log_vars = _steps(model, optim_wrapper, data, timed, device)
    peak = (
        torch.cuda.max_memory_allocated(device) /
        2**20 if device.type == 'cuda' else None)
    report.log(f'{label}: median {statistics.median(times) * 1e3:.1f} ms '
               f'per step (min {min(times) * 1e3:.1f})')
    del optim_wrapper
    return statistics.median(times) * 1e3, peak, log_vars


def _release(device: torch.device) -> None:
    gc.collect()
    if device.type == 'cuda':
        torch.cuda.empty_cache()


def run_train_cost(report: Report,
                   device: torch.device,
                   quick: bool,
                   cases: Optional[Dict[str, TrainCase]] = None) -> None:
    """Time and peak memory of a training step with / without CBL."""
    # init_weights() logs every parameter at INFO
    MMLogger.get_instance('cblseg_gpu_report', log_level='WARNING')
    for case in (TRAIN_CASES if cases is None else cases).values():
        prefix = f'train_cost.{case.name}'
        if quick:
            configs = (case.quick_base_config, case.quick_cbl_config)
            crop, batch, (warmup, timed) = case.quick_crop, \
                case.quick_batch, (1, 2)
        else:
            configs = (case.base_config, case.cbl_config)
            crop, batch, (warmup, timed) = case.crop, case.batch, case.steps
        precision = 'fp16 (AmpOptimWrapper)' if device.type == 'cuda' \
            else 'fp32 (AmpOptimWrapper needs CUDA)'
        what = (f'{osp.basename(configs[0])} vs {osp.basename(configs[1])}, '
                f'batch {batch} at {crop[0]}x{crop[1]}, {precision}, '
                f'{warmup} warm-up + {timed} timed steps each, random init')
        # cuDNN autotuning as the base config trains (MMSeg: on)
        env_cfg = _load(_resolve(configs[0])).get('env_cfg', {})
        autotune = bool(env_cfg.get('cudnn_benchmark', False))
        what += f', cudnn_benchmark={autotune}'
        report.log(f'{prefix}: {what}')
        previous = torch.backends.cudnn.benchmark
        torch.backends.cudnn.benchmark = autotune
        try:
            torch.manual_seed(0)
            data = train_step_batch(batch, *crop)
            base = build_model(configs[0], crop, torch.device('cpu'))
            state = copy.deepcopy(base.state_dict())
            base = base.to(device)
            base_ms, base_mb, base_log = _phase(report, 'without CBL', base,
                                                data, device, warmup, timed)
            del base
            _release(device)
            cbl = build_model(configs[1], crop, device, state)
            del state
            cbl_ms, cbl_mb, cbl_log = _phase(report, 'with CBL', cbl, data,
                                             device, warmup, timed)
            del cbl
            _release(device)
        finally:
            torch.backends.cudnn.benchmark = previous
        finite = all(
            np.isfinite(float(torch.as_tensor(v).detach()))
            for log in (base_log, cbl_log) for v in log.values())
        report.check(f'{prefix}.finite_losses', finite,
                     'every logged loss of the last steps is finite')
        cbl_keys = sorted(k for k in cbl_log if 'loss_cbl' in k)
        report.check(
            f'{prefix}.cbl_active',
            len(cbl_keys) == 3 and not any('loss_cbl' in k for k in base_log),
            f'the CBL model logs {cbl_keys}, the baseline none')
        verdict = not quick and device.type == 'cuda'
        report.figure(f'{prefix}.base_ms', base_ms, 'ms', note=what)
        report.figure(
            f'{prefix}.cbl_ms', cbl_ms, 'ms', note='median step time with CBL')
        ratio = cbl_ms / base_ms
        report.figure(
            f'{prefix}.time_ratio',
            ratio,
            'x',
            goal=f'<= {TIME_GOAL:g}x (CUDA, full size)',
            goal_met=(ratio <= TIME_GOAL) if verdict else None,
            note='' if verdict else 'no verdict: quick sizes or no CUDA')
        if base_mb is None:
            report.figure(
                f'{prefix}.memory_ratio',
                None,
                'x',
                goal=f'<= {MEMORY_GOAL:g}x (CUDA, full size)',
                note='not measured: peak memory is '
                'torch.cuda.max_memory_allocated (CUDA only)')
            continue
        report.figure(
            f'{prefix}.base_peak_mib',
            base_mb,
            'MiB',
            note='torch.cuda.max_memory_allocated, timed steps')
        report.figure(f'{prefix}.cbl_peak_mib', cbl_mb, 'MiB')
        memory = cbl_mb / base_mb
        report.figure(
            f'{prefix}.memory_ratio',
            memory,
            'x',
            goal=f'<= {MEMORY_GOAL:g}x (CUDA, full size)',
            goal_met=(memory <= MEMORY_GOAL) if verdict else None,
            note='' if verdict else 'no verdict: quick sizes')
