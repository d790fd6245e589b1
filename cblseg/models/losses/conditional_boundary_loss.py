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
import numbers
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor
from torch.autograd.function import once_differentiable

from cblseg.ops import ignore_aware_one_hot
from cblseg.utils.arguments import reject_unknown_kwargs

__all__ = ['conditional_boundary_loss', 'ConditionalBoundaryLoss']

# The reference's constant in m = S / (n + eps).
_MEAN_EPS = 1e-5
# F.cosine_similarity's default eps (norms are clamped at it).
_COS_EPS = 1e-8
# Elements of one (image, channel) block on CPUs: the shifted products and
# multiply-adds work block by block so that the operands (4 MiB each in
# float32) stay in the last-level cache across the window offsets.
_BLOCK_ELEMS = 1 << 20


def _cache_blocking(device: torch.device) -> bool:
    """Whether to work in cache-sized blocks (CPUs) rather than in as few
    launches as possible (GPUs)."""
    return device.type == 'cpu'


# --------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------
def _check_kernel_size(kernel_size) -> int:
    if (isinstance(kernel_size, bool)
            or not isinstance(kernel_size, numbers.Integral) or kernel_size < 1
            or kernel_size % 2 == 0):
        raise ValueError(
            f'kernel_size must be an odd integer >= 1, got {kernel_size!r}')
    return int(kernel_size)


def _check_ignore_index(ignore_index) -> int:
    if (isinstance(ignore_index, bool)
            or not isinstance(ignore_index, numbers.Integral)):
        raise ValueError(
            f'ignore_index must be an integer, got {ignore_index!r}')
    return int(ignore_index)


