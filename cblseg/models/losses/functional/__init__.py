# Copyright (c) cblseg contributors. All rights reserved.
"""The CBL as plain functions of tensors (torch only, no OpenMMLab import):
use them in any PyTorch model; the registered losses wrap them."""
from .conditional_boundary_loss import conditional_boundary_loss
from .mask_conditional_boundary_loss import (mask_conditional_boundary_loss,
                                             mask_semantic_prediction)

__all__ = [
    'conditional_boundary_loss', 'mask_conditional_boundary_loss',
    'mask_semantic_prediction'
]
