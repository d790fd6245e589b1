# Copyright (c) cblseg contributors. All rights reserved.
"""Boundary band radius: pixels, or a ratio of the image diagonal.

See :mod:`cblseg.ops.boundary` for the boundary definition the radius
belongs to.
"""
import math
from typing import Optional

from .checks import check_int, check_real

__all__ = [
    'DEFAULT_DILATION', 'radius_from_dilation', 'check_radius',
    'check_radius_options', 'resolve_radius'
]

#: Band width when neither ``dilation`` nor ``radius`` is given: the Boundary
#: IoU paper's default, and what the CBL reference trains with.
DEFAULT_DILATION = 0.02


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


def _band_covers_image(radius: int, height: int, width: int) -> bool:
    """Whether every pixel lies within ``radius`` of the image border.

    Then no window fits inside the image and every pixel is boundary.
    """
    return 2 * radius >= height or 2 * radius >= width
