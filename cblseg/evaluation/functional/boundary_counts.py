# Copyright (c) cblseg contributors. All rights reserved.
"""Per-image, per-class count vectors for region, Boundary IoU and boundary
F-score metrics (pure torch, batched, on the device of the prediction).

Every image is reduced to a ``R x K`` int64 matrix (``K`` classes, one row
per quantity, see :func:`count_row_names`). Metrics are ratios of the counts
summed over the dataset, so they do not depend on the order of the images,
the batch size or the number of processes (integer sums are exact).

Definitions (``ig`` = ignore index; pixels whose ground truth is ``ig`` take
no part in any count; ``d`` = band radius, Chebyshev distance):

* Region: ``area_gt[c] = |{gt = c}|``, ``area_pred[c] = |{pred = c, gt !=
  ig}|``, ``intersect[c] = |{gt = pred = c}|``, as MMSeg's ``IoUMetric``.
* Ground-truth band ``Bg_c``: pixels with ``gt = c`` that have, within
  ``d``, a pixel outside the image or a *valid* label other than ``c``
  (ignore-labelled neighbours do not count: their class is unknown).
* Predicted band ``Bp_c``: pixels with ``pred = c`` and ``gt != ig`` that
  have, within ``d``, a pixel outside the image or a different predicted
  label (every neighbour counts).
* ``band_gt[c] = |Bg_c|``, ``band_pred[c] = |Bp_c|``, ``band_intersect[c] =
  |Bg_c & Bp_c|``: Boundary IoU of class ``c`` = intersect / (gt + pred -
  intersect).
* Contours for the boundary F-score: the radius-1 bands ``Cg_c`` and
  ``Cp_c`` (same rules). ``contour_pred_matched@t[c]``: pixels of ``Cp_c``
  within Chebyshev distance ``t`` of a pixel of ``Cg_c`` (precision
  numerator); ``contour_gt_matched@t[c]``: pixels of ``Cg_c`` within ``t`` of
  a pixel of ``Cp_c`` (recall numerator).
* Optionally the binary boundary IoU of the CBL reference code
  (``biou.py``: all classes merged, per image): ``(i, u)`` of the union of
  the per-class bands of prediction and ground truth, where ignore-labelled
  neighbours *do* count for the ground truth, ignored pixels are never
  ground-truth boundary, and the predicted band is counted on every pixel
  (also where the ground truth is ignored), as in that code.

How. Labels are recoded to uint8 (int16 beyond 254 classes) with the ignore
index as the dtype's maximum. The bands and contours are two window extremes
each (:func:`cblseg.ops.boundary.label_to_boundary_masks_torch`); region and
band counts come from one ``bincount`` over a joint code ``(gt, pred, in Bg,
in Bp)``. The F-score tolerance test runs on maps that hold the class of each
contour pixel: for a query pixel of class ``c`` the window minimum and
maximum of the other side's map settle it (``c`` equal to one of them:
matched; outside ``[min, max]``: not matched); only pixels with ``min < c <
max`` (three or more classes' contours in the window) are checked
exactly, by gathering their window.
"""
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from cblseg.ops.boundary import (label_to_boundary_mask_torch,
                                 label_to_boundary_masks_torch)
from cblseg.ops.checks import check_int, check_ints, format_values
from cblseg.ops.radius import check_radius
from cblseg.ops.window import (ScratchBuffers, _scratch_like,
                               window_extreme_torch)

__all__ = [
    'BoundaryCounts', 'count_row_names', 'check_tolerances', 'boundary_counts',
    'REGION_ROWS', 'BAND_ROWS', 'CONTOUR_ROWS'
]

REGION_ROWS = ('area_gt', 'area_pred', 'intersect')
BAND_ROWS = ('band_gt', 'band_pred', 'band_intersect')
CONTOUR_ROWS = ('contour_gt', 'contour_pred')
# Query pixels checked exactly per gather in the ambiguous F-score case.
_FALLBACK_CHUNK = 1 << 14


@dataclass
class BoundaryCounts:
    """Counts of a batch of images.

    Attributes:
        counts (Tensor): ``B x R x K`` int64, rows as in
            :func:`count_row_names`.
        cbl (Tensor | None): ``B x 2`` int64, the intersection and union of
            the CBL reference's binary boundary maps, if requested.
    """
    counts: Tensor
    cbl: Optional[Tensor] = None


