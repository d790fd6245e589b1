# Copyright (c) cblseg contributors. All rights reserved.
from cblseg._optional import mmseg_installed
from .functional import (conditional_boundary_loss,
                         mask_conditional_boundary_loss,
                         mask_semantic_prediction)

__all__ = [
    'conditional_boundary_loss', 'mask_conditional_boundary_loss',
    'mask_semantic_prediction'
]

if mmseg_installed():  # the registered wrappers (see cblseg/_optional.py)
    # The functions again: importing a submodule binds its name (here the
    # function's) in the package; these imports bind the functions back.
    from .conditional_boundary_loss import (  # noqa: F811
        ConditionalBoundaryLoss, conditional_boundary_loss)
    from .mask_conditional_boundary_loss import (  # noqa: F811
        MaskConditionalBoundaryLoss, mask_conditional_boundary_loss)

    __all__ += ['ConditionalBoundaryLoss', 'MaskConditionalBoundaryLoss']
