# Copyright (c) cblseg contributors. All rights reserved.
"""Correctness part of the GPU report: the device against the CPU.

On ``--device cuda`` every result computed on the GPU is compared with the
same computation on the CPU (exact for the integer boundary map and metric
counts, 1e-5 relative for the loss in fp32), and, where one exists, with an
independent CPU implementation (numpy/OpenCV boundary map, per-class
OpenCV metric counts). On ``--device cpu`` the CUDA-vs-CPU comparisons are
skipped with that reason and the independent comparisons still run, so
the part means something on a machine without a GPU.

Autocast: every registered loss case (:mod:`.loss_cases`) runs inside
``torch.autocast`` with fp16 and bf16, its differentiated inputs and its
``half_inputs`` handed over in that dtype as the network before it would.
Checks: the terms come out in float32; they equal (1e-5 relative) the fp32
loss on the same rounded inputs, i.e. the loss computes in fp32 inside;
values and gradients are finite; and they are close to the fp32 loss on
the unrounded inputs, within :data:`AUTOCAST_TOLERANCES` (what rounding the
features to fp16 / bf16 alone moves them; measured at the full size with
margin, see docs/benchmarks.md). fp16 gradients are taken with a loss
scale of 2**16 (the initial scale of AmpOptimWrapper's dynamic scaler), as
in training; unscaled, small gradients underflow in fp16.

``plant`` names a check whose device result is deliberately corrupted
before the comparison (tests use it to prove that a wrong result is
reported as failed).
"""
import warnings
from typing import Dict, Optional, Tuple

import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.datasets import CityscapesDataset
from mmseg.structures import SegDataSample
from torch import Tensor

from cblseg.datasets.benchmark_labels import (synthetic_prediction,
                                              synthetic_street_label)
from cblseg.evaluation import BoundaryIoUMetric, count_row_names
from cblseg.ops import (label_to_boundary, label_to_boundary_torch,
                        radius_from_dilation)
from .compare import relative_error
from .loss_cases import LOSS_CASES, LossCase
from .peers import opencv_counts
from .report import Report

__all__ = [
    'run_correctness', 'AUTOCAST_TOLERANCES', 'FP32_RTOL', 'PLANT_NAMES',
    'relative_error', 'metric_counts', 'loss_and_grads'
]

DILATION = 0.02
NUM_CLASSES = 19
FP32_RTOL = 1e-5
# ours vs the peer: the same maths in another order (normalise first, sum
# per offset), float32 rounding on both sides.
PEER_RTOL = 1e-4
# (value rtol, gradient rtol) against the fp32 loss on unrounded inputs:
# one unit of rounding of the dtype (2**-11, 2**-8) for the values, ten for
# the gradients. Measured on the CPU (the arithmetic is fp32 on every
# device; the error comes from rounding the inputs): values 1.7e-6 (fp16)
# and 5.7e-4 (bf16), gradients 3.8e-4 and 2.9e-3, at the full and the quick
# size (docs/benchmarks.md).
AUTOCAST_TOLERANCES = {
    torch.float16: (2.0**-11, 10 * 2.0**-11),
    torch.bfloat16: (2.0**-8, 10 * 2.0**-8),
}
# fp16 backward through a loss scale, as AmpOptimWrapper's GradScaler.
FP16_LOSS_SCALE = 2.0**16
PLANT_NAMES = ('boundary_gt', 'metric_counts', 'cbl_fp32', 'cbl_autocast')

Sizes = Tuple[int, int, int]  # batch, height, width


def _cuda_note(device: torch.device) -> Optional[str]:
    if device.type == 'cuda':
        return None
    return (f'--device {device.type}: a CUDA-vs-CPU comparison needs a GPU '
            '(torch.cuda.is_available() is '
            f'{torch.cuda.is_available()})')


# --------------------------------------------------------------------------
# Boundary ground truth
# --------------------------------------------------------------------------
def boundary_labels(sizes: Sizes) -> np.ndarray:
    batch, height, width = sizes
    return np.stack([
        synthetic_street_label(height, width, seed=seed)
        for seed in range(batch)
    ])