def check_tolerances(tolerances: Sequence[int]) -> Tuple[int, ...]:
    """Validate F-score tolerances (integers >= 0, in pixels): returned
    sorted, without duplicates."""
    return tuple(
        sorted(set(check_ints('tolerances', tolerances, 0, hint='pixels'))))


def count_row_names(tolerances: Sequence[int] = (1, 3, 5)) -> List[str]:
    """Names of the rows of :attr:`BoundaryCounts.counts`."""
    names = list(REGION_ROWS + BAND_ROWS + CONTOUR_ROWS)
    for t in check_tolerances(tolerances):
        names += [f'contour_pred_matched@{t}', f'contour_gt_matched@{t}']
    return names


# --------------------------------------------------------------------------
# Validation and recoding
# --------------------------------------------------------------------------
def _name(names: Optional[Sequence[str]], index: int) -> str:
    if names is not None and index < len(names) and names[index]:
        return str(names[index])
    return f'image {index} of the batch'


def _raise_invalid(label: Tensor, bad: Tensor, what: str, num_classes: int,
                   ignore_index: int, names) -> None:
    per_image = bad.flatten(1).any(1).nonzero().flatten().tolist()
    first = per_image[0]
    values = torch.unique(label[first][bad[first]]).tolist()
    others = ''
    if len(per_image) > 1:
        listed = ', '.join(_name(names, i) for i in per_image[1:4])
        others = (f' (also in {listed}' +
                  (', ...' if len(per_image) > 4 else '') + ')')
    raise ValueError(
        f'{_name(names, first)}: the {what} contains values '
        f'{format_values(values)} that are neither a class index in '
        f'[0, {num_classes}) nor the ignore index {ignore_index}{others}')


def _encode(label: Tensor, num_classes: int, ignore_index: int,
            remap_ignore: bool, dtype: torch.dtype, scratch: ScratchBuffers,
            name: str, what: str, names) -> Tensor:
    """Validate ``label`` (``B x H x W``) and return it in ``dtype`` with
    ``ignore_index`` as ``dtype``'s maximum if ``remap_ignore``.

    Never modifies ``label``; returns it as it is when nothing changes.
    Common cases cost one ``aminmax`` and at most one copy (plus an add and
    a uint8 ``aminmax`` for ground truth with ignore index 255): comparisons
    with a scalar that write bools are several times slower on CPU.
    """
    if label.dtype == torch.bool:
        label = label.to(torch.uint8)
    info = torch.iinfo(dtype)
    ignore_code = info.max
    low, high = (int(v) for v in torch.aminmax(label))

    def compact() -> Tensor:
        if label.dtype == dtype:
            return label
        return _scratch_like(scratch, name, label, dtype).copy_(label)

    ignore_possible = remap_ignore and low <= ignore_index <= high
    if low >= 0 and high < num_classes and not ignore_possible:
        return compact()  # every value is a class
    if (dtype == torch.uint8 and remap_ignore and ignore_index == 255
            and low >= 0 and high <= 255):
        code = compact()
        # code + 1 wraps 255 to 0: all values are classes or 255 iff
        # max(code + 1) <= K.
        plus_one = torch.add(
            code, 1, out=_scratch_like(scratch, 'encode.plus_one', code))
        if int(torch.aminmax(plus_one)[1]) <= num_classes:
            return code
    if info.min <= low and high <= info.max:
        # representable without wrapping: validate in the compact dtype
        code = compact()
        ok = torch.lt(
            code,
            num_classes,
            out=_scratch_like(scratch, 'encode.ok', code, torch.bool))
        if low < 0:
            ok.logical_and_(code >= 0)
        ignored = None
        if remap_ignore and info.min <= ignore_index <= info.max:
            ignored = torch.eq(
                code,
                ignore_index,
                out=_scratch_like(scratch, 'encode.ignored', code, torch.bool))
            ok.logical_or_(ignored)
        if not bool(ok.all()):
            _raise_invalid(code, ~ok, what, num_classes, ignore_index, names)
        if ignored is not None and ignore_index != ignore_code:
            if code is label:
                code = _scratch_like(scratch, name, label).copy_(label)
            code.masked_fill_(ignored, ignore_code)
        return code
    # values beyond the compact dtype: validate on the original
    is_ignore = label == ignore_index
    bad = ((label < 0) | (label >= num_classes)) & ~is_ignore
    if bool(bad.any()):
        _raise_invalid(label, bad, what, num_classes, ignore_index, names)
    code = _scratch_like(scratch, name, label, dtype)
    code.copy_(label.masked_fill(is_ignore, 0))
    return code.masked_fill_(is_ignore, ignore_code)


