# Copyright (c) cblseg contributors. All rights reserved.
"""Semantic label map -> boundary map, the one definition used everywhere.

Definition. Let ``L`` be an ``H x W`` label map, ``ig`` the ignore index and
``d >= 1`` the boundary radius. For a pixel ``p`` with ``L(p) != ig``::

    boundary(p) = 1  if some pixel q with max(|dy|, |dx|) <= d (Chebyshev
                     distance) lies outside the image or has L(q) != L(p)
                     (an ignore-labelled q counts as different),
    boundary(p) = 0  otherwise,

and ``boundary(p) = ig`` where ``L(p) == ig``.

When the radius is given as a ``dilation`` ratio of the image diagonal (as in
the Boundary IoU paper and the CBL code), ``d = max(1, round(dilation *
sqrt(H**2 + W**2)))``; e.g. 46 pixels for a 1024 x 2048 Cityscapes label at
``dilation=0.02``.

This is exactly the union over the classes present of the reference
construction "pad the class mask with one pixel of zeros, erode it ``d`` times
with a 3 x 3 kernel, subtract the eroded mask from the mask", and for ``d = 1``
it is the "3 x 3 Laplacian of the one-hot label > 0" boundary.

How it is computed. ``p`` is *not* a boundary pixel iff its
``(2d + 1) x (2d + 1)`` window lies inside the image and every label in it
equals ``L(p)``, i.e. iff the window minimum equals the window maximum. Both
are separable running filters, so the cost does not depend on the number of
classes and grows at most linearly with ``d``:

* :func:`label_to_boundary` (numpy, for the data pipeline) runs
  ``cv2.erode`` / ``cv2.dilate`` with a rectangular kernel; the image border
  is padded with the dtype's minimum for the erosion and its maximum for the
  dilation, so a window that leaves the image never has ``min == max``.
* :func:`label_to_boundary_torch` (batched, any device, for losses and
  metrics) computes the running min/max with ``O(log d)`` element-wise
  ``torch.minimum`` / ``torch.maximum`` of shifted views (van Herk style
  doubling) over the pixels whose window is inside the image; pixels within
  ``d`` of the border are boundary by definition. ``max_pool2d`` would do
  ``O(d)`` work per pixel even with separable kernels; on one CPU core it
  is 20-500x slower here (int64 / uint8 labels at d = 46).

Both narrow the label to the smallest dtype that holds its values first,
since the filters are memory bound.

For metrics, :func:`label_to_boundary_masks_torch` returns bool bands at
several radii from one preparation, optionally with ignore-labelled
neighbours *not* counting as different (the Boundary IoU ground-truth band:
the class of an ignored pixel is unknown), and reuses scratch memory across
calls (:class:`ScratchBuffers`); :func:`window_extreme_torch` exposes the
running min/max itself.

Layout: the radius (:mod:`.radius`), the label checks and one-hot
encodings (:mod:`.labels`) and the running window extremes with their
scratch memory (:mod:`.window`) are modules of their own; this module keeps
the boundary maps and re-exports the rest under its old names.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from torch import Tensor

from .checks import check_int
# Re-exported: cblseg.ops.boundary was one module before 0.3 and these names
# are imported from it.
from .labels import (_check_label_tensor, _ignore_mask_torch, _squeeze_channel,
                     check_label_values, ignore_aware_one_hot,
                     ignore_aware_one_hot_numpy)
from .radius import (DEFAULT_DILATION, _band_covers_image, check_radius,
                     check_radius_options, radius_from_dilation,
                     resolve_radius)
from .window import (ScratchBuffers, _running_extreme, _scratch_like,
                     window_extreme_torch)

__all__ = [
    'DEFAULT_DILATION', 'radius_from_dilation', 'check_radius',
    'check_radius_options', 'resolve_radius', 'label_to_boundary',
    'label_to_boundary_torch', 'ignore_aware_one_hot',
    'ignore_aware_one_hot_numpy', 'class_boundaries', 'ScratchBuffers',
    'window_extreme_torch', 'label_to_boundary_mask_torch',
    'label_to_boundary_masks_torch', 'check_label_values'
]


# --------------------------------------------------------------------------
# numpy / OpenCV backend (data pipeline)
# --------------------------------------------------------------------------
def _as_morphology_array(label: np.ndarray) -> Tuple[np.ndarray, float, float]:
    """Return an OpenCV-filterable array with the equality pattern of
    ``label`` and two border values that are <= / >= all of its values.

    OpenCV morphology supports uint8, uint16, int16, float32 and float64;
    the smallest integer type is fastest. Labels that fit none of the integer
    types are replaced by their rank among the distinct values, which keeps
    which pixels are equal, the only thing the boundary depends on.
    """
    if label.dtype == np.bool_:
        label = label.view(np.uint8)
    elif not np.issubdtype(label.dtype, np.integer):
        raise TypeError(f'label must be an integer array, got {label.dtype}')
    if label.dtype != np.uint8:
        low, high = int(label.min()), int(label.max())
        for dtype in (np.uint8, np.uint16, np.int16):
            info = np.iinfo(dtype)
            if info.min <= low and high <= info.max:
                label = label.astype(dtype)
                break
        else:
            _, ranks = np.unique(label, return_inverse=True)
            label = ranks.reshape(label.shape).astype(np.float64)
            return np.ascontiguousarray(label), -1.0, float(label.size)
    info = np.iinfo(label.dtype)
    return np.ascontiguousarray(label), float(info.min), float(info.max)


def label_to_boundary(label: np.ndarray,
                      radius: int,
                      ignore_index: int = 255) -> np.ndarray:
    """Boundary map of a semantic label map (numpy / OpenCV).

    See the module docstring for the definition. Cost: two separable running
    min/max filters, independent of the number of classes (about 9 ms for a
    uint8 1024 x 2048 label at radius 46 on one core; see
    docs/benchmarks.md).

    Args:
        label (np.ndarray): ``H x W`` integer label map.
        radius (int): Chebyshev radius ``d >= 1`` of the boundary band; see
            :func:`radius_from_dilation`.
        ignore_index (int): Label of ignored pixels, in [0, 255] because it is
            also written to the uint8 output. Defaults to 255.

    Returns:
        np.ndarray: ``H x W`` uint8 map, 1 on boundary pixels, 0 elsewhere and
        ``ignore_index`` where ``label == ignore_index``.
    """
    label = np.asarray(label)
    if label.ndim != 2:
        raise ValueError(
            f'label must be a 2D H x W map, got shape {label.shape}')
    radius = check_radius(radius)
    ignore_index = check_int(
        'ignore_index', ignore_index, 0, 255, hint='to fit the uint8 map')
    height, width = label.shape
    if label.size == 0 or _band_covers_image(radius, height, width):
        boundary = np.ones(label.shape, dtype=np.uint8)
        np.copyto(boundary, ignore_index, where=label == ignore_index)
        return boundary

    values, below_all, above_all = _as_morphology_array(label)
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.uint8)
    # Pad the erosion with a value <= every label and the dilation with one
    # >= every label: a window that leaves the image then has min < max,
    # i.e. the outside counts as a different label.
    window_min = cv2.erode(
        values, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=below_all)
    window_max = cv2.dilate(
        values, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=above_all)
    # Write the comparison and the ignore mask into the filter outputs when
    # they are byte-sized: touching fresh memory (page faults) costs about as
    # much as the filters themselves at 1024 x 2048.
    bytewise = values.dtype == np.uint8
    boundary = np.not_equal(
        window_min,
        window_max,
        out=window_min.view(np.bool_) if bytewise else None).view(np.uint8)
    ignored = np.equal(
        label,
        ignore_index,
        out=window_max.view(np.bool_) if bytewise else None)
    np.copyto(boundary, ignore_index, where=ignored)
    return boundary


# --------------------------------------------------------------------------
# torch backend (batched, any device: losses and metrics)
# --------------------------------------------------------------------------
def _as_compact_label_torch(label: Tensor) -> Tensor:
    """Narrow an integer label tensor to the smallest dtype holding its
    values; the running min/max below is memory bound (uint8 is ~5x faster
    than int64 on CPU). Costs one reduction and, on CUDA, one sync."""
    if label.dtype == torch.bool:
        return label.to(torch.uint8)
    if label.dtype in (torch.uint8, torch.int8):
        return label
    low, high = (v.item() for v in torch.aminmax(label))
    for dtype in (torch.uint8, torch.int16, torch.int32):
        info = torch.iinfo(dtype)
        if info.min <= low and high <= info.max:
            return label.to(dtype)
    return label


def label_to_boundary_torch(label: Tensor,
                            radius: int,
                            ignore_index: int = 255) -> Tensor:
    """Boundary map of a batch of semantic label maps (torch, any device).

    See the module docstring for the definition. No Python loop over
    classes, pixels or images; the work is ``O(log radius)`` element-wise
    min/max ops on the batch.

    Args:
        label (Tensor): Integer labels of shape ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W`` (as stacked from ``gt_sem_seg``).
        radius (int): Chebyshev radius ``d >= 1`` of the boundary band; see
            :func:`radius_from_dilation`.
        ignore_index (int): Label of ignored pixels. Defaults to 255.

    Returns:
        Tensor: Same shape, dtype and device as ``label``: 1 on boundary
        pixels, 0 elsewhere and ``ignore_index`` where
        ``label == ignore_index``.
    """
    _check_label_tensor(label)
    radius = check_radius(radius)
    height, width = label.shape[-2:]
    out_dtype = label.dtype if label.dtype != torch.bool else torch.uint8
    boundary = torch.ones(label.shape, dtype=out_dtype, device=label.device)
    if label.numel() > 0 and not _band_covers_image(radius, height, width):
        values = _as_compact_label_torch(label)
        window = 2 * radius + 1
        window_max = _running_extreme(
            _running_extreme(values, window, -1, torch.maximum), window, -2,
            torch.maximum)
        window_min = _running_extreme(
            _running_extreme(values, window, -1, torch.minimum), window, -2,
            torch.minimum)
        # Only pixels at least `radius` away from the border have a window
        # inside the image; the band along the border stays 1.
        boundary[..., radius:height - radius, radius:width - radius] = (
            window_min != window_max)
    info = torch.iinfo(out_dtype)
    if info.min <= ignore_index <= info.max:
        boundary.masked_fill_(
            _ignore_mask_torch(label, ignore_index), ignore_index)
    return boundary


def class_boundaries(label: Tensor,
                     num_classes: int,
                     radius: int,
                     ignore_index: int = 255,
                     dtype: torch.dtype = torch.uint8) -> Tensor:
    """Per-class boundary bands: channel ``k`` marks the boundary pixels of
    class ``k``, i.e. ``ignore_aware_one_hot(label) * (boundary == 1)``.

    Args:
        label (Tensor): Integer labels, ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W``, on any device.
        num_classes (int): Number of classes ``K``.
        radius (int): Chebyshev radius ``d >= 1`` of the boundary band.
        ignore_index (int): Label of ignored pixels (all-zero in every
            channel). Defaults to 255.
        dtype (torch.dtype): Output dtype. Defaults to ``torch.uint8``.

    Returns:
        Tensor: ``(B,) K x H x W`` tensor of 0/1.
    """
    label = _squeeze_channel(label)
    one_hot = ignore_aware_one_hot(
        label, num_classes, ignore_index, dtype=torch.bool)
    on_boundary = label_to_boundary_torch(label, radius, ignore_index) == 1
    # A pixel with label == ignore_index == 1 is all-zero in one_hot already.
    return (one_hot & on_boundary.unsqueeze(-3)).to(dtype)


# --------------------------------------------------------------------------
# Bands with a choice for ignore-labelled neighbours (for metrics)
# --------------------------------------------------------------------------
def _is_uint8_ignore_255(label: Tensor, ignore_index: int) -> bool:
    """The common case (uint8 labels, ignore 255) has fast paths: 255 is
    above every class, and ``label + 1`` wraps it to 0, below every class."""
    return label.dtype == torch.uint8 and ignore_index == 255


def _not_ignored_mask(label: Tensor, ignore_index: int) -> Tensor:
    """Bool ``label != ignore_index`` (all True if the index does not fit
    the dtype). uint8 labels with ignore index 255 take the fast path in
    :func:`label_to_boundary_masks_torch` instead."""
    info = torch.iinfo(label.dtype)
    if not info.min <= ignore_index <= info.max:
        return torch.ones(label.shape, dtype=torch.bool, device=label.device)
    return label != ignore_index


def _ignore_neutral_maps(label: Tensor, not_ignored: Tensor):
    """``(low, high)``: two codings of ``label`` in which ignored pixels are
    neutral for the window maximum of ``low`` and the window minimum of
    ``high``; valid labels keep their values. (uint8 labels with ignore
    index 255 take the fast path in :func:`label_to_boundary_masks_torch`
    instead.)"""
    valid_values = label[not_ignored]
    if valid_values.numel() == 0:
        return label, label  # every pixel is ignored, hence masked
    low_value, high_value = (int(v) for v in torch.aminmax(valid_values))
    for dtype in (torch.uint8, torch.int16, torch.int32, torch.int64):
        info = torch.iinfo(dtype)
        if info.min <= low_value - 1 and high_value + 1 <= info.max:
            break
    else:
        raise ValueError('label values must lie within the int64 range '
                         'with one value to spare on each side')
    ignored = ~not_ignored
    values = label.to(dtype)
    return (values.masked_fill(ignored, low_value - 1),
            values.masked_fill(ignored, high_value + 1))


def label_to_boundary_masks_torch(
        label: Tensor,
        radii: Sequence[int],
        ignore_index: int = 255,
        ignore_neighbours_differ: bool = True,
        outs: Optional[Sequence[Tensor]] = None,
        scratch: Optional[ScratchBuffers] = None) -> List[Tensor]:
    """Boolean boundary bands of a batch of label maps at several radii,
    with a choice of how ignore-labelled neighbours count (torch, any
    device).

    For each radius ``d``, a pixel ``p`` with ``L(p) != ignore_index`` is
    True iff some ``q`` within Chebyshev distance ``d`` lies outside the
    image or has a label that differs from ``L(p)``, where an ignore-labelled
    ``q``

    * counts as different if ``ignore_neighbours_differ`` (the module's
      definition: then this is exactly ``label_to_boundary_torch(label) ==
      1``; use it for predictions and for training targets), or
    * does not count otherwise: its class is unknown, so it cannot make
      ``p`` a boundary pixel. This is the ground-truth band of the Boundary
      IoU metric (``cblseg.evaluation``).

    Ignored pixels are always False. Each radius costs two window extremes
    (:func:`window_extreme_torch`) and a few element-wise ops; the
    preparation (ignore mask; for ignore-neutral bands a recoding in which
    ignored pixels never win the window minimum or maximum: one add for
    uint8 labels with ignore index 255) is shared by the radii.

    Args:
        label (Tensor): Integer labels of shape ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W``.
        radii (Sequence[int]): Chebyshev radii ``d >= 1`` of the bands.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        ignore_neighbours_differ (bool): See above. Defaults to True.
        outs (Sequence[Tensor], optional): One bool tensor of ``label``'s
            shape and device per radius to write into.
        scratch (ScratchBuffers, optional): Reuse its buffers for the
            intermediate tensors (names starting with ``'boundary.'``).

    Returns:
        list[Tensor]: One bool tensor of ``label``'s shape per radius
        (``outs`` if given).
    """
    _check_label_tensor(label)
    radii = [check_radius(radius) for radius in radii]
    if label.dtype == torch.bool:
        label = label.to(torch.uint8)
    if outs is None:
        outs = [
            torch.empty(label.shape, dtype=torch.bool, device=label.device)
            for _ in radii
        ]
    if len(outs) != len(radii):
        raise ValueError(f'{len(radii)} radii but {len(outs)} outputs')
    for out in outs:
        if (out.shape != label.shape or out.dtype != torch.bool
                or out.device != label.device):
            raise ValueError('outs must be bool tensors of the label\'s '
                             f'shape and device, got {out.dtype} '
                             f'{tuple(out.shape)} on {out.device}')
    if label.numel() == 0 or not radii:
        return list(outs)
    height, width = label.shape[-2:]
    fast = _is_uint8_ignore_255(label, ignore_index)
    if fast:
        # plus_one = label + 1 wraps ignore (255) to 0: min(plus_one, 1) is
        # the validity mask, and for ignore-neutral bands plus_one is the
        # map whose window maximum ignored pixels never win (while 255 in
        # label never wins the window minimum).
        plus_one = torch.add(
            label, 1, out=_scratch_like(scratch, 'boundary.low', label))
        not_ignored = torch.clamp_max(
            plus_one, 1, out=_scratch_like(scratch, 'boundary.valid',
                                           label)).view(torch.bool)
        if ignore_neighbours_differ:
            low = high = label
            shift = 0
        else:
            low, high, shift = plus_one, label, 1
    else:
        not_ignored = _not_ignored_mask(label, ignore_index)
        shift = 0
        if ignore_neighbours_differ:
            low = high = _as_compact_label_torch(label)
        else:
            low, high = _ignore_neutral_maps(label, not_ignored)
    for radius, out in zip(radii, outs):
        if _band_covers_image(radius, height, width):
            out.copy_(not_ignored)
            continue
        window_min = window_extreme_torch(high, radius, 'min', scratch,
                                          'boundary.min')
        window_max = window_extreme_torch(low, radius, 'max', scratch,
                                          'boundary.max')
        r = radius
        out[..., :r, :] = True
        out[..., height - r:, :] = True
        out[..., :, :r] = True
        out[..., :, width - r:] = True
        interior = out[..., r:height - r, r:width - r]
        if window_max.dtype == torch.uint8:
            # For a valid pixel, window_max - window_min - shift >= 0 and is
            # 0 iff it is not a boundary pixel: clamp to 0/1 and write the
            # bytes of the bool output (a uint8 subtraction and clamp are
            # several times faster than a comparison that writes bools).
            difference = torch.sub(window_max, window_min, out=window_min)
            if shift:
                difference.sub_(shift)
            torch.clamp_max(difference, 1, out=interior.view(torch.uint8))
        else:
            if shift:
                window_min.add_(shift)  # a fresh or scratch tensor
            torch.ne(window_min, window_max, out=interior)
        out.bitwise_and_(not_ignored)
    return list(outs)


def label_to_boundary_mask_torch(
        label: Tensor,
        radius: int,
        ignore_index: int = 255,
        ignore_neighbours_differ: bool = True,
        out: Optional[Tensor] = None,
        scratch: Optional[ScratchBuffers] = None) -> Tensor:
    """Boolean boundary band at one radius; see
    :func:`label_to_boundary_masks_torch` for the definition (with
    ``ignore_neighbours_differ=False``: the Boundary IoU ground-truth band,
    where ignore-labelled neighbours do not count).

    Args:
        label (Tensor): Integer labels of shape ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W``.
        radius (int): Chebyshev radius ``d >= 1`` of the band.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        ignore_neighbours_differ (bool): Whether an ignore-labelled
            neighbour makes a pixel a boundary pixel. Defaults to True.
        out (Tensor, optional): Bool tensor of ``label``'s shape and device
            to write into.
        scratch (ScratchBuffers, optional): Reusable intermediate buffers.

    Returns:
        Tensor: Bool tensor of ``label``'s shape (``out`` if given).
    """
    return label_to_boundary_masks_torch(label, [radius], ignore_index,
                                         ignore_neighbours_differ,
                                         None if out is None else [out],
                                         scratch)[0]
