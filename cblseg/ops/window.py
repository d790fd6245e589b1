# Copyright (c) cblseg contributors. All rights reserved.
"""Running window minimum / maximum (torch) and reusable scratch memory.

The machinery behind :func:`cblseg.ops.label_to_boundary_torch` and the
metric's bands and tolerance matching: ``O(log r)`` element-wise
``torch.minimum`` / ``torch.maximum`` of shifted views (van Herk style
doubling), row pass then column pass, optionally writing into
:class:`ScratchBuffers` instead of fresh tensors.
"""
import math
from typing import Dict, Optional

import torch
from torch import Tensor

from .checks import check_int

__all__ = ['ScratchBuffers', 'window_extreme_torch']


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
