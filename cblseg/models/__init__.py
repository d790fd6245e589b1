# Copyright (c) cblseg contributors. All rights reserved.
from cblseg._optional import mmseg_installed
from .losses import conditional_boundary_loss

__all__ = ['conditional_boundary_loss']

if mmseg_installed():  # registered modules (see cblseg/_optional.py)
    from .decode_heads import *  # noqa: F401,F403  (CBL decode heads)
    from .losses import ConditionalBoundaryLoss
    from .segmentors import *  # noqa: F401,F403  (test-time augmentation)

    __all__ += ['ConditionalBoundaryLoss']
