# Copyright (c) cblseg contributors. All rights reserved.
from .boundary import (check_radius, class_boundaries, ignore_aware_one_hot,
                       ignore_aware_one_hot_numpy, label_to_boundary,
                       label_to_boundary_torch, radius_from_dilation)

__all__ = [
    'check_radius', 'class_boundaries', 'ignore_aware_one_hot',
    'ignore_aware_one_hot_numpy', 'label_to_boundary',
    'label_to_boundary_torch', 'radius_from_dilation'
]
