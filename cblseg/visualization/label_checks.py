# Copyright (c) cblseg contributors. All rights reserved.
"""Checks of what the pictures paint: images, class-index maps and
palettes.

The pictures paint labels through a uint8 lookup table with 255 for
"ignored", so they support at most :data:`MAX_CLASSES` classes.
"""
from typing import Optional

import numpy as np

__all__ = [
    'MAX_CLASSES', 'check_rgb_image', 'check_label_map', 'check_palette'
]

MAX_CLASSES = 255
_MAX_SHOWN = 8


def check_rgb_image(image) -> np.ndarray:
    """An image to paint on, as ``H x W x 3`` uint8 RGB.

    Args:
        image (array-like): ``H x W x 3`` uint8 RGB, or ``H x W`` uint8 grey
            (repeated to RGB).

    Returns:
        np.ndarray: The ``H x W x 3`` image.

    Raises:
        ValueError: For another shape or dtype.
    """
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError('image must be an H x W x 3 uint8 RGB array, got '
                         f'shape {image.shape} and dtype {image.dtype}')
    return image


def check_label_map(label, what: str, num_classes: int,
                    ignore_index: int) -> np.ndarray:
    """Check a map of class indices before it is painted.

    Args:
        label (array-like): The map.
        what (str): Its name in error messages (``'label'``,
            ``'ground truth'``, ``"prediction 0 ('a')"``...).
        num_classes (int): Number of classes ``K`` (at most
            :data:`MAX_CLASSES`).
        ignore_index (int): The one value allowed outside ``[0, K)``.

    Returns:
        np.ndarray: The class indices present, sorted, ``ignore_index``
        excluded (int64).

    Raises:
        ValueError: If the map is not 2D or is empty, ``K`` is too large,
            or a value is neither a class index nor ``ignore_index`` (the
            message lists the values).
        TypeError: If the map is not of an integer (or bool) type.
    """
    label = np.asarray(label)
    if label.ndim != 2:
        hint = (' (an RGB colour label? use the class index file, e.g. '
                '*_labelTrainIds.png or a VOC SegmentationClass png)'
                if label.ndim == 3 else '')
        raise ValueError(f'{what} must be a 2D H x W map of class indices, '
                         f'got shape {label.shape}{hint}')
    if not np.issubdtype(label.dtype, np.integer) and label.dtype != np.bool_:
        raise TypeError(f'{what} must be an integer array, got {label.dtype}')
    if label.size == 0:
        raise ValueError(f'{what} must not be empty, got shape {label.shape}')
    if num_classes > MAX_CLASSES:
        raise ValueError(f'the pictures support at most {MAX_CLASSES} '
                         f'classes, got {num_classes}')
    values = np.unique(label)
    values = values[values != ignore_index].astype(np.int64)
    invalid = values[(values < 0) | (values >= num_classes)]
    if invalid.size:
        shown = ', '.join(str(v) for v in invalid[:_MAX_SHOWN])
        more = (f', ... ({invalid.size - _MAX_SHOWN} more)'
                if invalid.size > _MAX_SHOWN else '')
        raise ValueError(
            f'{what} contains values [{shown}{more}] that are neither a class '
            f'index in [0, {num_classes}) nor the ignore index '
            f'{ignore_index}')
    return values


def check_palette(palette, num_classes: Optional[int] = None) -> np.ndarray:
    """Check a palette of RGB colours.

    Args:
        palette (array-like): One ``[r, g, b]`` per class.
        num_classes (int, optional): Classes it must colour; default: one
            per colour.

    Returns:
        np.ndarray: The first ``num_classes`` colours, ``K x 3`` uint8.

    Raises:
        ValueError: If the palette is not an ``N x 3`` list, is empty
            (without ``num_classes``) or has fewer than ``num_classes``
            colours.
    """
    colors = np.asarray(palette)
    if colors.ndim != 2 or colors.shape[1] != 3:
        raise ValueError('palette must be a list of [r, g, b] colours, got '
                         f'shape {colors.shape}')
    if num_classes is None:
        if len(colors) == 0:
            raise ValueError('palette must have at least one colour')
        num_classes = len(colors)
    if len(colors) < num_classes:
        raise ValueError(f'palette has {len(colors)} colours for '
                         f'{num_classes} classes')
    return colors[:num_classes].astype(np.uint8)
