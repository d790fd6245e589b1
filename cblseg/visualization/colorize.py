# Copyright (c) cblseg contributors. All rights reserved.
"""Class-index map -> RGB picture with a palette (used by every picture)."""
from typing import Sequence

import numpy as np

__all__ = ['colorize_label']


def colorize_label(
    label: np.ndarray,
    palette: Sequence[Sequence[int]],
    ignore_index: int = 255,
    ignore_color: Sequence[int] = (0, 0, 0)
) -> np.ndarray:
    """Paint a class-index map with a palette.

    Args:
        label (np.ndarray): HxW class indices.
        palette (Sequence): RGB colour per class.
        ignore_index (int): Painted with ``ignore_color``.
        ignore_color (Sequence[int]): RGB colour of ignored pixels.

    Returns:
        np.ndarray: HxWx3 uint8 RGB image.
    """
    lut = np.zeros((256, 3), dtype=np.uint8)
    lut[:len(palette)] = np.asarray(palette, dtype=np.uint8)
    lut[ignore_index] = ignore_color
    return lut[np.asarray(label, dtype=np.uint8)]
