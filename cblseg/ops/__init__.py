# Copyright (c) cblseg contributors. All rights reserved.
from .boundary import (DEFAULT_DILATION, ScratchBuffers, check_label_values,
                       check_radius, check_radius_options, class_boundaries,
                       ignore_aware_one_hot, ignore_aware_one_hot_numpy,
                       label_to_boundary, label_to_boundary_mask_torch,
                       label_to_boundary_masks_torch, label_to_boundary_torch,
                       radius_from_dilation, resolve_radius,
                       window_extreme_torch)
from .checks import check_int, check_ints, check_real

__all__ = [
    'DEFAULT_DILATION', 'ScratchBuffers', 'check_radius',
    'check_radius_options', 'class_boundaries', 'ignore_aware_one_hot',
    'ignore_aware_one_hot_numpy', 'label_to_boundary',
    'label_to_boundary_mask_torch', 'label_to_boundary_masks_torch',
    'label_to_boundary_torch', 'radius_from_dilation', 'resolve_radius',
    'window_extreme_torch', 'check_label_values', 'check_int', 'check_ints',
    'check_real'
]
