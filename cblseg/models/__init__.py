# Copyright (c) cblseg contributors. All rights reserved.
from .losses import ConditionalBoundaryLoss, conditional_boundary_loss

__all__ = ['ConditionalBoundaryLoss', 'conditional_boundary_loss']
from .decode_heads import *  # noqa: F401,F403,E402  (CBL decode heads)
from .segmentors import *  # noqa: F401,F403,E402  (test-time augmentation)
