# Copyright (c) cblseg contributors. All rights reserved.
"""Conditional Boundary Loss (CBL, Wu et al., TIP 2023), vectorised.

:func:`conditional_boundary_loss` computes the three terms of the loss and
:class:`ConditionalBoundaryLoss` wraps it for MMSeg configs. The definition
is in the docstring of :func:`conditional_boundary_loss`; docs/cbl.md
explains it and lists the differences from the reference implementation
(``reference_quirks``).

How it is computed. Every quantity in the loss is a sum over the
``k * k - 1`` window offsets ``o`` of per-pixel terms that involve ``F(p)``
and ``F(p + o)``. The class of the neighbour sums ``S_c(p)`` that a pixel
needs is always its own label (``c = L(p)``), so no per-class tensors are
built: one pass per offset accumulates "same label" / "same label and
predicted right" neighbour sums for all classes at once.

* The context term needs the dot products ``<F(p), F(p + o)>`` (and the
  norms); by symmetry only half of the offsets are computed.
* ``W m + b = (W S) / (n + eps) + b``: the NCE term sums the K-channel
  projections ``W F`` of the neighbours instead of C-channel features.
* Only ``S'`` (for CN, which is detached) is summed in C channels.

Forward and backward are written out in a :class:`torch.autograd.Function`
(the backward is one ``W^T dZ`` product, one shifted multiply-add per
offset and two element-wise terms). The only C-channel buffer allocated is
``F - m'``, which the backward turns into the gradient: fresh large buffers
cost more than the arithmetic on CPUs (page faults). On CPUs the C-channel
work goes through (image, channel) blocks that stay in cache across the
offsets.
"""
from typing import Dict, Optional

import torch
from torch import Tensor
from torch.autograd.function import once_differentiable

from cblseg.ops.checks import check_int
from .cbl_window import (_MEAN_EPS, NeighbourSets, _accumulate_shifted,
                         _checked_ground_truth, _cn_term, _context_grad_maps,
                         _feats_minus_mean, _label_and_boundary,
                         _neighbour_sets, _overlap, _window_offsets,
                         check_kernel_size)

__all__ = ['conditional_boundary_loss']


# --------------------------------------------------------------------------
# The loss
# --------------------------------------------------------------------------
def _nce_terms(feats: Tensor, sets: NeighbourSets, weight: Tensor,
               bias: Optional[Tensor], offsets):
    """NCE with the classifier ``W, b``: value and ``grad_proj`` (B, K, h,
    w) = ``d nce / d (W F)``."""
    bsz, channels, h, w = feats.shape
    num_classes = weight.shape[0]
    # Projections of the features on the classifier: W m = (W S) / (n+eps).
    flat = feats.reshape(bsz, channels, h * w)
    proj = torch.matmul(weight, flat).view(bsz, num_classes, h, w)
    sum_proj = torch.zeros_like(proj)
    sum_proj_ok = torch.zeros_like(proj)
    for (dy, dx), maps in zip(offsets, sets.same_maps):
        if maps is None:
            continue
        rows_p, cols_p, rows_q, cols_q = _overlap(dy, dx, h, w)
        same_f, same_ok_f = maps
        sp = (slice(None), slice(None), rows_p, cols_p)
        sq = (slice(None), slice(None), rows_q, cols_q)
        sum_proj[sp].addcmul_(proj[sq], same_f[:, None, rows_p, cols_p])
        sum_proj_ok[sp].addcmul_(proj[sq], same_ok_f[:, None, rows_p, cols_p])

    def cross_entropy(sums, nums, mask, target, pix_weight):
        z = sums.permute(0, 2, 3, 1)[mask] / (nums[mask] + _MEAN_EPS)[:, None]
        if bias is not None:
            z = z + bias
        log_prob = torch.log_softmax(z, 1)
        nll = -log_prob.gather(1, target[:, None])[:, 0]
        value = (pix_weight * nll).sum()
        # d value / d z = w (softmax - onehot); z = S / (n + eps) + b
        grad_z = log_prob.exp()
        grad_z[torch.arange(len(target), device=z.device), target] -= 1
        grad_z *= (pix_weight / (nums[mask] + _MEAN_EPS))[:, None]
        grad_sums = torch.zeros_like(sums)
        grad_sums.permute(0, 2, 3, 1)[mask] = grad_z
        return value, grad_sums

    nce_a, grad_sum_a = cross_entropy(sum_proj, sets.num, sets.set_a,
                                      sets.target_a, sets.pix_weight_a)
    nce_b, grad_sum_b = cross_entropy(sum_proj_ok, sets.num_ok, sets.set_b,
                                      sets.target_b, sets.pix_weight_b)
    # d nce / d proj(q) = sum_o same(q - o) grad_sum(q - o)
    grad_proj = torch.zeros_like(proj)
    for (dy, dx), maps in zip(offsets, sets.same_maps):
        if maps is None:
            continue
        rows_p, cols_p, rows_q, cols_q = _overlap(dy, dx, h, w)
        same_f, same_ok_f = maps
        dst = grad_proj[:, :, rows_q, cols_q]
        sp = (slice(None), slice(None), rows_p, cols_p)
        dst.addcmul_(grad_sum_a[sp], same_f[:, None, rows_p, cols_p])
        dst.addcmul_(grad_sum_b[sp], same_ok_f[:, None, rows_p, cols_p])
    return nce_a + nce_b, grad_proj


