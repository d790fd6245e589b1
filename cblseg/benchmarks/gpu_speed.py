# Copyright (c) cblseg contributors. All rights reserved.
"""Speed parts of the GPU report: boundary ground truth, metric, loss.

Times on CUDA come from CUDA events after warm-up and synchronisation
(:func:`cblseg.utils.benchmark_timing.time_cuda_ms`), on the CPU from the
wall clock (:func:`~cblseg.utils.benchmark_timing.time_ms`); figures are
medians. The goals (2 ms per label, 5 ms per image) are for CUDA at full
size; on the CPU or with ``--quick`` the figures are reported without a
verdict.
"""
import statistics
from typing import Callable, Dict, List, Optional

import torch
from mmengine.structures import PixelData
from mmseg.datasets import CityscapesDataset
from mmseg.structures import SegDataSample

from cblseg.datasets.benchmark_labels import (synthetic_prediction,
                                              synthetic_street_label)
from cblseg.evaluation import BoundaryIoUMetric, boundary_counts
from cblseg.ops import label_to_boundary_torch, radius_from_dilation
from cblseg.ops.boundary import ScratchBuffers
from cblseg.utils.benchmark_timing import time_cuda_ms, time_ms
from .gpu_checks import DILATION, NUM_CLASSES, boundary_labels
from .loss_cases import LOSS_CASES, LossCase
from .report import Report

__all__ = [
    'run_boundary_speed', 'run_metric_speed', 'run_loss_speed', 'median_ms',
    'BOUNDARY_GOAL_MS', 'METRIC_GOAL_MS'
]

BOUNDARY_GOAL_MS = 2.0
METRIC_GOAL_MS = 5.0


def median_ms(fn: Callable[[], object],
              device: torch.device,
              repeats: int,
              warmup: int = 1,
              cpu_times: Optional[List[float]] = None) -> float:
    """Median milliseconds per call of ``fn`` on ``device``; on the CPU
    the process's CPU milliseconds per call go to ``cpu_times`` if given
    (steadier than the wall clock on a shared machine)."""
    if device.type == 'cuda':
        return statistics.median(time_cuda_ms(fn, repeats, warmup))
    return statistics.median(time_ms(fn, repeats, warmup, cpu_times))


def _goal(value: float, goal: float, device: torch.device,
          quick: bool) -> Optional[bool]:
    if quick or device.type != 'cuda':
        return None
    return value <= goal


def _goal_note(device: torch.device, quick: bool) -> str:
    if quick:
        return 'quick sizes: no verdict'
    if device.type != 'cuda':
        return 'the goal is for CUDA: no verdict on the CPU'
    return ''


def run_boundary_speed(report: Report, device: torch.device,
                       quick: bool) -> None:
    """``label_to_boundary_torch`` on a batch of 8 int64 1024x2048 labels
    at d = 46: milliseconds per label."""
    batch, height, width = (2, 64, 128) if quick else (8, 1024, 2048)
    radius = radius_from_dilation(DILATION, height, width)
    labels = torch.from_numpy(boundary_labels(
        (batch, height, width))).long().to(device)
    repeats = 3 if quick else 20
    report.log(f'boundary GT: {batch} x {height}x{width}, d={radius}, '
               f'{repeats} timed calls')
    ms = median_ms(
        lambda: label_to_boundary_torch(labels, radius),
        device,
        repeats,
        warmup=1 if quick else 3) / batch
    report.figure(
        'boundary_gt.ms_per_label',
        ms,
        'ms',
        goal=f'<= {BOUNDARY_GOAL_MS:g} ms (CUDA, 1024x2048, d=46)',
        goal_met=_goal(ms, BOUNDARY_GOAL_MS, device, quick),
        note=(f'{device.type}, batch of {batch} int64 labels {height}x'
              f'{width}, d={radius}, median of {repeats}; ' +
              _goal_note(device, quick)).rstrip('; '))


def run_metric_speed(report: Report, device: torch.device,
                     quick: bool) -> None:
    """``BoundaryIoUMetric.process`` (all metrics) on one 1024x2048 image
    with the prediction on ``device``, and ``boundary_counts`` alone."""
    height, width = (64, 128) if quick else (1024, 2048)
    gt = synthetic_street_label(height, width, seed=0)
    pred = synthetic_prediction(gt, seed=0)
    radius = radius_from_dilation(DILATION, height, width)
    pred_t = torch.from_numpy(pred).long().to(device)
    gt_t = torch.from_numpy(gt).long()
    metric = BoundaryIoUMetric()
    metric.dataset_meta = CityscapesDataset.METAINFO
    sample = SegDataSample(metainfo=dict(img_path='synthetic.png'))
    sample.pred_sem_seg = PixelData(data=pred_t[None])
    sample.gt_sem_seg = PixelData(data=gt_t[None])
    samples = [sample.to_dict()]
    repeats = 3 if quick else 30
    report.log(f'metric: one {height}x{width} image, d={radius}, '
               f'{repeats} timed calls')

    def process():
        metric.process({}, samples)
        del metric.results[:]  # keep the list from growing

    ms = median_ms(process, device, repeats, warmup=1 if quick else 3)
    report.figure(
        'metric.ms_per_image',
        ms,
        'ms',
        goal=f'<= {METRIC_GOAL_MS:g} ms (CUDA, 1024x2048)',
        goal_met=_goal(ms, METRIC_GOAL_MS, device, quick),
        note=(f'BoundaryIoUMetric.process, {device.type}, {NUM_CLASSES} '
              f'classes, all metrics (IoU, Boundary IoU d={radius}, '
              f'F-score 1/3/5 px), ground truth handed over on the CPU as '
              f'in the test loop, median of {repeats}; ' +
              _goal_note(device, quick)).rstrip('; '))
    gt_dev = gt_t.to(device)
    scratch = ScratchBuffers()
    counts_ms = median_ms(
        lambda: boundary_counts(
            pred_t, gt_dev, NUM_CLASSES, radius, scratch=scratch),
        device,
        repeats,
        warmup=1 if quick else 3)
    report.figure(
        'metric.boundary_counts_ms',
        counts_ms,
        'ms',
        note=f'boundary_counts alone, both maps on {device.type}, median '
        f'of {repeats}')