def check_boundary(report: Report, device: torch.device, sizes: Sizes,
                   plant: Optional[str]) -> None:
    batch, height, width = sizes
    radius = radius_from_dilation(DILATION, height, width)
    labels = boundary_labels(sizes)
    cpu_batch = torch.from_numpy(labels).long()
    out = label_to_boundary_torch(cpu_batch.to(device), radius).cpu()
    if plant == 'boundary_gt':
        out[0, 0, 0] = 1 - out[0, 0, 0] if out[0, 0, 0] != 255 else 0
    what = f'{batch} labels {height}x{width}, d={radius}'
    note = _cuda_note(device)
    if note is None:
        cpu_out = label_to_boundary_torch(cpu_batch, radius)
        diff = int((out != cpu_out).sum())
        report.check(
            'boundary_gt.cuda_vs_cpu', diff == 0,
            f'label_to_boundary_torch on CUDA vs CPU, {what}: '
            f'{diff} pixels differ', diff, 0)
    else:
        report.check('boundary_gt.cuda_vs_cpu', None, note)
    numpy_out = np.stack([label_to_boundary(lbl, radius) for lbl in labels])
    diff = int((out.numpy() != numpy_out).sum())
    report.check(
        'boundary_gt.vs_numpy', diff == 0,
        f'label_to_boundary_torch on {device.type} vs label_to_boundary '
        f'(numpy/OpenCV), {what}: {diff} pixels differ', diff, 0)


# --------------------------------------------------------------------------
# Metric counts
# --------------------------------------------------------------------------
def metric_counts(pred: np.ndarray, gt: np.ndarray,
                  device: torch.device) -> np.ndarray:
    """``BoundaryIoUMetric.process`` on one image, the prediction on
    ``device`` and the ground truth on the CPU (as in MMSeg's test loop);
    returns the image's ``R x K`` counts."""
    metric = BoundaryIoUMetric()
    metric.dataset_meta = CityscapesDataset.METAINFO
    sample = SegDataSample(metainfo=dict(img_path='synthetic.png'))
    sample.pred_sem_seg = PixelData(
        data=torch.from_numpy(pred).long()[None].to(device))
    sample.gt_sem_seg = PixelData(data=torch.from_numpy(gt).long()[None])
    metric.process({}, [sample.to_dict()])
    return metric.results[0]['counts']


def check_metric(report: Report, device: torch.device, size: Tuple[int, int],
                 plant: Optional[str]) -> None:
    height, width = size
    gt = synthetic_street_label(height, width, seed=0)
    pred = synthetic_prediction(gt, seed=0)
    radius = radius_from_dilation(DILATION, height, width)
    counts = metric_counts(pred, gt, device).copy()
    if plant == 'metric_counts':
        counts[0, 0] += 1
    what = f'one {height}x{width} image, {NUM_CLASSES} classes, d={radius}'
    note = _cuda_note(device)
    if note is None:
        cpu_counts = metric_counts(pred, gt, torch.device('cpu'))
        diff = int((counts != cpu_counts).sum())
        report.check(
            'metric_counts.cuda_vs_cpu', diff == 0,
            f'BoundaryIoUMetric counts on CUDA vs CPU, {what}: '
            f'{diff} of {counts.size} counts differ', diff, 0)
    else:
        report.check('metric_counts.cuda_vs_cpu', None, note)
    theirs = opencv_counts(pred, gt, radius, NUM_CLASSES)
    rows = count_row_names()
    reference = np.stack([theirs[name] for name in rows])
    differ = [
        rows[i] for i in range(len(rows))
        if not np.array_equal(counts[i], reference[i])
    ]
    report.check(
        'metric_counts.vs_opencv', not differ,
        f'BoundaryIoUMetric counts on {device.type} vs per-class OpenCV '
        f'counts, {what}: ' +
        (f'rows {", ".join(differ)} differ' if differ else 'all equal'),
        len(differ), 0)


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------
def loss_and_grads(case: LossCase,
                   inputs: Dict[str, Tensor],
                   grad_names,
                   device: torch.device,
                   autocast_dtype: Optional[torch.dtype] = None,
                   round_to: Optional[torch.dtype] = None,
                   loss_scale: float = 1.0):
    """Terms (detached) and the gradients of the weighted total w.r.t. the
    ``grad_names`` inputs.

    With ``autocast_dtype`` the loss runs inside ``torch.autocast`` with
    the differentiated and ``half_inputs`` cast to that dtype. With
    ``round_to`` (fp32 run) the ``half_inputs`` are rounded to that dtype
    first. Gradients are taken of ``loss_scale * total`` and divided back.
    """
    args = {
        name: value.to(device) if isinstance(value, Tensor) else value
        for name, value in inputs.items()
    }
    leaves = {
        name: args[name].detach().clone().requires_grad_()
        for name in grad_names
    }
    half = autocast_dtype or round_to
    if autocast_dtype is None:
        for name in case.half_inputs:
            if round_to is not None:
                args[name] = args[name].to(round_to).float()
        args.update(leaves)
        terms = case.loss(**args)
    else:
        with torch.autocast(device_type=device.type, dtype=autocast_dtype):
            for name in case.half_inputs:
                args[name] = args[name].to(half)
            for name, leaf in leaves.items():
                args[name] = leaf.to(half)
            terms = case.loss(**args)
    (case.total(terms) * loss_scale).backward()
    grads = {name: leaf.grad / loss_scale for name, leaf in leaves.items()}
    return {k: v.detach() for k, v in terms.items()}, grads