def _class_terms(feats: Tensor, pred: Tensor, label: Tensor, boundary: Tensor,
                 weight: Optional[Tensor], bias: Optional[Tensor], offsets,
                 ignore_index: int, num_classes: int):
    """NCE (0 when ``weight`` is None) and CN values and what their
    backward needs.

    Returns:
        tuple: nce, cn (0-dim), ``grad_proj`` (B, K, h, w) with
        ``d nce / d (W F) = grad_proj`` (None if 0), ``diff`` = F - m',
        ``cn_coef`` (B, 1, h, w) with ``d cn / d F = cn_coef * diff`` (None
        if 0) and the state that recomputes ``diff``.
    """
    zero = feats.new_zeros(())
    sets = _neighbour_sets(label, pred, boundary, offsets, ignore_index,
                           num_classes, feats.dtype)
    if sets is None:
        return zero, zero.clone(), None, None, None, None
    nce, grad_proj = zero, None
    if weight is not None:
        nce, grad_proj = _nce_terms(feats, sets, weight, bias, offsets)
    cn, diff, cn_coef, cn_state = _cn_term(feats, sets, offsets)
    return nce, cn, grad_proj, diff, cn_coef, cn_state


class _CBLFunction(torch.autograd.Function):
    """(context, nce, cn) of the features with a hand-written backward.

    ``pred`` (B, h, w) is the predicted class; with ``weight`` None the NCE
    term is 0 (the mask-classification CBL computes its own). The backward
    writes the gradient into the ``F - m'`` buffer of the forward (a fresh
    C-channel buffer costs page faults); a second backward through the same
    graph (``retain_graph=True``) recomputes that buffer.
    """

    @staticmethod
    def forward(ctx, feats, pred, label, boundary, weight, bias, kernel_size,
                ignore_index, reference_quirks, num_classes):
        offsets = _window_offsets(kernel_size)
        zero = feats.new_zeros(())
        ctx.shape = feats.shape
        ctx.offsets = offsets
        ctx.hc = ctx.alpha = ctx.grad_proj = ctx.diff = ctx.cn_coef = None
        ctx.cn_state = None
        if not offsets:
            ctx.save_for_backward(feats, weight)
            return zero, zero.clone(), zero.clone()
        context, ctx.hc, ctx.alpha = _context_grad_maps(
            feats, label, boundary, offsets, ignore_index, reference_quirks)
        (nce, cn, ctx.grad_proj, ctx.diff, ctx.cn_coef,
         ctx.cn_state) = _class_terms(feats, pred, label, boundary, weight,
                                      bias, offsets, ignore_index, num_classes)
        ctx.save_for_backward(feats, weight)
        return context, nce, cn

    @staticmethod
    @once_differentiable
    def backward(ctx, g_context, g_nce, g_cn):
        if not ctx.needs_input_grad[0]:
            return (None, ) * 10
        feats, weight = ctx.saved_tensors
        bsz, channels, h, w = ctx.shape
        with torch.autocast(device_type=feats.device.type, enabled=False):
            grad = None
            if ctx.cn_state is not None:
                # CN: d cn / dF = cn_coef * (F - m')
                if ctx.diff is not None:
                    grad, ctx.diff = ctx.diff, None  # consumed
                else:
                    grad = _feats_minus_mean(feats, *ctx.cn_state, ctx.offsets)
                grad.mul_(ctx.cn_coef * g_cn)
            if ctx.grad_proj is not None:
                # NCE: d nce / dF = W^T d nce / d(W F)
                grad_proj = (ctx.grad_proj * g_nce).reshape(bsz, -1, h * w)
                if grad is None:
                    grad = torch.matmul(weight.t(), grad_proj).view(ctx.shape)
                else:
                    grad.view(bsz, channels, h * w).baddbmm_(
                        weight.t().expand(bsz, channels, -1), grad_proj)
            if grad is None:
                grad = torch.zeros_like(feats)
            if ctx.hc is not None:
                # context: sum_o hc_o(p) F(p + o) - alpha(p) F(p)
                grad.addcmul_(feats, (ctx.alpha * -g_context)[:, None])
                _accumulate_shifted(
                    grad, feats,
                    [None if hc is None else hc * g_context
                     for hc in ctx.hc], ctx.offsets)
        return (grad, ) + (None, ) * 9


