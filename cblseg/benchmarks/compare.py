# Copyright (c) cblseg contributors. All rights reserved.
"""How the benchmarks compare two implementations of a loss: the terms and
gradients of one forward + backward, and relative errors that do not blow
up on elements that are almost 0."""
from typing import Callable, Dict, Mapping, Optional, Sequence

from torch import Tensor

__all__ = ['TERMS', 'relative_error', 'max_relative_error', 'forward_backward']

# The terms of the CBL losses, in their order.
TERMS = ('context', 'nce', 'cn')


def relative_error(ours: Tensor, reference: Tensor) -> float:
    """``max |ours - ref| / max |ref|`` (0 when both are 0, inf when only
    the reference is 0)."""
    ours, reference = ours.double().cpu(), reference.double().cpu()
    scale = float(reference.abs().max()) if reference.numel() else 0.0
    diff = float((ours - reference).abs().max()) if ours.numel() else 0.0
    if scale == 0.0:
        return 0.0 if diff == 0.0 else float('inf')
    return diff / scale


def max_relative_error(ours: Mapping[str, Tensor],
                       theirs: Mapping[str, Tensor]) -> Dict[str, float]:
    """:func:`relative_error` of every value / gradient of ``theirs``."""
    return {
        name: relative_error(ours[name], value)
        for name, value in theirs.items()
    }


def forward_backward(fn: Callable[..., Dict[str, Tensor]],
                     inputs: Sequence,
                     grad_names: Sequence[str],
                     weights: Optional[Mapping[str, float]] = None,
                     **kwargs) -> Dict[str, Tensor]:
    """One forward + backward of ``fn(*inputs, **kwargs)``.

    The first ``len(grad_names)`` inputs become leaves that get gradients;
    the weighted sum of the :data:`TERMS` (weight 1 where ``weights`` has
    none) is back-propagated.

    Returns:
        dict[str, Tensor]: The detached terms and, under ``grad_names``,
        the gradients.
    """
    count = len(grad_names)
    leaves = [t.detach().requires_grad_() for t in inputs[:count]]
    terms = fn(*leaves, *inputs[count:], **kwargs)
    weights = weights or {}
    sum(weights.get(name, 1.0) * terms[name] for name in TERMS).backward()
    out = {name: terms[name].detach() for name in TERMS}
    out.update(zip(grad_names, (leaf.grad for leaf in leaves)))
    return out
