# Copyright (c) cblseg contributors. All rights reserved.
from .generate_boundary import GenerateBoundary
from .load_checked_annotations import LoadCheckedAnnotations
from .pad_seg_fields import PadSegFields

__all__ = ['GenerateBoundary', 'LoadCheckedAnnotations', 'PadSegFields']