def _compare(terms, grads, ref_terms, ref_grads):
    """Largest relative error of the term values and of the gradients."""
    value_err = max(
        relative_error(terms[name], ref_terms[name]) for name in ref_terms)
    grad_err = max(
        relative_error(grads[name], ref_grads[name]) for name in ref_grads)
    return value_err, grad_err


def _terms_text(terms) -> str:
    return ', '.join(f'{k} {float(v):.6g}' for k, v in terms.items())


def check_loss_fp32(report: Report, case: LossCase, inputs, grad_names,
                    device: torch.device, plant: Optional[str]) -> None:
    prefix = f'cbl_loss.{case.name}.fp32'
    terms, grads = loss_and_grads(case, inputs, grad_names, device)
    if plant == 'cbl_fp32':
        first = next(iter(terms))
        terms[first] = terms[first] * (1 + 1e-3)
    note = _cuda_note(device)
    if note is not None:
        report.check(f'{prefix}.cuda_vs_cpu', None, note)
    else:
        cpu_terms, cpu_grads = loss_and_grads(case, inputs, grad_names,
                                              torch.device('cpu'))
        value_err, grad_err = _compare(terms, grads, cpu_terms, cpu_grads)
        report.check(
            f'{prefix}.cuda_vs_cpu.values', value_err <= FP32_RTOL,
            f'max relative error of the terms, CUDA vs CPU '
            f'(CPU: {_terms_text(cpu_terms)})', value_err, FP32_RTOL)
        report.check(
            f'{prefix}.cuda_vs_cpu.grads', grad_err <= FP32_RTOL,
            'max |grad diff| / max |grad| of the weighted total, CUDA '
            'vs CPU', grad_err, FP32_RTOL)
    if case.peer is None:
        return
    peer_case = LossCase(case.name, case.description, case.make_inputs,
                         case.peer, None, case.term_weights, case.half_inputs)
    peer_terms, peer_grads = loss_and_grads(peer_case, inputs, grad_names,
                                            device)
    value_err, grad_err = _compare(terms, grads, peer_terms, peer_grads)
    report.check(
        f'{prefix}.vs_peer.values', value_err <= PEER_RTOL,
        f'ours vs the plain autograd peer on {device.type} '
        f'({_terms_text(terms)})', value_err, PEER_RTOL)
    report.check(
        f'{prefix}.vs_peer.grads', grad_err <= PEER_RTOL,
        f'ours vs the plain autograd peer on {device.type}, '
        'max |grad diff| / max |grad|', grad_err, PEER_RTOL)


def _autocast_support(device: torch.device,
                      dtype: torch.dtype) -> Optional[str]:
    """None if ``torch.autocast`` supports ``dtype`` on ``device``, else
    why not."""
    if device.type == 'cuda' and dtype == torch.bfloat16 and \
            not torch.cuda.is_bf16_supported():
        return 'this GPU does not support bf16'
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            with torch.autocast(device_type=device.type, dtype=dtype):
                probe = torch.nn.functional.linear(
                    torch.ones(2, 2, device=device),
                    torch.ones(2, 2, device=device))
    except RuntimeError as err:
        return f'torch.autocast({device.type!r}, {dtype}) unsupported: {err}'
    # torch warns and disables autocast for an unsupported dtype
    notes = [str(w.message) for w in caught if 'autocast' in str(w.message)]
    if notes:
        return (f'torch.autocast({device.type!r}, {dtype}) unsupported: '
                f'{notes[0]}')
    if probe.dtype != dtype:
        return (f'torch.autocast({device.type!r}, {dtype}) left a linear '
                f'layer in {probe.dtype}')
    return None


