# Copyright (c) cblseg contributors. All rights reserved.
from .generate_boundary import GenerateBoundary
from .pad_seg_fields import PadSegFields

__all__ = ['GenerateBoundary', 'PadSegFields']
