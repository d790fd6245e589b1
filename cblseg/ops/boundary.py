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
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from torch import Tensor

from .checks import check_int, check_real, format_values

__all__ = [
    'DEFAULT_DILATION', 'radius_from_dilation', 'check_radius',
    'check_radius_options', 'resolve_radius', 'label_to_boundary',
    'label_to_boundary_torch', 'ignore_aware_one_hot',
    'ignore_aware_one_hot_numpy', 'class_boundaries', 'ScratchBuffers',
    'window_extreme_torch', 'label_to_boundary_mask_torch',
    'label_to_boundary_masks_torch', 'check_label_values'
]


#: Band width when neither ``dilation`` nor ``radius`` is given: the Boundary
#: IoU paper's default, and what the CBL reference trains with.
DEFAULT_DILATION = 0.02


# --------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------
def radius_from_dilation(dilation: float, height: int, width: int) -> int:
    """Convert a dilation ratio of the image diagonal to a radius in pixels.

    Args:
        dilation (float): Boundary width as a fraction of the image diagonal,
            must be > 0 (0.02 in the Boundary IoU paper and the CBL code).
        height (int): Height of the label map in pixels.
        width (int): Width of the label map in pixels.

    Returns:
        int: ``max(1, round(dilation * sqrt(height**2 + width**2)))``, rounded
        half to even like the reference implementation.

    Raises:
        ValueError: If ``dilation`` is not a finite number > 0 or the size is
            not positive.
    """
    dilation = check_real('dilation', dilation, 0)
    if height < 1 or width < 1:
        raise ValueError(
            f'height and width must be >= 1, got {height!r} x {width!r}')
    diagonal = math.sqrt(height * height + width * width)
    return max(1, int(round(float(dilation) * diagonal)))


def check_radius(radius: int) -> int:
    """Validate a boundary radius in pixels.

    Args:
        radius (int): Chebyshev radius of the boundary band, must be an
            integer >= 1.

    Returns:
        int: ``radius`` as a Python int.

    Raises:
        ValueError: If ``radius`` is not an integer >= 1.
    """
    return check_int('radius', radius, 1)


def check_radius_options(dilation: Optional[float] = None,
                         radius: Optional[int] = None) -> None:
    """Validate a ``dilation`` / ``radius`` pair as components take it.

    Args:
        dilation (float, optional): Band radius as a ratio of the diagonal.
        radius (int, optional): Band radius in pixels.

    Raises:
        ValueError: If both are given, or the given one is invalid.
    """
    if dilation is not None and radius is not None:
        raise ValueError('give either dilation or radius, not both; got '
                         f'dilation={dilation!r}, radius={radius!r}')
    if radius is not None:
        check_radius(radius)
    elif dilation is not None:
        radius_from_dilation(dilation, 1, 1)


def resolve_radius(height: int,
                   width: int,
                   dilation: Optional[float] = None,
                   radius: Optional[int] = None) -> int:
    """The band radius in pixels for a ``height x width`` map.

    Args:
        height (int): Map height.
        width (int): Map width.
        dilation (float, optional): Ratio of the diagonal; defaults to
            :data:`DEFAULT_DILATION` when ``radius`` is not given either.
        radius (int, optional): Radius in pixels.

    Returns:
        int: ``radius`` if given, else ``radius_from_dilation``.
    """
    check_radius_options(dilation, radius)
    if radius is not None:
        return int(radius)
    return radius_from_dilation(
        DEFAULT_DILATION if dilation is None else dilation, height, width)


def _invalid_label_error(values,
                         num_classes: int,
                         ignore_index: int,
                         what: str = 'label') -> ValueError:
    return ValueError(
        f'{what} contains values {format_values(values)} that are neither '
        f'a class index in [0, {num_classes}) nor the ignore index '
        f'{ignore_index}')


def _band_covers_image(radius: int, height: int, width: int) -> bool:
    """Whether every pixel lies within ``radius`` of the image border.

    Then no window fits inside the image and every pixel is boundary.
    """
    return 2 * radius >= height or 2 * radius >= width


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


