# Copyright (c) cblseg contributors. All rights reserved.
from .conditional_boundary_loss import (ConditionalBoundaryLoss,
                                        conditional_boundary_loss)
from .mask_conditional_boundary_loss import (MaskConditionalBoundaryLoss,
                                             mask_conditional_boundary_loss,
                                             mask_semantic_prediction)

__all__ = [
    'ConditionalBoundaryLoss', 'conditional_boundary_loss',
    'MaskConditionalBoundaryLoss', 'mask_conditional_boundary_loss',
    'mask_semantic_prediction'
]
