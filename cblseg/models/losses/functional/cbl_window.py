# Copyright (c) cblseg contributors. All rights reserved.
"""Window machinery shared by the per-pixel and the mask-classification
Conditional Boundary Loss.

Input checks, the ``k x k`` window offsets and shifted (cache-blocked)
products, the context term (value and the maps its backward needs), the
same-label neighbour sets that the NCE and CN terms are built on, and the
CN term itself. :mod:`.conditional_boundary_loss` (per-pixel heads) and
:mod:`.mask_conditional_boundary_loss` (Mask2Former / MaskFormer) differ
only in their NCE term and in where the features and the prediction come
from; everything here is used by both.
"""
from typing import List, NamedTuple, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from cblseg.ops.checks import check_int
from cblseg.ops.labels import check_label_values

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
def check_kernel_size(kernel_size) -> int:
    """The window size ``k`` as an int: an odd integer >= 1."""
    return check_int('kernel_size', kernel_size, 1, odd=True, hint='e.g. 5')


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


def _resize_nearest(label: Tensor, size: Tuple[int, int]) -> Tensor:
    """``F.interpolate(mode='nearest')`` of a (B, 1, H, W) integer map, as
    int64 (B, h, w). Labels are exact in float32 (|values| < 2**24)."""
    if tuple(label.shape[-2:]) != tuple(size):
        label = F.interpolate(label.float(), size=size, mode='nearest')
    return label[:, 0].long()


def _checked_ground_truth(gt_sem_seg: Tensor, gt_edge_map: Tensor, batch: int,
                          num_classes: int, ignore_index: int,
                          check_labels: bool) -> Tuple[Tensor, Tensor]:
    """Both label maps as (B, 1, H, W), checked before any loss runs: types,
    shapes, and (``check_labels``) label values in ``[0, K)`` or ignore."""
    gt_sem_seg = _as_label_map(gt_sem_seg, 'gt_sem_seg', batch)
    gt_edge_map = _as_label_map(gt_edge_map, 'gt_edge_map', batch)
    if gt_edge_map.shape != gt_sem_seg.shape:
        raise ValueError('gt_edge_map must have the shape of gt_sem_seg '
                         f'{tuple(gt_sem_seg.shape)}, got '
                         f'{tuple(gt_edge_map.shape)}')
    if check_labels:
        check_label_values(gt_sem_seg, num_classes, ignore_index, 'gt_sem_seg')
    return gt_sem_seg, gt_edge_map


def _label_and_boundary(gt_sem_seg: Tensor, gt_edge_map: Tensor,
                        size: Tuple[int, int],
                        ignore_index: int) -> Tuple[Tensor, Tensor]:
    """Labels (B, h, w) at the feature size and the boundary pixels the
    terms are computed at: ``gt_edge_map == 1`` and not ignored."""
    label = _resize_nearest(gt_sem_seg, size)
    boundary = (_resize_nearest(gt_edge_map, size) == 1) & (
        label != ignore_index)
    return label, boundary


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
        no_interior = counts_image & (interior_count == 0)
        if num_images == 0 or bool(no_interior.any()):
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


# --------------------------------------------------------------------------
# Same-label neighbours (NCE and CN)
# --------------------------------------------------------------------------
class NeighbourSets(NamedTuple):
    """The same-label neighbours of the boundary pixels and the pixel sets
    of the NCE / CN terms (see ``conditional_boundary_loss``).

    ``same_maps[o]`` is None for an offset without overlap, else the float
    maps (B, h, w) ``[L(p + o) == L(p)]`` and ``[L(p + o) == L(p) ==
    pred(p + o)]`` at boundary pixels ``p`` (0 elsewhere); ``num`` /
    ``num_ok`` are their sums over the offsets (``n``, ``n'``). ``set_a``
    / ``set_b`` are ``A`` / ``A'`` (bool (B, h, w)), ``target_*`` their
    labels in ``nonzero()`` order and ``pix_weight_*`` the weight of each
    of their pixels in a class-balanced mean: ``1 / (|A_c| * #counted)``,
    0 for classes that do not count.
    """
    same_maps: list
    num: Tensor
    num_ok: Tensor
    set_a: Tensor
    set_b: Tensor
    target_a: Tensor
    target_b: Tensor
    pix_weight_a: Tensor
    pix_weight_b: Tensor


