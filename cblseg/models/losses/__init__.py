# Copyright (c) cblseg contributors. All rights reserved.
from .conditional_boundary_loss import (ConditionalBoundaryLoss,
                                        conditional_boundary_loss)

__all__ = ['ConditionalBoundaryLoss', 'conditional_boundary_loss']
