# Copyright (c) cblseg contributors. All rights reserved.
"""Boundaries of label maps and the checks they share (torch, numpy and
OpenCV only; no OpenMMLab import, docs/standalone.md)."""
from .boundary import (class_boundaries, label_to_boundary,
                       label_to_boundary_mask_torch,
                       label_to_boundary_masks_torch, label_to_boundary_torch)
from .checks import check_int, check_ints, check_real
from .labels import (check_label_values, ignore_aware_one_hot,
                     ignore_aware_one_hot_numpy)
from .radius import (DEFAULT_DILATION, check_radius, check_radius_options,
                     radius_from_dilation, resolve_radius)
from .window import ScratchBuffers, window_extreme_torch

__all__ = [
    'DEFAULT_DILATION', 'ScratchBuffers', 'check_radius',
    'check_radius_options', 'class_boundaries', 'ignore_aware_one_hot',
    'ignore_aware_one_hot_numpy', 'label_to_boundary',
    'label_to_boundary_mask_torch', 'label_to_boundary_masks_torch',
    'label_to_boundary_torch', 'radius_from_dilation', 'resolve_radius',
    'window_extreme_torch', 'check_label_values', 'check_int', 'check_ints',
    'check_real'
]