def _neighbour_sets(label: Tensor, pred: Tensor, boundary: Tensor, offsets,
                    ignore_index: int, num_classes: int,
                    dtype: torch.dtype) -> Optional[NeighbourSets]:
    """Same-label neighbour maps and the sets ``A``, ``A'`` of all classes
    at once (one pass per offset); None when no class counts."""
    if not bool(boundary.any()):
        return None
    correct = (pred == label) & (label != ignore_index)
    r = max(max(abs(dy), abs(dx)) for dy, dx in offsets)
    h, w = label.shape[-2:]
    label_pad = F.pad(label, (r, r, r, r), value=-1)
    correct_pad = F.pad(correct, (r, r, r, r), value=False)
    num = torch.zeros(label.shape, dtype=dtype, device=label.device)
    num_ok = torch.zeros_like(num)
    same_maps = []
    for dy, dx in offsets:
        if _overlap(dy, dx, h, w) is None:
            same_maps.append(None)
            continue
        nb_label = label_pad[:, r + dy:r + dy + h, r + dx:r + dx + w]
        nb_ok = correct_pad[:, r + dy:r + dy + h, r + dx:r + dx + w]
        # only the sums at boundary pixels are used
        same = (nb_label == label) & boundary
        same_f = same.to(dtype)
        same_ok_f = (same & nb_ok).to(dtype)
        same_maps.append((same_f, same_ok_f))
        num += same_f
        num_ok += same_ok_f
    set_a = boundary & (num >= 1)
    set_b = boundary & correct & (num_ok >= 1)
    target_a, target_b = label[set_a], label[set_b]
    count_a = torch.bincount(target_a, minlength=num_classes)
    count_b = torch.bincount(target_b, minlength=num_classes)
    counted = (count_a > 0) & (count_b > 0)
    num_counted = int(counted.sum())
    if num_counted == 0:
        return None
    # (in the features' dtype: integer / integer is the default dtype)
    pix_weight_a = (counted.to(dtype) /
                    (count_a.clamp_min(1).to(dtype) * num_counted))[target_a]
    pix_weight_b = (counted.to(dtype) /
                    (count_b.clamp_min(1).to(dtype) * num_counted))[target_b]
    return NeighbourSets(same_maps, num, num_ok, set_a, set_b, target_a,
                         target_b, pix_weight_a, pix_weight_b)


def _feats_minus_mean(feats: Tensor, same_ok_maps, num_ok: Tensor,
                      offsets) -> Tensor:
    """``F - m'`` with ``m' = S' / (n' + eps)`` (C channels, no gradient);
    ``S'`` is summed in the returned buffer."""
    diff = torch.zeros_like(feats)
    _accumulate_shifted(diff, feats, same_ok_maps, offsets)
    diff.mul_((-1.0 / (num_ok + _MEAN_EPS))[:, None]).add_(feats)
    return diff


def _cn_term(feats: Tensor, sets: NeighbourSets, offsets):
    """CN: the class-balanced mean over ``A'`` and channels of
    ``(F - stopgrad(m'))^2``.

    Returns:
        tuple: value (0-dim), ``diff`` = F - m', ``coef`` (B, 1, h, w) with
        ``d cn / d F = coef * diff``, and ``state`` from which
        :func:`_feats_minus_mean` recomputes ``diff``.
    """
    bsz, channels, h, w = feats.shape
    same_ok_maps = [None if m is None else m[1] for m in sets.same_maps]
    diff = _feats_minus_mean(feats, same_ok_maps, sets.num_ok, offsets)
    coef = feats.new_zeros(bsz, h, w)
    coef[sets.set_b] = sets.pix_weight_b / channels
    sq_dist, = _channel_dots(diff, diff, [(0, 0)])
    value = (coef * sq_dist).sum()
    return value, diff, (2 * coef)[:, None], (same_ok_maps, sets.num_ok)
