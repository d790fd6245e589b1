# Copyright (c) cblseg contributors. All rights reserved.
"""What tools/benchmarks/benchmark_cbl_loss.py compares and times.

:func:`baseline_cbl` computes the Conditional Boundary Loss the way the CBL
reference (``New_ER5OCRHead`` in dywu98/CBL-Conditional-Boundary-Loss)
structures it, re-written here: a 256-channel ``F.one_hot`` of the labels;
for every class present, depthwise ``k x k`` convolutions of the
class-masked features and masks (the neighbour sums and counts); for the
context term, a loop over images and window offsets on the gathered
boundary positions with ``F.cosine_similarity`` and ``F.mse_loss``. It
computes our default definition (class 0 counts, border pixels use their
in-map neighbours, ignore-labelled neighbours are left out), so it must
give the values and feature gradients of ``conditional_boundary_loss``
(:func:`check_same`).

:func:`run_cbl_loss_benchmark` times forward + backward of both on the
inputs of :func:`cblseg.benchmarks.inputs.cbl_loss_inputs`.
"""
import resource
import statistics
import time
from typing import Callable, Dict, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from cblseg.models.losses import conditional_boundary_loss
from .compare import TERMS, forward_backward, relative_error
from .inputs import cbl_loss_inputs
from .loss_cases import LOSS_CASES, OCR_FULL_SIZE

__all__ = [
    'baseline_cbl', 'check_same', 'cbl_forward_backward',
    'run_cbl_loss_benchmark', 'FULL_SIZE', 'QUICK_SIZE', 'TERM_WEIGHTS'
]

IGNORE = 255
NUM_CLASSES = 19
EPS = 1e-5
# (batch, label height, label width, channels, stride): OCRNet HRNet-W48's
# bottleneck on a 512 x 1024 crop, as in the GPU report
FULL_SIZE = OCR_FULL_SIZE
QUICK_SIZE = (2, 128, 256, 32, 4)
# the config defaults: what a CBL head back-propagates
TERM_WEIGHTS = LOSS_CASES['ocr'].term_weights


def baseline_cbl(feats,
                 logits,
                 gt_sem_seg,
                 gt_edge_map,
                 cls_weight,
                 cls_bias,
                 kernel_size=5,
                 ignore_index=IGNORE) -> Dict[str, Tensor]:
    """Per-class CBL as the reference computes it, with our default
    semantics (see the module docstring); same arguments and return value
    as ``conditional_boundary_loss``."""
    bsz, channels, h, w = feats.shape
    num_classes = logits.shape[1]
    r = kernel_size // 2
    label = F.interpolate(
        gt_sem_seg.float(), size=(h, w), mode='nearest')[:, 0].long()
    edge = F.interpolate(
        gt_edge_map.float(), size=(h, w), mode='nearest')[:, 0].long()
    one_hot = F.one_hot(label, 256)[..., :num_classes].permute(0, 3, 1, 2)
    boundary = (edge == 1) & (label != ignore_index)
    shifts = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
              if (dy, dx) != (0, 0)]

    # context: per image, per offset, on the gathered boundary positions
    image_terms = []
    for i in range(bsz):
        ys, xs = torch.where(boundary[i])
        if len(ys) == 0:
            continue
        pixel_feats = feats[i].permute(1, 2, 0)
        hot = one_hot[i].permute(1, 2, 0)
        offset_terms = []
        for dy, dx in shifts:
            qy, qx = ys + dy, xs + dx
            keep = (qy >= 0) & (qy < h) & (qx >= 0) & (qx < w)
            py, px, qy, qx = ys[keep], xs[keep], qy[keep], qx[keep]
            keep = label[i, qy, qx] != ignore_index
            py, px, qy, qx = py[keep], px[keep], qy[keep], qx[keep]
            if len(py) == 0:
                continue
            sim = F.cosine_similarity(
                pixel_feats[py, px], pixel_feats[qy, qx], dim=1)
            tgt = (hot[py, px] * hot[qy, qx]).sum(-1).to(sim.dtype)
            offset_terms.append(F.mse_loss(sim, tgt))
        if offset_terms:
            image_terms.append(sum(offset_terms) / len(offset_terms))
    context = (
        sum(image_terms) / len(image_terms) if image_terms else feats.sum() *
        0)

    # NCE / CN: per class, depthwise neighbour sums over the whole map
    pred_hot = F.one_hot(logits.argmax(1), num_classes).permute(0, 3, 1, 2)
    kernel = torch.ones(
        1, 1, kernel_size, kernel_size, device=feats.device, dtype=feats.dtype)
    kernel[0, 0, r, r] = 0
    kernel_c = kernel.expand(channels, 1, kernel_size, kernel_size)
    weight = cls_weight.detach().reshape(num_classes, channels)
    bias = cls_bias.detach() if cls_bias is not None else None
    classes = [c for c in label.unique().tolist() if c != ignore_index]
    nce_total, cn_total, counted = 0, 0, 0
    for c in classes:
        cls = one_hot[:, c]
        ok = cls * pred_hot[:, c]
        cnt = F.conv2d(cls[:, None].to(feats.dtype), kernel, padding=r)[:, 0]
        cnt_ok = F.conv2d(ok[:, None].to(feats.dtype), kernel, padding=r)[:, 0]
        mask = (cnt >= 1) & boundary & cls.bool()
        mask_ok = (cnt_ok >= 1) & boundary & ok.bool()
        if mask.sum() < 1 or mask_ok.sum() < 1:
            continue
        nb = F.conv2d(
            feats * cls[:, None], kernel_c, padding=r, groups=channels)
        nb_ok = F.conv2d(
            feats * ok[:, None], kernel_c, padding=r, groups=channels)
        mean = (nb / (cnt[:, None] + EPS)).permute(0, 2, 3, 1)
        mean_ok = (nb_ok / (cnt_ok[:, None] + EPS)).permute(0, 2, 3, 1)
        z = F.linear(mean[mask], weight, bias)
        z_ok = F.linear(mean_ok[mask_ok], weight, bias)
        nce_total = nce_total + F.cross_entropy(
            z, torch.full((len(z), ), c, device=z.device)) + F.cross_entropy(
                z_ok, torch.full((len(z_ok), ), c, device=z.device))
        cn_total = cn_total + F.mse_loss(
            feats.permute(0, 2, 3, 1)[mask_ok], mean_ok[mask_ok].detach())
        counted += 1
    if counted == 0:
        zero = feats.sum() * 0
        return dict(context=context, nce=zero, cn=zero)
    return dict(
        context=context, nce=nce_total / counted, cn=cn_total / counted)


