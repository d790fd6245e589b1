# Copyright (c) cblseg contributors. All rights reserved.
"""Which values of a label map are neither a class nor ignore.

A value outside ``[0, K)`` that is not the ignore index reaches the loss as
a class index: PyTorch's cross-entropy stops with ``IndexError: Target 40 is
out of bounds`` (a device-side assert on CUDA) and names no file. These
functions find such values, with their pixel counts, so that loading can
stop first and name the file (:class:`LoadCheckedAnnotations`,
``tools/check_dataset.py``).
"""
from typing import Dict

import numpy as np

__all__ = ['bad_label_values', 'describe_bad_values']

_MAX_SHOWN = 10


def bad_label_values(label: np.ndarray,
                     num_classes: int,
                     ignore_index: int = 255) -> Dict[int, int]:
    """Values of ``label`` outside ``[0, num_classes)`` and not
    ``ignore_index``, with their pixel counts.

    Args:
        label (np.ndarray): Integer label map of any shape (an empty one has
            no bad values).
        num_classes (int): Number of classes ``K`` (>= 1).
        ignore_index (int): The one value allowed outside ``[0, K)``.

    Returns:
        dict[int, int]: ``{value: pixel count}``, sorted by value; empty
        when every value is a class or ignore.

    Raises:
        TypeError: If ``label`` is not an integer array.
    """
    label = np.asarray(label)
    if label.dtype == np.bool_ or not np.issubdtype(label.dtype, np.integer):
        raise TypeError('a label map must hold integers, got dtype '
                        f'{label.dtype}')
    if label.size == 0:
        return {}
    if label.dtype == np.uint8:
        # one pass, no sort: the common case of 8-bit PNG labels
        counts = np.bincount(label.ravel(), minlength=256)
        counts[:max(0, min(num_classes, 256))] = 0
        if 0 <= ignore_index < 256:
            counts[ignore_index] = 0
        values = np.flatnonzero(counts)
        return {int(v): int(counts[v]) for v in values}
    flat = label.ravel()
    bad = flat[((flat < 0) | (flat >= num_classes)) & (flat != ignore_index)]
    if bad.size == 0:
        return {}
    values, counts = np.unique(bad, return_counts=True)
    return {int(v): int(c) for v, c in zip(values, counts)}


def describe_bad_values(bad: Dict[int, int]) -> str:
    """``'40 (12 pixels), 41 (1 pixel)'``; the first few values only."""
    parts = [
        f'{value} ({count} pixel{"s" if count != 1 else ""})'
        for value, count in list(bad.items())[:_MAX_SHOWN]
    ]
    if len(bad) > _MAX_SHOWN:
        parts.append(f'and {len(bad) - _MAX_SHOWN} more values')
    return ', '.join(parts)