def _forward_backward(case: LossCase, fn, inputs: Dict, grad_names):
    args = dict(inputs)
    for name in grad_names:
        args[name] = inputs[name].detach().requires_grad_()
    case.total(fn(**args)).backward()


def _time_pair(report: Report, case: LossCase, device: torch.device, inputs,
               grad_names, quick: bool, label: str):
    """Fwd+bwd of ours and of the peer on ``device``: a dict per method
    with the median wall ``ms``, the peak CUDA memory ``mib`` above the
    inputs and the median process ``cpu_ms`` (None where not measured)."""
    on_device = {
        k: v.to(device) if isinstance(v, torch.Tensor) else v
        for k, v in inputs.items()
    }
    cuda = device.type == 'cuda'
    if cuda:
        ours_repeats, peer_repeats, warmup = 10, 5, 2
    elif quick:
        ours_repeats, peer_repeats, warmup = 3, 2, 1
    else:
        ours_repeats, peer_repeats, warmup = 3, 1, 0
    results = []
    for name, fn, repeats in (('ours', case.loss, ours_repeats),
                              ('peer', case.peer, peer_repeats)):
        # ours always warms up once (first-call allocations)
        first = max(warmup, 1) if name == 'ours' else warmup
        report.log(f'loss {case.name} {label}: {name}, {repeats} timed '
                   f'fwd+bwd after {first} warm-up')
        if cuda:
            torch.cuda.synchronize(device)
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(device)
            base = torch.cuda.memory_allocated(device)
        cpu_times: List[float] = []
        ms = median_ms(
            lambda: _forward_backward(case, fn, on_device, grad_names),
            device,
            repeats,
            warmup=first,
            cpu_times=cpu_times)
        results.append(
            dict(
                ms=ms,
                mib=((torch.cuda.max_memory_allocated(device) - base) /
                     2**20) if cuda else None,
                cpu_ms=statistics.median(cpu_times) if cpu_times else None))
    return results


def run_loss_speed(report: Report,
                   device: torch.device,
                   quick: bool,
                   cpu_threads: int = 1,
                   cases: Optional[Dict[str, LossCase]] = None) -> None:
    """Forward + backward of each loss case with a peer, ours against the
    peer, on ``device`` and (for CUDA) also on the CPU."""
    cases = LOSS_CASES if cases is None else cases
    for case in cases.values():
        if case.peer is None:
            report.figure(
                f'cbl_loss.{case.name}.ratio',
                None,
                'x',
                note='no peer registered for this loss')
            continue
        inputs, grad_names = case.make_inputs(quick)
        shapes = ', '.join(f'{k} {tuple(v.shape)}' for k, v in inputs.items()
                           if k in grad_names)
        devices = [device]
        if device.type == 'cuda':
            devices.append(torch.device('cpu'))
        for dev in devices:
            label = dev.type
            threads = torch.get_num_threads()
            if dev.type == 'cpu':
                torch.set_num_threads(cpu_threads)
            try:
                ours, peer = _time_pair(report, case, dev, inputs, grad_names,
                                        quick, label)
            finally:
                torch.set_num_threads(threads)
            where = dev.type
            if dev.type == 'cpu':
                where += f', {cpu_threads} thread(s)'

            def cpu_note(result):
                if result['cpu_ms'] is None:
                    return ''
                return f'; CPU time {result["cpu_ms"]:.1f} ms'

            prefix = f'cbl_loss.{case.name}.{label}'
            report.figure(
                f'{prefix}.ours_ms',
                ours['ms'],
                'ms',
                note=f'fwd+bwd, {where}, {shapes}{cpu_note(ours)}')
            report.figure(
                f'{prefix}.peer_ms',
                peer['ms'],
                'ms',
                note='plain vectorised autograd peer, same terms' +
                cpu_note(peer))
            ratio_note = 'peer time / ours (higher: ours faster)'
            if ours['cpu_ms']:
                ratio_note += ('; ratio of CPU times '
                               f'{peer["cpu_ms"] / ours["cpu_ms"]:.1f}x')
            report.figure(
                f'{prefix}.ratio',
                peer['ms'] / ours['ms'],
                'x',
                note=ratio_note)
            if ours['mib'] is not None:
                report.figure(
                    f'{prefix}.peak_mib',
                    ours['mib'],
                    'MiB',
                    note='ours, peak CUDA memory above the inputs; peer: '
                    f'{peer["mib"]:.0f} MiB')
