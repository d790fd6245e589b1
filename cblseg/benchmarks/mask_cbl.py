# Copyright (c) cblseg contributors. All rights reserved.
"""What tools/benchmarks/benchmark_mask_cbl_loss.py compares and times
(:func:`run_mask_cbl_benchmark`).

:func:`authors_mask_cbl` computes the mask-classification CBL with the
structure of the authors' code (``SetCriterion.context_loss`` and
``er_loss`` in ``mask2former/mask2former/modeling/criterion.py`` of
dywu98/CBL-Conditional-Boundary-Loss, re-written here): a 256-channel
``F.one_hot`` of the labels; for the context term a loop over images and
window offsets on the gathered boundary positions; for NCE and CN a loop
over the classes present, each with depthwise ``k x k`` convolutions of the
class-masked D-channel mask features and masks, and, inside, a loop over
the images for the query products. Its semantics are the authors', so it
is compared with ``mask_conditional_boundary_loss(...,
reference_quirks=True)``.

:func:`make_mask_inputs` builds ADE20K-like inputs: piecewise-constant
labels of many classes (random Voronoi cells, some ignore), boundaries from
``GenerateBoundary(dilation=0.02)``, and mask features, embeddings and
class logits under which most pixels are predicted right (so that every
term has pixels).
"""
import statistics
from typing import Callable, Dict, Optional

import numpy as np
import torch
import torch.nn.functional as F

from cblseg.datasets import GenerateBoundary
from cblseg.models.losses import mask_conditional_boundary_loss
from cblseg.utils.benchmark_timing import cpu_name, time_cuda_ms, time_ms
from .compare import forward_backward as _forward_backward
from .compare import max_relative_error

__all__ = [
    'make_mask_inputs', 'authors_mask_cbl', 'forward_backward',
    'max_relative_error', 'run_mask_cbl_benchmark', 'MASK_FULL_SIZE',
    'MASK_QUICK_SIZE'
]

IGNORE = 255
_EPS = 1e-5
GRAD_NAMES = ('grad_feats', 'grad_embed', 'grad_cls')
# Mask2Former Swin-B's mask-feature size on a 512 x 512 ADE20K crop: B=2,
# D=256, 128 x 128, Q=100, K=150 (quick: D=32, 32 x 32, Q=10, K=20).
MASK_FULL_SIZE = dict(
    batch=2, size=512, dims=256, queries=100, num_classes=150)
MASK_QUICK_SIZE = dict(
    batch=2, size=128, dims=32, queries=10, num_classes=20, cells=12)


def make_mask_inputs(batch: int = 2,
                     size: int = 512,
                     dims: int = 256,
                     queries: int = 100,
                     num_classes: int = 150,
                     cells: int = 40,
                     seed: int = 0):
    """ADE20K-like labels (``size`` x ``size``) and mask-model outputs at
    stride 4: mask features (B, dims, size/4, size/4), mask embeddings
    (B, queries, dims), class logits (B, queries, num_classes + 1)."""
    rng = np.random.default_rng(seed)
    boundary = GenerateBoundary(dilation=0.02)
    yy, xx = np.mgrid[:size, :size]
    labels, edges = [], []
    for _ in range(batch):
        centres = rng.integers(0, size, size=(cells, 2))
        classes = rng.integers(0, num_classes, size=cells)
        classes[rng.random(cells) < 0.05] = IGNORE
        dist = ((yy[None] - centres[:, 0, None, None])**2 +
                (xx[None] - centres[:, 1, None, None])**2)
        label = classes[dist.argmin(0)].astype(np.int64)
        labels.append(label)
        edges.append(
            boundary(dict(gt_seg_map=label))['gt_edge_map'].astype(np.int64))
    gt_sem_seg = torch.from_numpy(np.stack(labels))[:, None]
    gt_edge_map = torch.from_numpy(np.stack(edges))[:, None]
    h = size // 4
    gen = torch.Generator().manual_seed(seed)
    small = F.interpolate(
        gt_sem_seg.float(), size=(h, h), mode='nearest')[:, 0].long()
    dirs = F.normalize(
        torch.randn(num_classes + 1, dims, generator=gen), dim=1)
    feats = 0.5 * torch.randn(batch, dims, h, h, generator=gen)
    feats += 2 * dirs[small.clamp_max(num_classes)].permute(0, 3, 1, 2)
    embed = 0.3 * torch.randn(batch, queries, dims, generator=gen)
    cls_logits = torch.randn(batch, queries, num_classes + 1, generator=gen)
    for i in range(batch):  # one query for each class of the image
        present = [c for c in small[i].unique().tolist() if c < num_classes]
        for q, c in enumerate(present[:queries]):
            embed[i, q] += 3 * dirs[c]
            cls_logits[i, q, c] += 6
    return feats, embed, cls_logits, gt_sem_seg, gt_edge_map


