# Copyright (c) cblseg contributors. All rights reserved.
from .cbl_head_mixin import CBLHeadMixin
from .cbl_heads import (CBLASPPHead, CBLDenseASPPHead,
                        CBLDepthwiseSeparableASPPHead, CBLFCNHead, CBLPSPHead,
                        CBLSegformerHead, CBLUPerHead)
from .cbl_mask_heads import (CBLMask2FormerHead, CBLMaskFormerHead,
                             CBLMaskHeadMixin)
from .cbl_ocr_head import CBLOCRHead
from .dense_aspp_head import DenseASPPHead

__all__ = [
    'CBLHeadMixin', 'CBLOCRHead', 'CBLFCNHead', 'CBLASPPHead',
    'CBLDepthwiseSeparableASPPHead', 'CBLPSPHead', 'CBLUPerHead',
    'CBLSegformerHead', 'DenseASPPHead', 'CBLDenseASPPHead',
    'CBLMaskHeadMixin', 'CBLMask2FormerHead', 'CBLMaskFormerHead'
]
