# Copyright (c) cblseg contributors. All rights reserved.
"""``MaskConditionalBoundaryLoss``: the registry wrapper of
:func:`~cblseg.models.losses.functional.mask_conditional_boundary_loss`
(the maths, which imports with torch only; see its module for how it is
computed)."""
from typing import Dict, Optional

from mmseg.registry import MODELS
from torch import Tensor

from cblseg.utils.arguments import reject_unknown_kwargs
from .cbl_terms_module import CBLTermsModule
from .functional.mask_conditional_boundary_loss import (
    mask_conditional_boundary_loss, mask_semantic_prediction)

__all__ = [
    'mask_conditional_boundary_loss', 'mask_semantic_prediction',
    'MaskConditionalBoundaryLoss'
]


@MODELS.register_module()
class MaskConditionalBoundaryLoss(CBLTermsModule):
    """Conditional Boundary Loss for Mask2Former / MaskFormer heads.

    Computes the three terms of :func:`mask_conditional_boundary_loss` on
    the last decoder layer's outputs and returns them weighted, as
    ``{loss_name}_context``, ``{loss_name}_nce`` and ``{loss_name}_cn``
    (MMSeg sums every ``loss*`` key into the total loss).

    The default weights 2.0 / 0.4 / 4.0 are the authors' for their
    Mask2Former and MaskFormer models (``SetCriterion.__init__`` sets
    ``weight_dict['loss_context'] = 2.0``, ``['loss_NCE'] = 0.4``,
    ``['loss_CN'] = 4``), twice the per-pixel version's.

    Args:
        loss_weight_context (float): Weight of the context term.
            Defaults to 2.0.
        loss_weight_nce (float): Weight of the NCE term. Defaults to 0.4.
        loss_weight_cn (float): Weight of the CN term. Defaults to 4.0.
        kernel_size (int): Odd neighbourhood size ``k``. Defaults to 5.
        ignore_index (int): Ignored label. Defaults to 255.
        reference_quirks (bool): The authors' context term. Defaults to
            False.
        loss_name (str): Prefix of the returned keys. Defaults to
            ``'loss_cbl'``.

    Raises:
        TypeError: For any other keyword argument (a misspelt config key),
            naming it and the accepted ones.
    """

    def __init__(self,
                 loss_weight_context: float = 2.0,
                 loss_weight_nce: float = 0.4,
                 loss_weight_cn: float = 4.0,
                 kernel_size: int = 5,
                 ignore_index: int = 255,
                 reference_quirks: bool = False,
                 loss_name: str = 'loss_cbl',
                 **kwargs) -> None:
        reject_unknown_kwargs(
            type(self).__name__, kwargs, MaskConditionalBoundaryLoss.__init__)
        super().__init__(loss_weight_context, loss_weight_nce, loss_weight_cn,
                         kernel_size, ignore_index, reference_quirks,
                         loss_name)

    def forward(self,
                mask_feats: Tensor,
                mask_embed: Tensor,
                cls_logits: Tensor,
                gt_sem_seg: Tensor,
                gt_edge_map: Tensor,
                mask_logits: Optional[Tensor] = None,
                check_labels: bool = True) -> Dict[str, Tensor]:
        """Compute the weighted terms.

        Args:
            mask_feats (Tensor): Mask features (B, D, h, w).
            mask_embed (Tensor): Last layer's mask embeddings (B, Q, D).
            cls_logits (Tensor): Last layer's class logits (B, Q, K + 1).
            gt_sem_seg (Tensor): Labels (B, 1, H, W) or (B, H, W).
            gt_edge_map (Tensor): ``GenerateBoundary`` map, same shape.
            mask_logits (Tensor, optional): Last layer's mask logits
                (B, Q, h, w), if already computed.
            check_labels (bool): Check the label values (the heads pass
                False: they have checked them). Defaults to True.

        Returns:
            dict[str, Tensor]: ``{loss_name}_context``,
            ``{loss_name}_nce`` and ``{loss_name}_cn``.
        """
        terms = mask_conditional_boundary_loss(
            mask_feats,
            mask_embed,
            cls_logits,
            gt_sem_seg,
            gt_edge_map,
            mask_logits=mask_logits,
            kernel_size=self.kernel_size,
            ignore_index=self.ignore_index,
            reference_quirks=self.reference_quirks,
            check_labels=check_labels)
        return self.weighted(terms)