def _valid_mask(code: Tensor, ignore_code: int,
                scratch: ScratchBuffers) -> Tensor:
    """Bool ``code != ignore_code`` (``min(code + 1, 1)`` for uint8)."""
    if code.dtype == torch.uint8:
        buffer = _scratch_like(scratch, 'mask.valid', code)
        torch.add(code, 1, out=buffer)
        return torch.clamp_max(buffer, 1, out=buffer).view(torch.bool)
    return torch.ne(
        code,
        ignore_code,
        out=_scratch_like(scratch, 'mask.valid', code, torch.bool))


def _as_batch(label: Tensor, what: str) -> Tensor:
    if not isinstance(label, Tensor):
        raise TypeError(f'{what} must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'{what} must be an integer tensor, got {label.dtype}')
    if label.dim() == 2:
        return label.unsqueeze(0)
    if label.dim() == 3:
        return label
    if label.dim() == 4 and label.shape[1] == 1:
        return label.squeeze(1)
    raise ValueError(f'{what} must be H x W, B x H x W or B x 1 x H x W, got '
                     f'shape {tuple(label.shape)}')


# --------------------------------------------------------------------------
# Boundary F-score matching
# --------------------------------------------------------------------------
class _Points:
    """Pixels of a B x H x W map as int64 vectors (batch, y, x)."""

    def __init__(self, batch: Tensor, y: Tensor, x: Tensor, batch_size: int):
        self.batch, self.y, self.x = batch, y, x
        self.batch_size = batch_size

    @classmethod
    def from_flat(cls, flat: Tensor, batch_size: int, height: int,
                  width: int) -> '_Points':
        if batch_size > 1:
            plane = height * width
            batch = torch.div(flat, plane, rounding_mode='floor')
            rest = flat - batch * plane
        else:
            batch, rest = torch.zeros_like(flat), flat
        y = torch.div(rest, width, rounding_mode='floor')
        return cls(batch, y, rest - y * width, batch_size)

    def select(self, which: Tensor) -> '_Points':
        """The points at the int64 positions ``which``."""
        return _Points(
            self.batch.index_select(0, which), self.y.index_select(0, which),
            self.x.index_select(0, which), self.batch_size)

    def __len__(self) -> int:
        return self.batch.numel()

    def linear(self, strides) -> Tensor:
        """Storage offsets of the points in a tensor with ``strides``
        (relative to its first element)."""
        index = torch.add(
            self.x * strides[2] if strides[2] != 1 else self.x,
            self.y,
            alpha=strides[1])
        if strides[0] and self.batch_size > 1:
            index.add_(self.batch, alpha=strides[0])
        return index


def _any(flags: Tensor) -> bool:
    """``flags.any()`` for a contiguous bool vector (a uint8 max is several
    times faster on CPU)."""
    return flags.numel() > 0 and bool(flags.view(torch.uint8).max())


def _gather(tensor: Tensor, points: _Points, offset: int) -> Tensor:
    """``tensor[b, y + offset, x + offset]`` for the points."""
    strides = tensor.stride()
    start = tensor.storage_offset() + offset * (strides[1] + strides[2])
    size = tensor.untyped_storage().nbytes() // tensor.element_size()
    storage = tensor.as_strided((size - start, ), (1, ), start)
    return storage.index_select(0, points.linear(strides))


def _match_contours(target_codes: Tensor, target_mask: Tensor,
                    queries: _Points, query_codes: Tensor,
                    tolerances: Tuple[int, ...], ignore_code: int,
                    scratch: ScratchBuffers) -> List[Tensor]:
    """For each tolerance ``t``, a bool vector: is there a target pixel
    (``target_mask``) with the query pixel's code within Chebyshev ``t``?

    The target map (class where ``target_mask``, a sentinel elsewhere) is
    padded by the largest tolerance with the sentinel; its window minimum
    and maximum at growing radii (composed: ``t1`` then ``t2 - t1``) are
    read at the query pixels. A query code equal to the minimum or the
    maximum is matched, one outside ``[min, max]`` is not; codes strictly
    inside are checked on the window itself.
    """
    bsz, height, width = target_codes.shape
    device, dtype = target_codes.device, target_codes.dtype
    if len(queries) == 0:
        return [
            torch.zeros(0, dtype=torch.bool, device=device) for _ in tolerances
        ]
    pad = tolerances[-1]
    shape = (bsz, height + 2 * pad, width + 2 * pad)

    def padded_map(name: str, sentinel: int) -> Tuple[Tensor, Tensor]:
        full = scratch.get(name, shape, dtype, device)
        if pad:
            full[:, :pad].fill_(sentinel)
            full[:, pad + height:].fill_(sentinel)
            full[:, pad:pad + height, :pad].fill_(sentinel)
            full[:, pad:pad + height, pad + width:].fill_(sentinel)
        return full, full[:, pad:pad + height, pad:pad + width]

    def window_values(full: Tensor, mode: str) -> List[Tensor]:
        values, done, current = [], 0, full
        for t in tolerances:
            current = window_extreme_torch(current, t - done, mode, scratch,
                                           'bf.window')
            done = t
            values.append(_gather(current, queries, pad - t))
        return values

    # Class c is c in the "high" map (sentinel = dtype max, neutral for the
    # minimum) and c + 1 in the "low" map (sentinel 0, neutral for the
    # maximum); classes are <= ignore_code - 2.
    high_full, high = padded_map('bf.high', ignore_code)
    low_full, low = padded_map('bf.low', 0)
    if dtype == torch.uint8:
        mask8 = target_mask.view(torch.uint8)
        torch.sub(mask8, 1, out=high)  # 0 on targets, 255 elsewhere
        torch.maximum(high, target_codes, out=high)
        torch.add(target_codes, 1, out=low)
        low.mul_(mask8)
    else:
        high.copy_(target_codes).masked_fill_(~target_mask, ignore_code)
        torch.add(target_codes, 1, out=low)
        low.mul_(target_mask)
    minima = window_values(high_full, 'min')
    maxima = window_values(low_full, 'max')

    plus_one = query_codes + 1
    matches = []
    for t, minimum, maximum in zip(tolerances, minima, maxima):
        matched = (minimum == query_codes) | (maximum == plus_one)
        ambiguous = (minimum < query_codes) & (plus_one < maximum)
        if _any(ambiguous):
            which = ambiguous.nonzero().squeeze(1)
            span = torch.arange(-t, t + 1, device=device)
            strides = high_full.stride()
            offsets = (span.view(-1, 1) * strides[1] +
                       span.view(1, -1) * strides[2]).view(1, -1) + pad * (
                           strides[1] + 1)
            flat_high = high_full.view(-1)
            for start in range(0, which.numel(), _FALLBACK_CHUNK):
                part = which[start:start + _FALLBACK_CHUNK]
                centre = queries.select(part).linear(strides)
                window = flat_high[centre.unsqueeze(1) + offsets]
                matched[part] = (
                    window == query_codes[part].unsqueeze(1)).any(1)
        matches.append(matched)
    return matches


def _per_image_bincount(keys: Tensor,
                        bsz: int,
                        num_classes: int,
                        where: Optional[Tensor] = None) -> Tensor:
    """B x K counts of ``keys = batch * K + class`` (only where ``where``:
    the others go to an extra bin, cheaper than selecting them)."""
    size = bsz * num_classes
    if where is not None:
        keys = torch.where(where, keys, size)
    return torch.bincount(
        keys, minlength=size + 1)[:size].view(bsz, num_classes)


def _cbl_binary_counts(gcode: Tensor, pcode: Tensor, band_pred: Tensor,
                       radius: int, ignore_code: int,
                       scratch: ScratchBuffers) -> Tensor:
    """B x 2 (intersection, union) of the CBL reference's binary boundary
    maps: its ground-truth band lets ignored neighbours count as different
    (the one-hot of an ignored pixel is all zero), and a map without any
    class becomes all 255, i.e. non-zero everywhere, in its
    ``multi_class_gt_to_boundary``."""
    bsz = gcode.shape[0]
    band_gt = label_to_boundary_mask_torch(
        gcode,
        radius,
        ignore_code,
        out=_scratch_like(scratch, 'mask.band_gt_cbl', gcode, torch.bool),
        scratch=scratch)
    plane = gcode[0].numel()
    gt_flat = band_gt.view(bsz, -1)
    pred_flat = band_pred.view(bsz, -1)
    gt_count = torch.count_nonzero(gt_flat, 1)
    pred_count = torch.count_nonzero(pred_flat, 1)
    inter = torch.count_nonzero(gt_flat & pred_flat, 1)
    union = gt_count + pred_count - inter
    gt_empty = (gcode == ignore_code).view(bsz, -1).all(1)
    pred_empty = (pcode == ignore_code).view(bsz, -1).all(1)
    full = torch.full_like(inter, plane)
    inter = torch.where(gt_empty, torch.where(pred_empty, full, pred_count),
                        torch.where(pred_empty, gt_count, inter))
    union = torch.where(gt_empty | pred_empty, full, union)
    return torch.stack([inter, union], 1).to(torch.int64)


# --------------------------------------------------------------------------
# Main entry
# --------------------------------------------------------------------------
def boundary_counts(pred: Tensor,
                    gt: Tensor,
                    num_classes: int,
                    radius: int,
                    ignore_index: int = 255,
                    tolerances: Sequence[int] = (1, 3, 5),
                    cbl_binary: bool = False,
                    scratch: Optional[ScratchBuffers] = None,
                    names: Optional[Sequence[str]] = None) -> BoundaryCounts:
    """Per-image, per-class counts for all metrics in one pass.

    Args:
        pred (Tensor): Predicted labels, ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W``, integer, on any device. Values in
            ``[0, K)``; the ignore index is allowed and means "no class".
        gt (Tensor): Ground truth of the same shape (moved to ``pred``'s
            device), values in ``[0, K)`` or the ignore index.
        num_classes (int): Number of classes ``K``.
        radius (int): Chebyshev radius ``d >= 1`` of the Boundary IoU bands
            (see :func:`cblseg.ops.radius_from_dilation`).
        ignore_index (int): Ground-truth label of ignored pixels.
        tolerances (Sequence[int]): Boundary F-score tolerances in pixels
            (Chebyshev distance); empty for none.
        cbl_binary (bool): Also count the CBL reference's binary boundary
            intersection and union.
        scratch (ScratchBuffers, optional): Reusable buffers (keep one per
            evaluator: on CPU fresh large tensors cost more than the ops).
        names (Sequence[str], optional): Image names for error messages.

    Returns:
        BoundaryCounts: int64 counts on ``pred``'s device.

    Raises:
        ValueError: If the shapes differ or a label holds a value that is
            neither a class index nor the ignore index; the message names
            the image and lists the values.
    """
    num_classes = check_int('num_classes', num_classes, 1)
    radius = check_radius(radius)
    tolerances = check_tolerances(tolerances)
    pred = _as_batch(pred, 'prediction')
    gt = _as_batch(gt, 'ground truth')
    if pred.shape != gt.shape:
        raise ValueError(f'{_name(names, 0)}: the prediction has shape '
                         f'{tuple(pred.shape[-2:])} but the ground truth '
                         f'{tuple(gt.shape[-2:])}')
    gt = gt.to(pred.device, non_blocking=True)
    scratch = ScratchBuffers() if scratch is None else scratch
    k = num_classes
    bsz, height, width = pred.shape
    device = pred.device
    if pred.numel() == 0:
        counts = torch.zeros((bsz, len(count_row_names(tolerances)), k),
                             dtype=torch.int64,
                             device=device)
        cbl = torch.zeros(
            (bsz, 2), dtype=torch.int64, device=device) if cbl_binary else None
        return BoundaryCounts(counts, cbl)

    # ---- codes: classes as they are, ignore -> dtype max -----------------
    if k <= 254:
        dtype = torch.uint8
    elif k <= 32766:
        dtype = torch.int16
    else:
        dtype = torch.int32
    ignore_code = torch.iinfo(dtype).max
    gcode = _encode(gt, k, ignore_index, True, dtype, scratch, 'codes.gt',
                    'ground truth', names)
    pcode = _encode(pred, k, ignore_index, not 0 <= ignore_index < k, dtype,
                    scratch, 'codes.pred', 'prediction', names)

    def mask(name: str) -> Tensor:
        return _scratch_like(scratch, name, pcode, torch.bool)

    # ---- bands (radius d) and contours (radius 1) ---------------------------
    band_gt, contour_gt = label_to_boundary_masks_torch(
        gcode, (radius, 1),
        ignore_code,
        ignore_neighbours_differ=False,
        outs=(mask('mask.band_gt'), mask('mask.contour_gt')),
        scratch=scratch)
    # every pixel of the predicted band and contour; ignored ground truth is
    # left out below
    band_pred, contour_pred = label_to_boundary_masks_torch(
        pcode, (radius, 1),
        ignore_code,
        outs=(mask('mask.band_pred'), mask('mask.contour_pred')),
        scratch=scratch)
    cbl = None
    if cbl_binary:
        cbl = _cbl_binary_counts(gcode, pcode, band_pred, radius, ignore_code,
                                 scratch)

    # ---- region and band counts: one bincount of a joint code -------------
    # code = ((g * (K + 1) + p) * 2 + in Bp) * 2 + in Bg, where g and p are
    # clamped to K (K = ignored / no class). Pixels with ignored ground truth
    # fall into the discarded row g = K, whatever their band bits.
    side = k + 1
    bins = side * side * 4
    joint_dtype = torch.int16 if bins <= 32767 else (
        torch.int32 if bins <= 2**31 - 1 else torch.int64)
    joint = _scratch_like(scratch, 'codes.joint', pcode, joint_dtype)
    clamped = _scratch_like(scratch, 'codes.clamped', pcode)
    torch.clamp_max(gcode, k, out=clamped)
    joint.copy_(clamped)
    joint.mul_(side)
    torch.clamp_max(pcode, k, out=clamped)
    joint.add_(clamped)
    joint.mul_(2)
    joint.add_(band_pred)
    joint.mul_(2)
    joint.add_(band_gt)
    hist = torch.stack([
        torch.bincount(joint[b].view(-1), minlength=bins) for b in range(bsz)
    ]).view(bsz, side, side, 2, 2)[:, :k]  # B x g x p x Bp x Bg, g < K
    confusion = hist.sum((3, 4))
    diagonal = torch.arange(k, device=device)
    rows = [
        confusion.sum(2),  # area_gt (every prediction, "no class" too)
        confusion[:, :, :k].sum(1),  # area_pred
        confusion[:, diagonal, diagonal],  # intersect
        hist[..., 1].sum((2, 3)),  # band_gt
        hist[:, :, :k, 1, :].sum((1, 3)),  # band_pred
        hist[:, diagonal, diagonal, 1, 1],  # band_intersect
    ]

    # ---- contours and boundary F-score -------------------------------------
    contour_pred.bitwise_and_(_valid_mask(gcode, ignore_code, scratch))
    either = torch.bitwise_or(
        contour_gt, contour_pred, out=mask('mask.contour_either'))
    flat = torch.nonzero(either.view(-1)).squeeze(1)
    points = _Points.from_flat(flat, bsz, height, width)
    on_gt = torch.nonzero(contour_gt.view(-1).index_select(0, flat)).squeeze(1)
    on_pred = torch.nonzero(contour_pred.view(-1).index_select(
        0, flat)).squeeze(1)
    gt_points, pred_points = points.select(on_gt), points.select(on_pred)
    gt_classes = gcode.reshape(-1).index_select(0, flat.index_select(0, on_gt))
    pred_classes = pcode.reshape(-1).index_select(
        0, flat.index_select(0, on_pred))
    gt_keys = gt_points.batch * k + gt_classes
    pred_keys = pred_points.batch * k + pred_classes
    rows.append(_per_image_bincount(gt_keys, bsz, k))
    rows.append(_per_image_bincount(pred_keys, bsz, k))
    if tolerances:
        pred_matched = _match_contours(gcode, contour_gt, pred_points,
                                       pred_classes, tolerances, ignore_code,
                                       scratch)
        gt_matched = _match_contours(pcode, contour_pred, gt_points,
                                     gt_classes, tolerances, ignore_code,
                                     scratch)
        for hit_pred, hit_gt in zip(pred_matched, gt_matched):
            rows.append(_per_image_bincount(pred_keys, bsz, k, hit_pred))
            rows.append(_per_image_bincount(gt_keys, bsz, k, hit_gt))
    counts = torch.stack([row.to(torch.int64) for row in rows], 1)
    return BoundaryCounts(counts, cbl)
