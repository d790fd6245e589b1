# Copyright (c) cblseg contributors. All rights reserved.
"""``ConditionalBoundaryLoss``: the registry wrapper of
:func:`~cblseg.models.losses.functional.conditional_boundary_loss` (the
maths, which imports with torch only; see its module for how it is
computed)."""
from typing import Dict, Optional

from mmseg.registry import MODELS
from torch import Tensor

from cblseg.utils.arguments import reject_unknown_kwargs
from .cbl_terms_module import CBLTermsModule
from .functional.conditional_boundary_loss import conditional_boundary_loss

__all__ = ['conditional_boundary_loss', 'ConditionalBoundaryLoss']


@MODELS.register_module()
class ConditionalBoundaryLoss(CBLTermsModule):
    """Conditional Boundary Loss (Wu et al., TIP 2023) as an MMSeg loss.

    Computes the three terms of :func:`conditional_boundary_loss` (see its
    docstring or docs/cbl.md for the definition) and returns them weighted,
    as three ``loss_*`` entries that MMSeg sums into the total loss and
    logs separately:

    - ``{loss_name}_context`` = ``loss_weight_context * context``: the
      cosine similarity of each boundary pixel's feature to its ``k x k``
      neighbours' should be 1 for the same label and 0 otherwise.
    - ``{loss_name}_nce`` = ``loss_weight_nce * nce``: the mean feature of a
      boundary pixel's same-class neighbours (all of them, and those
      predicted right) must be classified as that class by the head's
      classifier (used detached).
    - ``{loss_name}_cn`` = ``loss_weight_cn * cn``: a boundary pixel that is
      predicted right is pulled towards the (detached) mean feature of its
      right-predicted same-class neighbours.

    The default weights 1.0 / 0.2 / 2.0 are the reference's.

    Args:
        loss_weight_context (float): Weight of the context term.
            Defaults to 1.0.
        loss_weight_nce (float): Weight of the neighbour classification
            (NCE) term. Defaults to 0.2.
        loss_weight_cn (float): Weight of the close-to-neighbours (CN) term.
            Defaults to 2.0.
        kernel_size (int): Odd neighbourhood size ``k``. Defaults to 5.
        ignore_index (int): Ignored label. Defaults to 255.
        reference_quirks (bool): Reproduce the reference implementation's
            context term (class 0 skipped, border band skipped, ignore
            neighbours as target 0). Defaults to False.
        loss_name (str): Prefix of the returned keys; MMSeg adds every key
            that starts with ``loss`` to the total loss. Defaults to
            ``'loss_cbl'``.

    Raises:
        TypeError: For any other keyword argument (a misspelt config key),
            naming it and the accepted ones.

    Example:
        >>> cbl = MODELS.build(dict(type='ConditionalBoundaryLoss'))
        >>> losses = cbl(feats, seg_logits, gt_sem_seg, gt_edge_map,
        ...              head.conv_seg.weight, head.conv_seg.bias)
        >>> sorted(losses)
        ['loss_cbl_cn', 'loss_cbl_context', 'loss_cbl_nce']
    """

    def __init__(self,
                 loss_weight_context: float = 1.0,
                 loss_weight_nce: float = 0.2,
                 loss_weight_cn: float = 2.0,
                 kernel_size: int = 5,
                 ignore_index: int = 255,
                 reference_quirks: bool = False,
                 loss_name: str = 'loss_cbl',
                 **kwargs) -> None:
        reject_unknown_kwargs(
            type(self).__name__, kwargs, ConditionalBoundaryLoss.__init__)
        super().__init__(loss_weight_context, loss_weight_nce, loss_weight_cn,
                         kernel_size, ignore_index, reference_quirks,
                         loss_name)

    def forward(self,
                feats: Tensor,
                logits: Tensor,
                gt_sem_seg: Tensor,
                gt_edge_map: Tensor,
                cls_weight: Tensor,
                cls_bias: Optional[Tensor],
                check_labels: bool = True) -> Dict[str, Tensor]:
        """Compute the weighted terms.

        Args:
            feats (Tensor): Features before the classifier, (B, C, h, w).
            logits (Tensor): Class scores (B, K, h, w) (argmax only).
            gt_sem_seg (Tensor): Labels (B, 1, H, W) or (B, H, W).
            gt_edge_map (Tensor): ``GenerateBoundary`` map, same shape.
            cls_weight (Tensor): Classifier weight (K, C) or (K, C, 1, 1).
            cls_bias (Tensor, optional): Classifier bias (K,).
            check_labels (bool): Check the label values (the heads pass
                False: they have checked them). Defaults to True.

        Returns:
            dict[str, Tensor]: ``{loss_name}_context``,
            ``{loss_name}_nce`` and ``{loss_name}_cn``.
        """
        terms = conditional_boundary_loss(
            feats,
            logits,
            gt_sem_seg,
            gt_edge_map,
            cls_weight,
            cls_bias,
            kernel_size=self.kernel_size,
            ignore_index=self.ignore_index,
            reference_quirks=self.reference_quirks,
            check_labels=check_labels)
        return self.weighted(terms)