def check_loss_autocast(report: Report, case: LossCase, inputs, grad_names,
                        device: torch.device, dtype: torch.dtype,
                        plant: Optional[str]) -> None:
    short = {torch.float16: 'fp16', torch.bfloat16: 'bf16'}[dtype]
    prefix = f'cbl_loss.{case.name}.{short}'
    reason = _autocast_support(device, dtype)
    if reason is not None:
        report.check(f'{prefix}', None, reason)
        return
    scale = FP16_LOSS_SCALE if dtype == torch.float16 else 1.0
    terms, grads = loss_and_grads(
        case,
        inputs,
        grad_names,
        device,
        autocast_dtype=dtype,
        loss_scale=scale)
    if plant == 'cbl_autocast':
        first = next(iter(terms))
        terms[first] = terms[first] * 1.5
    dtypes = sorted({str(v.dtype) for v in terms.values()})
    report.check(f'{prefix}.dtype', dtypes == ['torch.float32'],
                 f'terms under autocast({short}) come out as {dtypes}')
    finite = all(
        bool(torch.isfinite(v).all())
        for v in list(terms.values()) + list(grads.values()))
    report.check(
        f'{prefix}.finite', finite, 'terms and gradients finite' +
        (f' (fp16 loss scale {scale:g})' if scale != 1 else ''))
    # the same rounded inputs in fp32: equal if the loss computes in fp32
    rounded = dict(inputs)
    for name in grad_names:
        rounded[name] = inputs[name].to(dtype).float()
    same_terms, _ = loss_and_grads(
        case, rounded, grad_names, device, round_to=dtype)
    inside_err = max(
        relative_error(terms[k], same_terms[k]) for k in same_terms)
    report.check(f'{prefix}.fp32_inside', inside_err <= FP32_RTOL,
                 f'terms vs the fp32 loss on the same {short}-rounded inputs',
                 inside_err, FP32_RTOL)
    ref_terms, ref_grads = loss_and_grads(
        case, inputs, grad_names, device, round_to=dtype)
    value_err, grad_err = _compare(terms, grads, ref_terms, ref_grads)
    value_tol, grad_tol = AUTOCAST_TOLERANCES[dtype]
    report.check(
        f'{prefix}.close_to_fp32.values', value_err <= value_tol,
        f'terms vs fp32 on unrounded inputs ({short}: {_terms_text(terms)}; '
        f'fp32: {_terms_text(ref_terms)})', value_err, value_tol)
    report.check(f'{prefix}.close_to_fp32.grads', grad_err <= grad_tol,
                 'max |grad diff| / max |grad| vs fp32 on unrounded inputs',
                 grad_err, grad_tol)


# --------------------------------------------------------------------------
# The part
# --------------------------------------------------------------------------
def run_correctness(report: Report,
                    device: torch.device,
                    quick: bool,
                    plant: Optional[str] = None,
                    cases: Optional[Dict[str, LossCase]] = None) -> None:
    """Every correctness check of the report on ``device``.

    Args:
        report (Report): Where the checks go.
        device (torch.device): The device under test.
        quick (bool): Tiny sizes.
        plant (str, optional): One of :data:`PLANT_NAMES`: corrupt that
            device result before comparing it (for tests).
        cases (dict, optional): Loss cases; defaults to all registered.
    """
    if plant is not None and plant not in PLANT_NAMES:
        raise ValueError(f'plant must be one of {PLANT_NAMES}, got {plant!r}')
    boundary_sizes = (2, 64, 128) if quick else (8, 1024, 2048)
    report.log(f'boundary GT: {boundary_sizes[0]} labels '
               f'{boundary_sizes[1]}x{boundary_sizes[2]}')
    check_boundary(report, device, boundary_sizes, plant)
    metric_size = (64, 128) if quick else (1024, 2048)
    report.log(f'metric counts: one {metric_size[0]}x{metric_size[1]} image')
    check_metric(report, device, metric_size, plant)
    for case in (LOSS_CASES if cases is None else cases).values():
        report.log(f'loss {case.name}: building inputs')
        inputs, grad_names = case.make_inputs(quick)
        report.log(f'loss {case.name}: fp32')
        check_loss_fp32(report, case, inputs, grad_names, device, plant)
        for dtype in (torch.float16, torch.bfloat16):
            report.log(f'loss {case.name}: autocast {dtype}')
            check_loss_autocast(report, case, inputs, grad_names, device,
                                dtype, plant)