def _as_label_map(label: Tensor, name: str, batch: int) -> Tensor:
    """(B, 1, H, W) or (B, H, W) integer labels -> (B, 1, H, W)."""
    if not isinstance(label, Tensor):
        raise TypeError(f'{name} must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'{name} must be an integer tensor, got {label.dtype}')
    if label.dim() == 3:
        label = label.unsqueeze(1)
    if label.dim() != 4 or label.shape[1] != 1 or label.shape[0] != batch:
        raise ValueError(f'{name} must be (B, 1, H, W) or (B, H, W) with '
                         f'B = {batch}, got shape {tuple(label.shape)}')
    return label


def _validate_labels(label: Tensor, num_classes: int,
                     ignore_index: int) -> None:
    """Raise the shared ValueError naming labels outside [0, K) + ignore."""
    wide = label.long()
    invalid = ((wide < 0) | (wide >= num_classes)) & (wide != ignore_index)
    if bool(invalid.any()):
        # ignore_aware_one_hot raises the ValueError listing the values.
        ignore_aware_one_hot(wide, num_classes, ignore_index)
        raise ValueError(  # pragma: no cover (defensive)
            f'label contains values outside [0, {num_classes}) other than '
            f'the ignore index {ignore_index}')


def _resize_nearest(label: Tensor, size: Tuple[int, int]) -> Tensor:
    """``F.interpolate(mode='nearest')`` of a (B, 1, H, W) integer map, as
    int64 (B, h, w). Labels are exact in float32 (|values| < 2**24)."""
    if tuple(label.shape[-2:]) != tuple(size):
        label = F.interpolate(label.float(), size=size, mode='nearest')
    return label[:, 0].long()


# --------------------------------------------------------------------------
# Window helpers
# --------------------------------------------------------------------------
def _window_offsets(kernel_size: int) -> List[Tuple[int, int]]:
    """The (dy, dx) offsets of the k x k window without the centre, in
    row-major order; offset ``j`` and ``len - 1 - j`` are opposite."""
    r = kernel_size // 2
    return [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
            if (dy, dx) != (0, 0)]


def _overlap(dy: int, dx: int, h: int, w: int):
    """Slices (rows_p, cols_p, rows_q, cols_q) of the pixels p with
    q = p + (dy, dx) inside the h x w map; None if there is none."""
    y0, y1 = max(0, -dy), min(h, h - dy)
    x0, x1 = max(0, -dx), min(w, w - dx)
    if y0 >= y1 or x0 >= x1:
        return None
    rows_p, cols_p = slice(y0, y1), slice(x0, x1)
    rows_q, cols_q = slice(y0 + dy, y1 + dy), slice(x0 + dx, x1 + dx)
    return rows_p, cols_p, rows_q, cols_q


def _shifted(values: Tensor, dy: int, dx: int, fill=0) -> Tensor:
    """``out[..., y, x] = values[..., y + dy, x + dx]``, ``fill`` outside."""
    h, w = values.shape[-2:]
    out = torch.full_like(values, fill)
    sl = _overlap(dy, dx, h, w)
    if sl is not None:
        out[..., sl[0], sl[1]] = values[..., sl[2], sl[3]]
    return out


def _blocks(x: Tensor):
    """(images, channels) index pairs that cover ``x`` (B, C, h, w): blocks
    of about ``_BLOCK_ELEMS`` elements of one image on CPUs, so that a block
    stays in cache while it is used for every offset; the whole tensor
    otherwise (one launch per offset on GPUs)."""
    bsz, channels, h, w = x.shape
    if not _cache_blocking(x.device):
        return [(slice(None), slice(None))]
    block = max(1, min(channels, _BLOCK_ELEMS // max(1, h * w)))
    return [(slice(i, i + 1), slice(c, c + block)) for i in range(bsz)
            for c in range(0, channels, block)]


def _channel_dots(a: Tensor, b: Tensor, offsets) -> List[Tensor]:
    """For each offset ``(dy, dx)`` the (B, h, w) map
    ``out[i, y, x] = sum_c a[i, c, y, x] * b[i, c, y + dy, x + dx]`` (0 where
    the neighbour is outside), block by block through one scratch buffer,
    so that no C-channel temporary is allocated."""
    bsz, _, h, w = a.shape
    outs = [a.new_zeros(bsz, h, w) for _ in offsets]
    slices = [_overlap(dy, dx, h, w) for dy, dx in offsets]
    blocks = _blocks(a)
    imgs, chans = blocks[0]
    scratch = a.new_empty(max(1, a[imgs, chans].numel()))
    for imgs, chans in blocks:
        a_block, b_block = a[imgs, chans], b[imgs, chans]
        for out, sl in zip(outs, slices):
            if sl is None:
                continue
            rows_p, cols_p, rows_q, cols_q = sl
            shape = a_block[:, :, rows_p, cols_p].shape
            prod = scratch[:shape.numel()].view(shape)
            torch.mul(
                a_block[:, :, rows_p, cols_p],
                b_block[:, :, rows_q, cols_q],
                out=prod)
            out[imgs, rows_p, cols_p] += prod.sum(1)
    return outs


def _accumulate_shifted(out: Tensor, src: Tensor, weights, offsets) -> None:
    """For every offset ``o`` with a weight map ``wt`` (B, h, w), in place:
    ``out[:, :, p] += wt[:, p] * src[:, :, p + o]``, block by block."""
    h, w = out.shape[-2:]
    terms = []
    for (dy, dx), wt in zip(offsets, weights):
        sl = _overlap(dy, dx, h, w)
        if wt is None or sl is None:
            continue
        rows_p, cols_p, rows_q, cols_q = sl
        terms.append((rows_p, cols_p, rows_q, cols_q, wt[:, None, rows_p,
                                                         cols_p]))
    for imgs, chans in _blocks(out):
        out_block, src_block = out[imgs, chans], src[imgs, chans]
        for rows_p, cols_p, rows_q, cols_q, wt in terms:
            dst = out_block[:, :, rows_p, cols_p]
            dst.addcmul_(src_block[:, :, rows_q, cols_q], wt[imgs])


# --------------------------------------------------------------------------
# The loss
# --------------------------------------------------------------------------
def _context_grad_maps(feats: Tensor, label: Tensor, boundary: Tensor, offsets,
                       ignore_index: int, reference_quirks: bool):
    """Context term value and what its backward needs.

    Returns:
        tuple: value (0-dim), the per-offset neighbour weights ``hc`` (list
        of (B, h, w) maps or None entries) and the per-pixel self weight
        ``alpha`` (B, h, w), such that
        ``d value / d F(p) = sum_o hc[o](p) F(p + o) - alpha(p) F(p)``.
        ``hc`` is None when the term is constant 0.
    """
    bsz, _, h, w = feats.shape
    r = max(max(abs(dy), abs(dx)) for dy, dx in offsets)
    num_off = len(offsets)
    zero = feats.new_zeros(())
    valid = label != ignore_index
    if reference_quirks:
        centre = boundary & (label != 0)
        counts_image = centre.flatten(1).any(1)  # the images that count
        interior = torch.zeros_like(centre)
        interior[:, r:h - r, r:w - r] = True
        centre = centre & interior
    else:
        centre = boundary
    label_pad = F.pad(label, (r, r, r, r), value=-1)
    pairs, targets = [], []
    for dy, dx in offsets:
        nb_label = label_pad[:, r + dy:r + dy + h, r + dx:r + dx + w]
        if reference_quirks:
            pairs.append(centre)
            # one-hot product: an ignore-labelled neighbour gives 0
            targets.append((nb_label == label) & valid)
        else:
            pairs.append(centre & (nb_label >= 0) & (nb_label != ignore_index))
            targets.append(nb_label == label)
    pair = torch.stack(pairs, 1)  # (B, O, h, w)
    counts = pair.flatten(2).sum(2).to(feats.dtype)  # (B, O)

    # weight of each pair's squared error in the term
    if reference_quirks:
        interior_count = counts[:, 0]
        num_images = int(counts_image.sum())
        if num_images == 0 or bool(
            (counts_image & (interior_count == 0)).any()):
            # No image counts (0 / 0), or one does but has no interior
            # boundary pixel: the reference's F.mse_loss of empty tensors
            # is NaN and it returns 0 for the whole batch.
            return zero, None, None
        weight = (
            counts_image.to(feats.dtype) /
            (interior_count.clamp_min(1) * num_off * num_images))
        weight = weight[:, None].expand(bsz, num_off)
    else:
        used = counts > 0
        num_used = used.sum(1)  # offsets used per image
        image_used = num_used > 0
        num_images = int(image_used.sum())
        if num_images == 0:
            return zero, None, None
        weight = used / (
            counts.clamp_min(1) * num_used.clamp_min(1)[:, None] * num_images)

    # dot products and norms; <F(p), F(p+o)> = <F(q), F(q-o)> at q = p+o,
    # so only the first half of the offsets is computed
    needed = pair.flatten(2).any(2).any(0).tolist()
    half = [
        j for j in range(num_off)
        if j < num_off - 1 - j and (needed[j] or needed[num_off - 1 - j])
    ]
    dots = _channel_dots(feats, feats, [(0, 0)] + [offsets[j] for j in half])
    sq_norm = dots[0]
    inv_norm = sq_norm.clamp_min(_COS_EPS * _COS_EPS).rsqrt()
    unclamped = sq_norm > _COS_EPS * _COS_EPS
    cos = [None] * num_off
    for j, dot in zip(half, dots[1:]):
        dy, dx = offsets[j]
        cos[j] = dot * inv_norm * _shifted(inv_norm, dy, dx)
        cos[num_off - 1 - j] = _shifted(cos[j], -dy, -dx)

    value = zero
    grad_cos = [None] * num_off  # d value / d cos(p, o), 0 off the pairs
    for j in range(num_off):
        if not needed[j]:
            continue
        err = (cos[j] - targets[j].to(feats.dtype)) * pair[:, j]
        wj = weight[:, j, None, None]
        value = value + (wj * err * err).sum()
        grad_cos[j] = 2 * wj * err
    # cos(p, o) = <F(p), F(q)> inv(p) inv(q), q = p + o:
    #   d/dF(p) = inv(p) inv(q) F(q) - cos inv(p)^2 F(p)   (unclamped p)
    hc = [None] * num_off
    self_term = torch.zeros_like(inv_norm)
    for j, (dy, dx) in enumerate(offsets):
        opp = num_off - 1 - j
        g_here = grad_cos[j]  # pairs centred at p, neighbour p + o
        g_there = grad_cos[opp]  # pairs centred at p + o, neighbour p
        if g_here is None and g_there is None:
            continue
        total = torch.zeros_like(inv_norm)
        if g_here is not None:
            total = total + g_here
            self_term = self_term + g_here * cos[j]
        if g_there is not None:
            total = total + _shifted(g_there, dy, dx)
            # pair (p + o, -o) differentiated w.r.t. its neighbour p
            self_term = self_term + _shifted(g_there * cos[opp], dy, dx)
        hc[j] = total * inv_norm * _shifted(inv_norm, dy, dx)
    alpha = self_term * inv_norm * inv_norm * unclamped
    return value, hc, alpha


def _class_terms(feats: Tensor, logits: Tensor, label: Tensor,
                 boundary: Tensor, weight: Tensor, bias: Optional[Tensor],
                 offsets, ignore_index: int):
    """NCE and CN values and what their backward needs.

    Returns:
        tuple: nce, cn (0-dim), ``grad_proj`` (B, K, h, w) with
        ``d nce / d (W F) = grad_proj`` (None if 0), ``diff`` = F - m' and
        ``cn_coef`` (B, 1, h, w) with ``d cn / d F = cn_coef * diff`` (None
        if 0).
    """
    bsz, channels, h, w = feats.shape
    num_classes = weight.shape[0]
    zero = feats.new_zeros(())
    valid = label != ignore_index
    correct = (logits.argmax(1) == label) & valid
    candidates = boundary  # boundary pixels (valid labels)
    if not bool(candidates.any()):
        return zero, zero.clone(), None, None, None, None
    r = max(max(abs(dy), abs(dx)) for dy, dx in offsets)
    label_pad = F.pad(label, (r, r, r, r), value=-1)
    correct_pad = F.pad(correct, (r, r, r, r), value=False)
    # Projections of the features on the classifier: W m = (W S) / (n+eps).
    flat = feats.reshape(bsz, channels, h * w)
    proj = torch.matmul(weight, flat).view(bsz, num_classes, h, w)
    sum_proj = torch.zeros_like(proj)
    sum_proj_ok = torch.zeros_like(proj)
    num = feats.new_zeros(bsz, h, w)
    num_ok = feats.new_zeros(bsz, h, w)
    same_maps = []
    for dy, dx in offsets:
        sl = _overlap(dy, dx, h, w)
        if sl is None:
            same_maps.append(None)
            continue
        rows_p, cols_p, rows_q, cols_q = sl
        nb_label = label_pad[:, r + dy:r + dy + h, r + dx:r + dx + w]
        nb_ok = correct_pad[:, r + dy:r + dy + h, r + dx:r + dx + w]
        # only the sums at boundary pixels are used
        same = (nb_label == label) & candidates
        same_ok = same & nb_ok
        same_f = same.to(feats.dtype)
        same_ok_f = same_ok.to(feats.dtype)
        same_maps.append((same_f, same_ok_f))
        num += same_f
        num_ok += same_ok_f
        sp = (slice(None), slice(None), rows_p, cols_p)
        sq = (slice(None), slice(None), rows_q, cols_q)
        sum_proj[sp].addcmul_(proj[sq], same_f[:, None, rows_p, cols_p])
        sum_proj_ok[sp].addcmul_(proj[sq], same_ok_f[:, None, rows_p, cols_p])
    set_a = candidates & (num >= 1)
    set_b = candidates & correct & (num_ok >= 1)
    target_a, target_b = label[set_a], label[set_b]
    count_a = torch.bincount(target_a, minlength=num_classes)
    count_b = torch.bincount(target_b, minlength=num_classes)
    counted = (count_a > 0) & (count_b > 0)
    num_counted = int(counted.sum())
    if num_counted == 0:
        return zero, zero.clone(), None, None, None, None
    # per-pixel weights: 1 / (|A_c| * #counted classes), 0 if c not counted
    # (in feats' dtype: integer / integer would be the default float dtype)
    dtype = feats.dtype
    pix_weight_a = (counted.to(dtype) /
                    (count_a.clamp_min(1).to(dtype) * num_counted))[target_a]
    pix_weight_b = (counted.to(dtype) /
                    (count_b.clamp_min(1).to(dtype) * num_counted))[target_b]

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

    nce_a, grad_sum_a = cross_entropy(sum_proj, num, set_a, target_a,
                                      pix_weight_a)
    nce_b, grad_sum_b = cross_entropy(sum_proj_ok, num_ok, set_b, target_b,
                                      pix_weight_b)
    nce = nce_a + nce_b
    # d nce / d proj(q) = sum_o same(q - o) grad_sum(q - o)
    grad_proj = torch.zeros_like(proj)
    for (dy, dx), maps in zip(offsets, same_maps):
        if maps is None:
            continue
        rows_p, cols_p, rows_q, cols_q = _overlap(dy, dx, h, w)
        same_f, same_ok_f = maps
        dst = grad_proj[:, :, rows_q, cols_q]
        sp = (slice(None), slice(None), rows_p, cols_p)
        dst.addcmul_(grad_sum_a[sp], same_f[:, None, rows_p, cols_p])
        dst.addcmul_(grad_sum_b[sp], same_ok_f[:, None, rows_p, cols_p])

    # CN: mean of (F - m')^2 over A'_c and channels
    same_ok_maps = [None if m is None else m[1] for m in same_maps]
    diff = _feats_minus_mean(feats, same_ok_maps, num_ok, offsets)
    cn_coef = feats.new_zeros(bsz, h, w)
    cn_coef[set_b] = pix_weight_b / channels
    sq_dist, = _channel_dots(diff, diff, [(0, 0)])
    cn = (cn_coef * sq_dist).sum()
    return nce, cn, grad_proj, diff, (2 * cn_coef)[:, None], (same_ok_maps,
                                                              num_ok)


def _feats_minus_mean(feats: Tensor, same_ok_maps, num_ok: Tensor,
                      offsets) -> Tensor:
    """``F - m'`` with ``m' = S' / (n' + eps)`` (C channels, no gradient);
    ``S'`` is summed in the returned buffer."""
    diff = torch.zeros_like(feats)
    _accumulate_shifted(diff, feats, same_ok_maps, offsets)
    diff.mul_((-1.0 / (num_ok + _MEAN_EPS))[:, None]).add_(feats)
    return diff


class _CBLFunction(torch.autograd.Function):
    """(context, nce, cn) of the features with a hand-written backward.

    The backward writes the gradient into the ``F - m'`` buffer of the
    forward (a fresh C-channel buffer costs page faults); a second backward
    through the same graph (``retain_graph=True``) recomputes that buffer.
    """

    @staticmethod
    def forward(ctx, feats, logits, label, boundary, weight, bias, kernel_size,
                ignore_index, reference_quirks):
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
         ctx.cn_state) = _class_terms(feats, logits, label, boundary, weight,
                                      bias, offsets, ignore_index)
        ctx.save_for_backward(feats, weight)
        return context, nce, cn

    @staticmethod
    @once_differentiable
    def backward(ctx, g_context, g_nce, g_cn):
        if not ctx.needs_input_grad[0]:
            return (None, ) * 9
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
        return (grad, ) + (None, ) * 8


def conditional_boundary_loss(
        feats: Tensor,
        logits: Tensor,
        gt_sem_seg: Tensor,
        gt_edge_map: Tensor,
        cls_weight: Tensor,
        cls_bias: Optional[Tensor] = None,
        kernel_size: int = 5,
        ignore_index: int = 255,
        reference_quirks: bool = False) -> Dict[str, Tensor]:
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

    Returns:
        dict[str, Tensor]: 0-dim tensors ``context``, ``nce`` and ``cn``
        (float32, float64 for float64 features), unweighted.

    Raises:
        ValueError: On shape mismatches, an invalid ``kernel_size``, or
            labels that are neither in ``[0, K)`` nor ``ignore_index`` (the
            message lists them).
    """
    kernel_size = _check_kernel_size(kernel_size)
    ignore_index = _check_ignore_index(ignore_index)
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
    gt_sem_seg = _as_label_map(gt_sem_seg, 'gt_sem_seg', b)
    gt_edge_map = _as_label_map(gt_edge_map, 'gt_edge_map', b)
    if gt_edge_map.shape != gt_sem_seg.shape:
        raise ValueError('gt_edge_map must have the shape of gt_sem_seg '
                         f'{tuple(gt_sem_seg.shape)}, got '
                         f'{tuple(gt_edge_map.shape)}')
    _validate_labels(gt_sem_seg, k, ignore_index)

    with torch.autocast(device_type=feats.device.type, enabled=False):
        # fp16 / bf16 -> fp32; fp64 stays fp64.
        dtype = torch.promote_types(feats.dtype, torch.float32)
        feats = feats.to(dtype).contiguous()
        logits = logits.detach().to(dtype)
        weight = cls_weight.detach().to(dtype).contiguous()
        bias = None if cls_bias is None else cls_bias.detach().to(dtype)
        label = _resize_nearest(gt_sem_seg, (h, w))
        boundary = (_resize_nearest(gt_edge_map, (h, w)) == 1) & (
            label != ignore_index)
        context, nce, cn = _CBLFunction.apply(feats, logits, label, boundary,
                                              weight, bias, kernel_size,
                                              ignore_index,
                                              bool(reference_quirks))
    return dict(context=context, nce=nce, cn=cn)


@MODELS.register_module()
class ConditionalBoundaryLoss(nn.Module):
    """Conditional Boundary Loss (Wu et al., TIP 2023) as an MMSeg loss.

    Computes the three terms of :func:`conditional_boundary_loss` (see its
    docstring or docs/cbl.md for the definition) and returns them weighted,
    as three ``loss_*`` entries that MMSeg sums into the total loss and
    logs separately:

    - ``{loss_name}_context`` = ``loss_weight_context * context``: the
      cosine similarity of each boundary pixel's feature to its ``k x k``
      neighbours' should be 1 for the same label and 0 otherwise.
    - ``{loss_name}_nce`` = ``loss_weight_nce * nce``: the mean feature of a
      boundary pixel's same-class neighbours (all of them, and those
      predicted right) must be classified as that class by the head's
      classifier (used detached).
    - ``{loss_name}_cn`` = ``loss_weight_cn * cn``: a boundary pixel that is
      predicted right is pulled towards the (detached) mean feature of its
      right-predicted same-class neighbours.

    The default weights 1.0 / 0.2 / 2.0 are the reference's.

    Args:
        loss_weight_context (float): Weight of the context term.
            Defaults to 1.0.
        loss_weight_nce (float): Weight of the neighbour classification
            (NCE) term. Defaults to 0.2.
        loss_weight_cn (float): Weight of the close-to-neighbours (CN) term.
            Defaults to 2.0.
        kernel_size (int): Odd neighbourhood size ``k``. Defaults to 5.
        ignore_index (int): Ignored label. Defaults to 255.
        reference_quirks (bool): Reproduce the reference implementation's
            context term (class 0 skipped, border band skipped, ignore
            neighbours as target 0). Defaults to False.
        loss_name (str): Prefix of the returned keys; MMSeg adds every key
            that starts with ``loss`` to the total loss. Defaults to
            ``'loss_cbl'``.

    Raises:
        TypeError: For any other keyword argument (a misspelt config key),
            naming it and the accepted ones.

    Example:
        >>> cbl = MODELS.build(dict(type='ConditionalBoundaryLoss'))
        >>> losses = cbl(feats, seg_logits, gt_sem_seg, gt_edge_map,
        ...              head.conv_seg.weight, head.conv_seg.bias)
        >>> sorted(losses)
        ['loss_cbl_cn', 'loss_cbl_context', 'loss_cbl_nce']
    """

    def __init__(self,
                 loss_weight_context: float = 1.0,
                 loss_weight_nce: float = 0.2,
                 loss_weight_cn: float = 2.0,
                 kernel_size: int = 5,
                 ignore_index: int = 255,
                 reference_quirks: bool = False,
                 loss_name: str = 'loss_cbl',
                 **kwargs) -> None:
        reject_unknown_kwargs(type(self).__name__, kwargs,
                              ConditionalBoundaryLoss.__init__)
        super().__init__()
        self.loss_weight_context = float(loss_weight_context)
        self.loss_weight_nce = float(loss_weight_nce)
        self.loss_weight_cn = float(loss_weight_cn)
        self.kernel_size = _check_kernel_size(kernel_size)
        self.ignore_index = _check_ignore_index(ignore_index)
        self.reference_quirks = bool(reference_quirks)
        self._loss_name = loss_name

    def forward(self, feats: Tensor, logits: Tensor, gt_sem_seg: Tensor,
                gt_edge_map: Tensor, cls_weight: Tensor,
                cls_bias: Optional[Tensor]) -> Dict[str, Tensor]:
        """Compute the weighted terms.

        Args:
            feats (Tensor): Features before the classifier, (B, C, h, w).
            logits (Tensor): Class scores (B, K, h, w) (argmax only).
            gt_sem_seg (Tensor): Labels (B, 1, H, W) or (B, H, W).
            gt_edge_map (Tensor): ``GenerateBoundary`` map, same shape.
            cls_weight (Tensor): Classifier weight (K, C) or (K, C, 1, 1).
            cls_bias (Tensor, optional): Classifier bias (K,).

        Returns:
            dict[str, Tensor]: ``{loss_name}_context``,
            ``{loss_name}_nce`` and ``{loss_name}_cn``.
        """
        terms = conditional_boundary_loss(
            feats,
            logits,
            gt_sem_seg,
            gt_edge_map,
            cls_weight,
            cls_bias,
            kernel_size=self.kernel_size,
            ignore_index=self.ignore_index,
            reference_quirks=self.reference_quirks)
        name = self._loss_name
        return {
            f'{name}_context': self.loss_weight_context * terms['context'],
            f'{name}_nce': self.loss_weight_nce * terms['nce'],
            f'{name}_cn': self.loss_weight_cn * terms['cn'],
        }

    @property
    def loss_name(self) -> str:
        """str: The prefix of the returned keys."""
        return self._loss_name

    def extra_repr(self) -> str:
        return (f'loss_weight_context={self.loss_weight_context}, '
                f'loss_weight_nce={self.loss_weight_nce}, '
                f'loss_weight_cn={self.loss_weight_cn}, '
                f'kernel_size={self.kernel_size}, '
                f'ignore_index={self.ignore_index}, '
                f'reference_quirks={self.reference_quirks}, '
                f'loss_name={self._loss_name!r}')