def ignore_aware_one_hot_numpy(label: np.ndarray,
                               num_classes: int,
                               ignore_index: int = 255) -> np.ndarray:
    """One-hot encode a label map, ignored pixels all-zero (numpy twin of
    :func:`ignore_aware_one_hot`).

    Args:
        label (np.ndarray): ``(B,) H x W`` integer label map.
        num_classes (int): Number of classes ``K``.
        ignore_index (int): Label of ignored pixels. Defaults to 255.

    Returns:
        np.ndarray: ``(B,) K x H x W`` uint8 array.

    Raises:
        ValueError: If ``label`` holds values outside ``[0, K)`` other than
            ``ignore_index``; the message lists them.
    """
    label = np.asarray(label)
    num_classes = check_int('num_classes', num_classes, 1)
    if not np.issubdtype(label.dtype, np.integer):
        raise TypeError(f'label must be an integer array, got {label.dtype}')
    invalid = ((label < 0) | (label >= num_classes)) & (label != ignore_index)
    if invalid.any():
        raise _invalid_label_error(
            np.unique(label[invalid]).tolist(), num_classes, ignore_index)
    classes = np.arange(num_classes).reshape(num_classes, 1, 1)
    one_hot = np.expand_dims(label, -3) == classes
    if 0 <= ignore_index < num_classes:
        one_hot &= np.expand_dims(label != ignore_index, -3)
    return one_hot.view(np.uint8)