def cbl_forward_backward(fn: Callable, inputs: Sequence) -> Dict[str, Tensor]:
    """Terms and the feature gradient (``grad``) of the weighted total."""
    return forward_backward(fn, inputs, ('grad', ), TERM_WEIGHTS)


def check_same(ours: Dict[str, Tensor], base: Dict[str, Tensor]) -> str:
    """Assert the terms (rtol 1e-4, atol 1e-6) and the feature gradient
    (1e-4 of its max) agree; return a line that says by how much."""
    for name in TERMS:
        torch.testing.assert_close(
            ours[name], base[name], rtol=1e-4, atol=1e-6, msg=name)
    err = relative_error(ours['grad'], base['grad'])
    assert err < 1e-4, f'gradient differs: max error {err:.2e} of max |grad|'
    return (', '.join(f'{name} {float(ours[name]):.6f}' for name in TERMS) +
            f'; max |grad diff| / max |grad| = {float(err):.1e}')


def _timed(fn: Callable, inputs, repeats: int, device: torch.device):
    times = []
    result = None
    for _ in range(repeats):
        if device.type == 'cuda':
            torch.cuda.synchronize()
        start = time.perf_counter()
        result = cbl_forward_backward(fn, inputs)
        if device.type == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return result, times


def peak_memory_mb(device: torch.device) -> float:
    """Peak CUDA memory since the last reset, or the process's peak RSS."""
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_cbl_loss_benchmark(device: torch.device,
                           size: Sequence[int] = FULL_SIZE,
                           repeats: int = 5,
                           quick: bool = False,
                           log: Callable[[str], None] = print) -> float:
    """Check that ours and :func:`baseline_cbl` agree on ``device``, time
    ``repeats`` (baseline ``max(1, repeats // 5)``) forward + backward
    passes of each, print them; return the ratio baseline / ours.

    Raises:
        AssertionError: If the values or the gradients differ.
    """
    batch, height, width, channels, stride = size
    inputs = cbl_loss_inputs(batch, height, width, channels, stride)
    inputs = [t.to(device) for t in inputs]
    h, w = height // stride, width // stride
    edge = F.interpolate(
        inputs[3].float(), size=(h, w), mode='nearest').eq(1).float().mean()
    base_repeats = max(1, repeats // 5)
    desc = f'B={batch} C={channels} {h}x{w} K={NUM_CLASSES} k=5'
    log(f'[{device.type}] {desc}; labels {height}x{width}, '
        f'{float(edge) * 100:.1f}% boundary pixels at 1/{stride}')
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    start_mb = peak_memory_mb(device)
    cbl_forward_backward(conditional_boundary_loss, inputs)  # warm-up
    ours_out, ours_t = _timed(conditional_boundary_loss, inputs, repeats,
                              device)
    ours_mb = peak_memory_mb(device)
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    base_out, base_t = _timed(baseline_cbl, inputs, base_repeats, device)
    base_mb = peak_memory_mb(device)
    log(f'[{device.type}] same values: {check_same(ours_out, base_out)}')
    ours_s, base_s = statistics.median(ours_t), statistics.median(base_t)
    log(f'[{device.type}] (a) ours      fwd+bwd: {ours_s * 1000:10.1f} ms '
        f'(median of {repeats}; min {min(ours_t) * 1000:.1f})')
    log(f'[{device.type}] (b) baseline  fwd+bwd: {base_s * 1000:10.1f} ms '
        f'(median of {base_repeats}; min {min(base_t) * 1000:.1f})')
    kind = 'peak CUDA memory' if device.type == 'cuda' else 'peak RSS'
    log(f'[{device.type}] {kind}: {start_mb:.0f} MB with the inputs, '
        f'{ours_mb:.0f} MB after (a), {base_mb:.0f} MB after (b) (process '
        'peaks)')
    ratio = base_s / ours_s
    target = 'quick sizes, no target' if quick else 'target >= 30x on CPU'
    log(f'[{device.type}] ratio (b) baseline / (a) ours: {ratio:.1f}x '
        f'({target})')
    return ratio