def _context_like_authors(feats, label, edge, num_classes, kernel_size):
    bsz, _, h, w = feats.shape
    r = kernel_size // 2
    one_hot = F.one_hot(label, 256)[..., :num_classes]  # (B, h, w, K)
    # boundary mask times the label: class 0 and ignore drop out
    centres = edge.masked_fill(edge == IGNORE, 0) * label.masked_fill(
        label == IGNORE, 0)
    total = feats.new_zeros(())
    images = bsz
    for i in range(bsz):
        if (centres[i] > 0).sum() < 1:
            images -= 1
            continue
        ys, xs = torch.where(centres[i] > 0)
        keep = (ys >= r) & (ys <= h - 1 - r) & (xs >= r) & (xs <= w - 1 - r)
        ys, xs = ys[keep], xs[keep]
        pixel_feats = feats[i].permute(1, 2, 0)
        per_image = feats.new_zeros(())
        shifts = [(dy, dx) for dy in range(-r, r + 1)
                  for dx in range(-r, r + 1) if (dy, dx) != (0, 0)]
        for dy, dx in shifts:
            sim = F.cosine_similarity(
                pixel_feats[ys, xs], pixel_feats[ys + dy, xs + dx], dim=1)
            tgt = (one_hot[i, ys, xs] * one_hot[i, ys + dy, xs + dx]).sum(-1)
            per_image = per_image + F.mse_loss(sim, tgt.to(sim.dtype))
        total = total + per_image / len(shifts)
    context = total / images
    if torch.isnan(context):
        return feats.sum() * 0  # the authors return a constant 0
    return context


def authors_mask_cbl(mask_feats,
                     mask_embed,
                     cls_logits,
                     gt_sem_seg,
                     gt_edge_map,
                     kernel_size: int = 5) -> Dict[str, torch.Tensor]:
    """The mask CBL with the authors' structure and semantics (see the
    module docstring); ``cls_logits`` (B, Q, K + 1), no-object last."""
    bsz, dims, h, w = mask_feats.shape
    num_classes = cls_logits.shape[-1] - 1
    r = kernel_size // 2
    # the training forward's semantic logits (prediction)
    mask_pred = torch.einsum('bqd,bdhw->bqhw', mask_embed, mask_feats)
    sem = torch.einsum('bqc,bqhw->bchw',
                       F.softmax(cls_logits, -1)[..., :-1],
                       mask_pred.sigmoid())
    label = F.interpolate(
        gt_sem_seg.float(), size=(h, w), mode='nearest')[:, 0].long()
    edge = F.interpolate(
        gt_edge_map.float(), size=(h, w), mode='nearest')[:, 0].long()
    context = _context_like_authors(mask_feats, label, edge, num_classes,
                                    kernel_size)

    pred_hot = F.one_hot(sem.argmax(1), num_classes).permute(0, 3, 1, 2)
    one_hot = F.one_hot(label, 256)[..., :num_classes].permute(0, 3, 1, 2)
    edge_mask = edge.masked_fill(edge == IGNORE, 0).bool()
    kernel = torch.ones(
        1,
        1,
        kernel_size,
        kernel_size,
        dtype=mask_feats.dtype,
        device=mask_feats.device)
    kernel[0, 0, r, r] = 0
    kernel_d = kernel.expand(dims, 1, kernel_size, kernel_size)
    logits_k = cls_logits[..., :-1]
    classes = [c for c in gt_sem_seg.unique().tolist() if c != IGNORE]
    nce_total = cn_total = mask_feats.new_zeros(())
    counted = len(classes)
    for c in classes:
        cls = one_hot[:, c]
        ok = cls * pred_hot[:, c]
        nb = F.conv2d(
            mask_feats * cls[:, None], kernel_d, padding=r, groups=dims)
        nb_ok = F.conv2d(
            mask_feats * ok[:, None], kernel_d, padding=r, groups=dims)
        cnt = F.conv2d(cls[:, None].to(mask_feats.dtype), kernel, padding=r)
        cnt_ok = F.conv2d(ok[:, None].to(mask_feats.dtype), kernel, padding=r)
        mask = (cnt[:, 0] >= 1) & edge_mask & cls.bool()
        mask_ok = (cnt_ok[:, 0] >= 1) & edge_mask & ok.bool()
        if mask.sum() < 1 or mask_ok.sum() < 1:
            counted -= 1
            continue
        mean = (nb / (cnt + _EPS)).permute(0, 2, 3, 1)
        mean_ok = (nb_ok / (cnt_ok + _EPS)).permute(0, 2, 3, 1)
        scores = []
        for i in range(bsz):  # each image has its own queries
            act = (mask_embed[i] @ mean[i][mask[i]].t()).sigmoid()  # (Q, N)
            scores.append(logits_k[i].t() @ act)  # (K, N)
        scores = torch.cat(scores, 1).t()
        target = torch.full((len(scores), ), c, device=scores.device)
        nce_total = nce_total + F.cross_entropy(scores, target)
        cn_total = cn_total + F.mse_loss(
            mask_feats.permute(0, 2, 3, 1)[mask_ok], mean_ok[mask_ok].detach())
    if counted == 0:
        zero = mask_feats.sum() * 0
        return dict(context=context, nce=zero, cn=zero)
    return dict(
        context=context, nce=nce_total / counted, cn=cn_total / counted)