def conditional_boundary_loss(feats: Tensor,
                              logits: Tensor,
                              gt_sem_seg: Tensor,
                              gt_edge_map: Tensor,
                              cls_weight: Tensor,
                              cls_bias: Optional[Tensor] = None,
                              kernel_size: int = 5,
                              ignore_index: int = 255,
                              reference_quirks: bool = False,
                              check_labels: bool = True) -> Dict[str, Tensor]:
    """The three unweighted terms of the Conditional Boundary Loss.

    Definition (default mode). ``L`` and ``E`` are ``gt_sem_seg`` and
    ``gt_edge_map`` resized to the feature size ``h x w`` with
    ``F.interpolate(mode='nearest')``, ``pred = argmax(logits)``, ``N(p)``
    the ``k x k`` window around ``p`` without ``p`` (positions outside the
    map contribute nothing). A *boundary pixel* ``p`` has ``E(p) == 1`` and
    a label ``L(p) != ignore_index``. ``W, b`` (the classifier) are used
    detached: the terms send gradients into ``feats`` only.

    1. ``context``: for an image and an offset ``o``, ``P_o`` are its
       boundary pixels ``p`` whose neighbour ``q = p + o`` is inside the
       map and not ignore-labelled; ``s = cos(F(p), F(q))`` (norms clamped
       at 1e-8 as in ``F.cosine_similarity``), ``t = [L(q) == L(p)]``. The
       image's term is the mean, over the offsets with a non-empty
       ``P_o``, of the mean of ``(s - t)^2`` over ``P_o``; ``context`` is
       the mean over the images with at least one such pair.
    2. For each class ``c``: ``S_c(p)`` / ``n_c(p)`` is the sum / number of
       ``F(q)``, ``q in N(p)``, with ``L(q) == c``; ``S'_c`` / ``n'_c``
       the same over ``q`` with ``L(q) == pred(q) == c``.
       ``A_c`` = boundary pixels of class ``c`` with ``n_c >= 1``;
       ``A'_c`` = those with ``pred(p) == c`` and ``n'_c >= 1``. A class
       counts if ``A_c`` and ``A'_c`` are both non-empty (over the batch).
       ``m = S / (n + 1e-5)``, ``m' = S' / (n' + 1e-5)``.
       ``NCE_c = mean_{A_c} CE(W m + b, c) + mean_{A'_c} CE(W m' + b, c)``,
       ``CN_c = mean over A'_c and channels of (F(p) - stopgrad(m'(p)))^2``.
       ``nce`` / ``cn`` are the means over the counted classes.

    Every term is 0 when nothing counts, and still connected to ``feats``
    (so DDP sees every parameter used). ``reference_quirks=True``
    reproduces the reference implementation's context term: only boundary
    pixels of classes other than 0 at least ``k // 2`` pixels from the
    border are centres (images count if they have a class > 0 boundary
    pixel anywhere; if a counted image has none away from the border, the
    whole term is 0), and ignore-labelled neighbours are pairs with target
    0. See docs/cbl.md.

    The loss runs in float32 (float64 inputs stay float64) with autocast
    disabled. Cost: no Python loop over pixels, classes or images; per
    window offset one multiply-add over the features for the neighbour sums
    and one in the backward, per pair of opposite offsets one dot product,
    plus two small (K x C) matrix products. Memory: one extra buffer of the
    size of ``feats``, reused for the gradient.

    Args:
        feats (Tensor): Features ``F`` before the classifier, (B, C, h, w).
        logits (Tensor): Class scores (B, K, h, w) at the same size; only
            their argmax is used (no gradient).
        gt_sem_seg (Tensor): Labels (B, 1, H, W) or (B, H, W), values in
            ``[0, K)`` or ``ignore_index``.
        gt_edge_map (Tensor): Boundary map of the same shape from
            ``GenerateBoundary`` (1 boundary, 0 not, 255 ignore); values
            other than 1 are non-boundary.
        cls_weight (Tensor): Classifier weight, (K, C) or (K, C, 1, 1).
        cls_bias (Tensor, optional): Classifier bias (K,). Defaults to None.
        kernel_size (int): Odd window size ``k``. Defaults to 5.
        ignore_index (int): Ignored label. Defaults to 255.
        reference_quirks (bool): Compute the context term as the reference
            does (see above). Defaults to False.
        check_labels (bool): Check that ``gt_sem_seg`` holds only classes
            and ``ignore_index`` (one reduction; one sync on CUDA), raising
            the ValueError below. The CBL heads pass False: they check the
            labels once per step, before the decode loss. With False,
            invalid labels give undefined results. Defaults to True.

    Returns:
        dict[str, Tensor]: 0-dim tensors ``context``, ``nce`` and ``cn``
        (float32, float64 for float64 features), unweighted.

    Raises:
        ValueError: On shape mismatches, an invalid ``kernel_size``, or
            labels that are neither in ``[0, K)`` nor ``ignore_index`` (the
            message lists them).
    """
    kernel_size = check_kernel_size(kernel_size)
    ignore_index = check_int('ignore_index', ignore_index)
    if not isinstance(feats, Tensor) or feats.dim() != 4:
        raise ValueError('feats must be a (B, C, h, w) tensor, got '
                         f'{getattr(feats, "shape", type(feats))}')
    b, c, h, w = feats.shape
    if logits.dim() != 4 or logits.shape[0] != b or tuple(
            logits.shape[2:]) != (h, w):
        raise ValueError(f'logits must be (B, K, h, w) = ({b}, K, {h}, {w}) '
                         f'like feats, got shape {tuple(logits.shape)}')
    k = logits.shape[1]
    if cls_weight.dim() == 4:
        if tuple(cls_weight.shape[2:]) != (1, 1):
            raise ValueError('cls_weight must be (K, C) or (K, C, 1, 1), got '
                             f'shape {tuple(cls_weight.shape)}')
        cls_weight = cls_weight.flatten(1)
    if tuple(cls_weight.shape) != (k, c):
        raise ValueError(f'cls_weight must be (K, C) = ({k}, {c}) or '
                         f'(K, C, 1, 1), got shape {tuple(cls_weight.shape)}')
    if cls_bias is not None and tuple(cls_bias.shape) != (k, ):
        raise ValueError(
            f'cls_bias must be (K,) = ({k},), got {tuple(cls_bias.shape)}')
    gt_sem_seg, gt_edge_map = _checked_ground_truth(gt_sem_seg, gt_edge_map, b,
                                                    k, ignore_index,
                                                    check_labels)

    with torch.autocast(device_type=feats.device.type, enabled=False):
        # fp16 / bf16 -> fp32; fp64 stays fp64.
        dtype = torch.promote_types(feats.dtype, torch.float32)
        feats = feats.to(dtype).contiguous()
        logits = logits.detach().to(dtype)
        weight = cls_weight.detach().to(dtype).contiguous()
        bias = None if cls_bias is None else cls_bias.detach().to(dtype)
        label, boundary = _label_and_boundary(gt_sem_seg, gt_edge_map, (h, w),
                                              ignore_index)
        context, nce, cn = _CBLFunction.apply(feats, logits.argmax(1), label,
                                              boundary, weight, bias,
                                              kernel_size, ignore_index,
                                              bool(reference_quirks), k)
    return dict(context=context, nce=nce, cn=cn)
