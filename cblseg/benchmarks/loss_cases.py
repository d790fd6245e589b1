# Copyright (c) cblseg contributors. All rights reserved.
"""The boundary losses the GPU report checks, by name.

Each :class:`LossCase` says how to build the loss's inputs at the report's
sizes, how to call ours and (optionally) a plain autograd peer of it. The
correctness part runs every registered case (CUDA against CPU in fp32,
then under fp16 / bf16 autocast); the speed part times the cases that have
a peer.

Adding a loss (e.g. the CBL for mask classification) is one call, next to
the loss or at the end of this file::

    register_loss_case(LossCase(
        name='mask_classification',
        description='CBL on the mask-classification queries ...',
        make_inputs=lambda quick: (inputs_dict, ('mask_feats', )),
        loss=my_functional_loss,          # (**inputs) -> dict of 0-dim terms
        term_weights=dict(context=1.0, nce=0.2, cn=2.0),
        half_inputs=('logits', )))

``make_inputs(quick)`` returns CPU tensors (keyword arguments of ``loss``)
and the names of the float inputs that get gradients; the report moves
them to the device and, under autocast, casts those inputs to the autocast
dtype (what the network before the loss would hand over).
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

import torch
from torch import Tensor

from cblseg.models.losses import (conditional_boundary_loss,
                                  mask_conditional_boundary_loss)
from .inputs import cbl_loss_inputs
from .mask_cbl import (MASK_FULL_SIZE, MASK_QUICK_SIZE, authors_mask_cbl,
                       make_mask_inputs)
from .peers import plain_autograd_cbl

__all__ = [
    'LossCase', 'LOSS_CASES', 'register_loss_case', 'OCR_FULL_SIZE',
    'OCR_QUICK_SIZE', 'MASK_FULL_SIZE', 'MASK_QUICK_SIZE'
]

# (batch, label height, label width, channels, stride): OCRNet HRNet-W48's
# bottleneck on a 512 x 1024 crop: B=2, C=512, 128 x 256 features, K=19.
OCR_FULL_SIZE = (2, 512, 1024, 512, 4)
OCR_QUICK_SIZE = (2, 64, 128, 16, 4)

Inputs = Dict[str, Tensor]


@dataclass
class LossCase:
    """A loss under test.

    Attributes:
        name (str): Key in reports (``cbl_loss.<name>...``).
        description (str): One line for the report.
        make_inputs (callable): ``quick -> (inputs, grad_names)``.
        loss (callable): Ours, ``(**inputs) -> {term: 0-dim tensor}``.
        peer (callable, optional): A plain autograd implementation of the
            same terms (same signature), for the speed comparison.
        term_weights (dict): Weights of the terms in the total that is
            back-propagated (the config defaults).
        half_inputs (tuple): Inputs without gradient that the network
            hands over in the autocast dtype too (e.g. the logits). The
            fp32 reference of the autocast check gets them rounded the
            same way, so that discrete choices (an argmax) agree and the
            comparison measures the rounding of the differentiated inputs.
    """
    name: str
    description: str
    make_inputs: Callable[[bool], Tuple[Inputs, Tuple[str, ...]]]
    loss: Callable[..., Dict[str, Tensor]]
    peer: Optional[Callable[..., Dict[str, Tensor]]] = None
    term_weights: Dict[str, float] = field(default_factory=dict)
    half_inputs: Tuple[str, ...] = ()

    def total(self, terms: Dict[str, Tensor]) -> Tensor:
        """The weighted sum that training back-propagates."""
        return sum(
            self.term_weights.get(name, 1.0) * value
            for name, value in terms.items())


LOSS_CASES: Dict[str, LossCase] = {}


def register_loss_case(case: LossCase) -> LossCase:
    """Add ``case`` to :data:`LOSS_CASES` (a name may be registered once)."""
    if case.name in LOSS_CASES:
        raise KeyError(f'loss case {case.name!r} is already registered')
    LOSS_CASES[case.name] = case
    return case


def _ocr_inputs(quick: bool) -> Tuple[Inputs, Tuple[str, ...]]:
    size = OCR_QUICK_SIZE if quick else OCR_FULL_SIZE
    feats, logits, gt, edge, weight, bias = cbl_loss_inputs(*size)
    inputs = dict(
        feats=feats,
        logits=logits,
        gt_sem_seg=gt,
        gt_edge_map=edge,
        cls_weight=weight,
        cls_bias=bias)
    return inputs, ('feats', )


register_loss_case(
    LossCase(
        name='ocr',
        description='ConditionalBoundaryLoss as CBLOCRHead runs it '
        '(conditional_boundary_loss, default mode, k=5)',
        make_inputs=_ocr_inputs,
        loss=conditional_boundary_loss,
        peer=plain_autograd_cbl,
        term_weights=dict(context=1.0, nce=0.2, cn=2.0),
        half_inputs=('logits', )))


# The mask-classification CBL (CBLMask2FormerHead / CBLMaskFormerHead) at
# Mask2Former Swin-B's mask-feature size (MASK_FULL_SIZE, from mask_cbl).
# Its peer is the loss computed with the authors' structure (per-class and
# per-image loops), which has their semantics: ours runs with
# reference_quirks=True against it.
def _mask_inputs(quick: bool) -> Tuple[Inputs, Tuple[str, ...]]:
    size = MASK_QUICK_SIZE if quick else MASK_FULL_SIZE
    feats, embed, cls_logits, gt, edge = make_mask_inputs(**size)
    # The predicted class of a pixel is an argmax over sums of sigmoids of
    # the (differentiated) inputs: rounding them to bf16 flips a few
    # pixels' predictions, which moves them between the right-predicted
    # sets and changed the CN / NCE gradients by half of their maximum (5
    # of 2048 pixels, quick size), whatever the loss's own precision.
    # bf16-representable inputs (exact in fp16 too) make the rounding the
    # identity, so the autocast checks measure the loss's arithmetic.
    feats, embed, cls_logits = (
        t.to(torch.bfloat16).float() for t in (feats, embed, cls_logits))
    inputs = dict(
        mask_feats=feats,
        mask_embed=embed,
        cls_logits=cls_logits,
        gt_sem_seg=gt,
        gt_edge_map=edge)
    return inputs, ('mask_feats', 'mask_embed', 'cls_logits')


def _mask_ours(**inputs) -> Dict[str, Tensor]:
    return mask_conditional_boundary_loss(**inputs, reference_quirks=True)


register_loss_case(
    LossCase(
        name='mask_classification',
        description='MaskConditionalBoundaryLoss as CBLMask2FormerHead runs '
        'it (mask_conditional_boundary_loss, reference_quirks=True, k=5); '
        "peer: the authors' structure (cblseg.benchmarks.mask_cbl)",
        make_inputs=_mask_inputs,
        loss=_mask_ours,
        peer=authors_mask_cbl,
        term_weights=dict(context=2.0, nce=0.4, cn=4.0)))
