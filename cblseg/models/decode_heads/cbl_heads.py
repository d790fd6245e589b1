# Copyright (c) cblseg contributors. All rights reserved.
"""MMSeg decode heads with the Conditional Boundary Loss.

Each class is ``CBLHeadMixin`` in front of the MMSeg head of the same name
without the ``CBL`` prefix; the CBL feature is the head's ``cls_seg`` input
(the feature right before dropout + ``conv_seg``). Inference, parameters and
checkpoints are those of the MMSeg head; see
:mod:`cblseg.models.decode_heads.cbl_head_mixin`. In a config, change the
head type and nothing else::

    model = dict(decode_head=dict(type='CBLASPPHead'))

- ``CBLFCNHead``: ``FCNHead`` (FCN)
- ``CBLASPPHead``: ``ASPPHead`` (DeepLabV3)
- ``CBLDepthwiseSeparableASPPHead``: ``DepthwiseSeparableASPPHead``
  (DeepLabV3+)
- ``CBLPSPHead``: ``PSPHead`` (PSPNet)
- ``CBLUPerHead``: ``UPerHead`` (UPerNet)
- ``CBLSegformerHead``: ``SegformerHead`` (SegFormer)
- ``CBLDenseASPPHead``: cblseg's ``DenseASPPHead`` (DenseASPP)

``CBLOCRHead`` (OCRNet) is in :mod:`.cbl_ocr_head`.
"""
from mmseg.models.decode_heads import (ASPPHead, DepthwiseSeparableASPPHead,
                                       FCNHead, PSPHead, SegformerHead,
                                       UPerHead)
from mmseg.registry import MODELS

from .cbl_head_mixin import CBLHeadMixin
from .dense_aspp_head import DenseASPPHead

__all__ = [
    'CBLFCNHead', 'CBLASPPHead', 'CBLDepthwiseSeparableASPPHead', 'CBLPSPHead',
    'CBLUPerHead', 'CBLSegformerHead', 'CBLDenseASPPHead'
]


@MODELS.register_module()
class CBLFCNHead(CBLHeadMixin, FCNHead):
    """FCNHead (FCN) with the Conditional Boundary Loss.

    Takes FCNHead's arguments plus ``cbl_loss``; see :class:`CBLHeadMixin`.
    """


@MODELS.register_module()
class CBLASPPHead(CBLHeadMixin, ASPPHead):
    """ASPPHead (DeepLabV3) with the Conditional Boundary Loss.

    Takes ASPPHead's arguments plus ``cbl_loss``; see :class:`CBLHeadMixin`.
    """


@MODELS.register_module()
class CBLDepthwiseSeparableASPPHead(CBLHeadMixin, DepthwiseSeparableASPPHead):
    """DepthwiseSeparableASPPHead (DeepLabV3+) with the Conditional Boundary
    Loss; the CBL feature is the ``sep_bottleneck`` output at the resolution
    of the low-level (c1) features.

    Takes DepthwiseSeparableASPPHead's arguments plus ``cbl_loss``; see
    :class:`CBLHeadMixin`.
    """


@MODELS.register_module()
class CBLPSPHead(CBLHeadMixin, PSPHead):
    """PSPHead (PSPNet) with the Conditional Boundary Loss.

    Takes PSPHead's arguments plus ``cbl_loss``; see :class:`CBLHeadMixin`.
    """


@MODELS.register_module()
class CBLUPerHead(CBLHeadMixin, UPerHead):
    """UPerHead (UPerNet) with the Conditional Boundary Loss; the CBL feature
    is the ``fpn_bottleneck`` output.

    Takes UPerHead's arguments plus ``cbl_loss``; see :class:`CBLHeadMixin`.
    """


@MODELS.register_module()
class CBLSegformerHead(CBLHeadMixin, SegformerHead):
    """SegformerHead (SegFormer) with the Conditional Boundary Loss; the CBL
    feature is the ``fusion_conv`` output.

    Takes SegformerHead's arguments plus ``cbl_loss``; see
    :class:`CBLHeadMixin`.
    """


@MODELS.register_module()
class CBLDenseASPPHead(CBLHeadMixin, DenseASPPHead):
    """DenseASPPHead (DenseASPP) with the Conditional Boundary Loss; the CBL
    feature is the ``fusion_conv`` output.

    Takes DenseASPPHead's arguments plus ``cbl_loss``; see
    :class:`CBLHeadMixin`.
    """