def forward_backward(fn: Callable, inputs,
                     **kwargs) -> Dict[str, torch.Tensor]:
    """Values and the gradients w.r.t. features, embeddings and class
    logits of ``context + nce + cn``."""
    return _forward_backward(fn, inputs, GRAD_NAMES, **kwargs)


def run_mask_cbl_benchmark(device: torch.device,
                           size: Optional[dict] = None,
                           repeats: int = 5,
                           base_repeats: Optional[int] = None,
                           quick: bool = False,
                           log: Callable[[str], None] = print) -> float:
    """Check that ``mask_conditional_boundary_loss(...,
    reference_quirks=True)`` and :func:`authors_mask_cbl` agree on
    ``device`` (values and gradients within 1e-4 relative), time
    ``repeats`` (the authors' structure ``base_repeats``, default
    ``max(1, repeats // 5)``) forward + backward passes of each and print
    them; return the ratio authors' / ours.

    ``size``: keyword arguments of :func:`make_mask_inputs` (default
    :data:`MASK_FULL_SIZE`).
    """
    inputs = [
        t.to(device) for t in make_mask_inputs(**(size or MASK_FULL_SIZE))
    ]
    feats, gt_sem_seg, gt_edge_map = inputs[0], inputs[3], inputs[4]
    edge = gt_edge_map[..., ::4, ::4].eq(1).float().mean()
    classes = len([c for c in gt_sem_seg.unique().tolist() if c != IGNORE])
    log(f'CPU: {cpu_name()}; {torch.get_num_threads()} thread(s); '
        f'torch {torch.__version__}; device {device}')
    log(f'mask features {tuple(feats.shape)}, Q={inputs[1].shape[1]}, '
        f'K={inputs[2].shape[2] - 1}, k=5; labels '
        f'{tuple(gt_sem_seg.shape[-2:])} with {classes} classes, '
        f'{float(edge) * 100:.1f}% boundary pixels at 1/4')

    def ours():
        return forward_backward(
            mask_conditional_boundary_loss, inputs, reference_quirks=True)

    def theirs():
        return forward_backward(authors_mask_cbl, inputs)

    errors = max_relative_error(ours(), theirs())
    worst = max(errors.values())
    log('same values: max relative difference ' +
        ', '.join(f'{k} {v:.1e}' for k, v in errors.items()))
    assert worst < 1e-4, f'ours and the authors\' structure differ: {errors}'
    timer = time_cuda_ms if device.type == 'cuda' else time_ms
    if base_repeats is None:
        base_repeats = max(1, repeats // 5)
    ours_ms = statistics.median(timer(ours, repeats))
    # the authors' structure already ran once for the comparison: no warm-up
    base_ms = statistics.median(timer(theirs, base_repeats, warmup=0))
    log(f'(a) ours                 fwd+bwd: {ours_ms:10.1f} ms '
        f'(median of {repeats})')
    log(f'(b) authors\' structure   fwd+bwd: {base_ms:10.1f} ms '
        f'(median of {base_repeats})')
    target = 'quick sizes, no target' if quick else 'target >= 30x'
    log(f'ratio (b) / (a): {base_ms / ours_ms:.1f}x ({target})')
    return base_ms / ours_ms
