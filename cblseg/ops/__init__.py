# Copyright (c) cblseg contributors. All rights reserved.
from .boundary import (ScratchBuffers, check_radius, class_boundaries,
                       ignore_aware_one_hot, ignore_aware_one_hot_numpy,
                       label_to_boundary, label_to_boundary_mask_torch,
                       label_to_boundary_masks_torch, label_to_boundary_torch,
                       radius_from_dilation, window_extreme_torch)

__all__ = [
    'ScratchBuffers', 'check_radius', 'class_boundaries',
    'ignore_aware_one_hot', 'ignore_aware_one_hot_numpy', 'label_to_boundary',
    'label_to_boundary_mask_torch', 'label_to_boundary_masks_torch',
    'label_to_boundary_torch', 'radius_from_dilation', 'window_extreme_torch'
]