# --------------------------------------------------------------------------
# torch backend (batched, any device: losses and metrics)
# --------------------------------------------------------------------------
def _check_label_tensor(label) -> None:
    """An integer H x W, B x H x W or B x 1 x H x W tensor, else raise."""
    if not isinstance(label, Tensor):
        raise TypeError(f'label must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'label must be an integer tensor, got {label.dtype}')
    if label.dim() not in (2, 3, 4) or (label.dim() == 4
                                        and label.shape[1] != 1):
        raise ValueError('label must be H x W, B x H x W or B x 1 x H x W, '
                         f'got shape {tuple(label.shape)}')


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


def _ignore_mask_torch(label: Tensor, ignore_index: int) -> Tensor:
    """``label == ignore_index``, False everywhere when the index does not
    fit ``label``'s dtype (torch would wrap it: uint8 ``x == -1`` is
    ``x == 255``)."""
    if label.dtype == torch.bool:
        return torch.zeros_like(label)
    info = torch.iinfo(label.dtype)
    if not info.min <= ignore_index <= info.max:
        return torch.zeros(label.shape, dtype=torch.bool, device=label.device)
    return label == ignore_index


def _running_extreme(values: Tensor,
                     window: int,
                     dim: int,
                     reduce,
                     pingpong: Optional['_PingPong'] = None) -> Tensor:
    """Min or max over every full window of ``window`` consecutive entries
    along ``dim`` (output length ``n - window + 1``).

    Doubling: after step k each entry holds the extreme of the 2**k entries
    starting at it; two overlapping power-of-two spans then cover any
    window. ``O(log window)`` element-wise ops, each vectorised.

    With ``pingpong`` the steps write alternately into its two scratch
    buffers instead of fresh tensors (same values; on CPU, touching fresh
    memory costs several times the op itself).
    """

    def step(first: Tensor, second: Tensor) -> Tensor:
        if pingpong is None:
            return reduce(first, second)
        return reduce(first, second, out=pingpong.target(first))

    span = 1
    while 2 * span <= window:
        length = values.shape[dim] - span
        values = step(
            values.narrow(dim, 0, length), values.narrow(dim, span, length))
        span *= 2
    if span < window:
        offset = window - span
        length = values.shape[dim] - offset
        values = step(
            values.narrow(dim, 0, length), values.narrow(dim, offset, length))
    return values


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


def _squeeze_channel(label: Tensor) -> Tensor:
    """Accept ``B x 1 x H x W`` labels (stacked ``gt_sem_seg``)."""
    if label.dim() == 4 and label.shape[1] == 1:
        return label.squeeze(1)
    if label.dim() not in (2, 3):
        raise ValueError('label must be H x W, B x H x W or B x 1 x H x W, '
                         f'got shape {tuple(label.shape)}')
    return label


def _checked_labels(label: Tensor, num_classes: int, ignore_index: int,
                    what: str) -> Tuple[Tensor, Tensor]:
    """``(label, label == ignore_index)`` after :func:`check_label_values`'s
    check (``label`` widened where ``num_classes`` does not fit its dtype;
    bools as uint8)."""
    if not isinstance(label, Tensor):
        raise TypeError(f'{what} must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'{what} must be an integer tensor, got {label.dtype}')
    num_classes = check_int('num_classes', num_classes, 1)
    ignore_index = check_int('ignore_index', ignore_index)
    if label.dtype == torch.bool:
        label = label.to(torch.uint8)
    if num_classes > torch.iinfo(label.dtype).max:
        label = label.long()  # torch would wrap num_classes to the dtype
    ignored = _ignore_mask_torch(label, ignore_index)
    invalid = ((label < 0) | (label >= num_classes)) & ~ignored
    if bool(invalid.any()):
        raise _invalid_label_error(
            torch.unique(label[invalid]).tolist(), num_classes, ignore_index,
            what)
    return label, ignored


def check_label_values(label: Tensor,
                       num_classes: int,
                       ignore_index: int = 255,
                       what: str = 'label') -> None:
    """Raise a ValueError if ``label`` holds values outside ``[0, K)`` other
    than ``ignore_index``, listing them (sorted, the first few).

    One reduction (and, on CUDA, one sync). The check of every label
    tensor the losses, heads and ``ignore_aware_one_hot`` see.

    Args:
        label (Tensor): Integer labels of any shape.
        num_classes (int): Number of classes ``K``.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        what (str): Names the tensor in the message, e.g.
            ``'CBLASPPHead: gt_sem_seg'``. Defaults to ``'label'``.

    Raises:
        ValueError: ``'<what> contains values [...] that are neither a class
            index in [0, K) nor the ignore index <ignore_index>'``.
        TypeError: If ``label`` is not an integer tensor.
    """
    _checked_labels(label, num_classes, ignore_index, what)


def ignore_aware_one_hot(label: Tensor,
                         num_classes: int,
                         ignore_index: int = 255,
                         dtype: torch.dtype = torch.uint8) -> Tensor:
    """One-hot encode labels with ignored pixels all-zero (torch).

    Unlike ``F.one_hot`` this never triggers a device-side assert: labels
    are validated first (one reduction and, on CUDA, one sync).

    Args:
        label (Tensor): Integer labels, ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W``.
        num_classes (int): Number of classes ``K``.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        dtype (torch.dtype): Output dtype. Defaults to ``torch.uint8``.

    Returns:
        Tensor: ``(B,) K x H x W`` one-hot tensor on ``label``'s device.

    Raises:
        ValueError: If ``label`` holds values outside ``[0, K)`` other than
            ``ignore_index``; the message lists them (sorted, the first few).
    """
    label, ignored = _checked_labels(label, num_classes, ignore_index,
                                     'label')
    label = _squeeze_channel(label)
    ignored = _squeeze_channel(ignored)
    classes = torch.arange(num_classes, device=label.device)
    one_hot = label.unsqueeze(-3) == classes.view(num_classes, 1, 1)
    if 0 <= ignore_index < num_classes:
        one_hot &= ~ignored.unsqueeze(-3)
    return one_hot.to(dtype)


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
# Scratch memory, window extremes and the ground-truth band (for metrics)
# --------------------------------------------------------------------------
class ScratchBuffers:
    """Named scratch tensors that the torch ops reuse from call to call.

    On CPU a fresh multi-megabyte tensor costs page faults that take several
    times as long as the element-wise op that fills it (1.6 ms against
    0.2 ms for ``torch.maximum`` on a 1024 x 2048 uint8 map on one core of
    the benchmark machine). Code that runs the ops once per image, like a
    metric, keeps one instance and passes it as ``scratch``: each buffer
    grows to the largest size seen and is handed out as a view.

    A tensor returned by :meth:`get` stays valid until the next :meth:`get`
    with the same name and dtype on the same device. Not thread-safe.
    """

    def __init__(self) -> None:
        self._flat: Dict[tuple, Tensor] = {}

    def get(self, name: str, shape, dtype: torch.dtype, device) -> Tensor:
        """A contiguous tensor of ``shape`` (contents undefined)."""
        shape = tuple(int(n) for n in shape)
        numel = math.prod(shape)
        key = (name, dtype, torch.device(device))
        flat = self._flat.get(key)
        if flat is None or flat.numel() < numel:
            flat = torch.empty(max(numel, 1), dtype=dtype, device=device)
            self._flat[key] = flat
        return flat[:numel].view(shape)

    def clear(self) -> None:
        """Release all buffers."""
        self._flat.clear()

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return sum(t.numel() * t.element_size() for t in self._flat.values())


def _shares_memory(first: Tensor, second: Tensor) -> bool:
    return (first.device == second.device
            and first.untyped_storage().data_ptr()
            == second.untyped_storage().data_ptr())


class _PingPong:
    """Two scratch buffers the doubling steps write to in turn; the first
    step never writes into the buffer its input lives in."""

    def __init__(self, scratch: ScratchBuffers, name: str, like: Tensor):
        self._buffers = [
            scratch.get(f'{name}.{index}', like.shape, like.dtype, like.device)
            for index in (0, 1)
        ]
        self._next = 1 if _shares_memory(like, self._buffers[0]) else 0

    def target(self, like: Tensor) -> Tensor:
        """A view of the next buffer with the shape of ``like``."""
        buffer = self._buffers[self._next]
        self._next ^= 1
        return buffer[tuple(slice(0, n) for n in like.shape)]


def window_extreme_torch(values: Tensor,
                         radius: int,
                         mode: str,
                         scratch: Optional[ScratchBuffers] = None,
                         name: str = 'window') -> Tensor:
    """Minimum or maximum of every full ``(2r + 1) x (2r + 1)`` window.

    The running-extreme machinery of :func:`label_to_boundary_torch`
    (``O(log r)`` element-wise ops by doubling, row pass then column pass),
    exposed for callers that need other window statistics, e.g. the
    tolerance matching of the boundary F-score. Composable: windows of radii
    ``r1`` and then ``r2`` give the window of radius ``r1 + r2``.

    Args:
        values (Tensor): ``(..., H, W)`` tensor of a dtype that
            ``torch.minimum`` / ``torch.maximum`` support.
        radius (int): Chebyshev radius ``r >= 0`` with ``2r < H`` and
            ``2r < W``.
        mode (str): ``'min'`` or ``'max'``.
        scratch (ScratchBuffers, optional): Write into the buffers
            ``f'{name}.0'`` and ``f'{name}.1'`` of ``scratch`` instead of
            fresh tensors; the result is then a view of one of them.
        name (str): Buffer name prefix, see ``scratch``.

    Returns:
        Tensor: ``(..., H - 2r, W - 2r)``; entry ``(y, x)`` is the extreme of
        ``values[..., y:y + 2r + 1, x:x + 2r + 1]``. ``values`` itself when
        ``r == 0``.
    """
    if mode not in ('min', 'max'):
        raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
    radius = check_int('radius', radius, 0)
    if values.dim() < 2 or 2 * radius >= min(values.shape[-2:]):
        raise ValueError(f'a window of radius {radius} does not fit values '
                         f'of shape {tuple(values.shape)}')
    if radius == 0:
        return values
    reduce = torch.minimum if mode == 'min' else torch.maximum
    pingpong = None if scratch is None else _PingPong(scratch, name, values)
    window = 2 * radius + 1
    rows = _running_extreme(values, window, -1, reduce, pingpong)
    return _running_extreme(rows, window, -2, reduce, pingpong)


def _scratch_like(scratch: Optional[ScratchBuffers],
                  name: str,
                  like: Tensor,
                  dtype: Optional[torch.dtype] = None) -> Tensor:
    dtype = like.dtype if dtype is None else dtype
    if scratch is None:
        return torch.empty(like.shape, dtype=dtype, device=like.device)
    return scratch.get(name, like.shape, dtype, like.device)


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
