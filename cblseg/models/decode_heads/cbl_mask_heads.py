# Copyright (c) cblseg contributors. All rights reserved.
"""Mask2Former and MaskFormer heads with the Conditional Boundary Loss.

``CBLMask2FormerHead`` and ``CBLMaskFormerHead`` are MMSeg's
``Mask2FormerHead`` / ``MaskFormerHead`` plus
:class:`~cblseg.models.losses.MaskConditionalBoundaryLoss`, computed as the
CBL authors do for their Mask2Former / MaskFormer models: on the pixel
decoder's mask features and the last decoder layer's mask embeddings, class
logits and mask logits. Like :class:`CBLHeadMixin` for the per-pixel heads,
:class:`CBLMaskHeadMixin` overrides only ``loss()``:

* ``forward``, ``predict`` and ``loss_by_feat`` are MMSeg's / mmdet's; the
  loss has no parameters or buffers, so outputs, cost and ``state_dict`` are
  those of the MMSeg head and checkpoints load ``strict=True`` both ways;
* inside ``loss()`` only, temporary forward hooks record the output of
  ``pixel_decoder`` (the mask features), of ``mask_embed`` (its last call
  for Mask2Former, which runs it once per layer; the last layer of its one
  call for MaskFormer) and of the head itself (class and mask logits of
  every layer; the last are used); MMSeg's ``loss()`` runs unchanged, and
  the CBL terms are computed *after* it, so the random point sampling of
  Mask2Former's loss draws the same numbers as without CBL.

The ground-truth handling (labels checked before any loss, ``gt_edge_map``
from the data samples or computed on the fly with a warning) is
:class:`CBLHeadMixin`'s. The heads need mmdet 3.x, as MMSeg's do; without
it, building one raises an ImportError that says what to install (the rest
of cblseg does not need mmdet).
"""
import copy
import inspect
from contextlib import contextmanager
from typing import Dict, Iterator, List

import torch
from mmseg.models.decode_heads import Mask2FormerHead, MaskFormerHead
from mmseg.registry import MODELS
from torch import Tensor

from .cbl_head_mixin import CBLHeadMixin

__all__ = ['CBLMaskHeadMixin', 'CBLMask2FormerHead', 'CBLMaskFormerHead']

MMDET_INSTALL = ('pip install --no-deps "mmdet==3.3.0" && pip install '
                 'pycocotools shapely six terminaltables (or pip install '
                 '"cblseg[mask]")')


def _require_mmdet(name: str) -> None:
    try:
        import mmdet  # noqa: F401
    except ImportError:
        raise ImportError(
            f'{name} is built on MMSeg\'s mask-classification heads, which '
            f'need mmdet 3.x, and mmdet is not installed. Install it with: '
            f'{MMDET_INSTALL}. The rest of cblseg works without it.') from None


class CBLMaskHeadMixin:
    """Adds the mask-classification CBL to an MMSeg Mask2Former /
    MaskFormer head; put it first in the bases (see the module docstring).

    Args:
        cbl_loss (dict): Config of the loss, built from
            ``mmseg.registry.MODELS``. Defaults to
            ``dict(type='MaskConditionalBoundaryLoss')`` (the authors'
            weights 2.0 / 0.4 / 4.0). Its ``ignore_index`` defaults to the
            head's.
    """

    cbl_edge_dilation = CBLHeadMixin.cbl_edge_dilation
    # The ground-truth helpers of the per-pixel heads (they use only
    # num_classes, ignore_index and the attributes set here).
    _cbl_check_labels = CBLHeadMixin._cbl_check_labels
    _cbl_stack_edge = CBLHeadMixin._cbl_stack_edge
    _cbl_warn_missing_edge = CBLHeadMixin._cbl_warn_missing_edge
    _cbl_merge_losses = CBLHeadMixin._cbl_merge_losses

    def __init__(self,
                 *args,
                 cbl_loss: dict = dict(type='MaskConditionalBoundaryLoss'),
                 **kwargs) -> None:
        # Before MMSeg's __init__, which without mmdet fails on a
        # BaseModule fallback with an unrelated TypeError.
        _require_mmdet(type(self).__name__)
        super().__init__(*args, **kwargs)
        cbl_loss = copy.deepcopy(dict(cbl_loss))
        cbl_loss.setdefault('ignore_index', self.ignore_index)
        self.cbl_loss = MODELS.build(cbl_loss)
        self._cbl_loss_kwargs = CBLHeadMixin._cbl_skip_label_check(
            self.cbl_loss)
        self._cbl_warned_missing_edge = False

    def loss(self, *args, **kwargs) -> dict:
        """MMSeg's ``loss(x, batch_data_samples, train_cfg)`` plus the CBL
        terms (``loss_cbl_context``, ``loss_cbl_nce``, ``loss_cbl_cn``)."""
        signature = inspect.signature(super().loss)
        batch_data_samples = signature.bind(
            *args, **kwargs).arguments['batch_data_samples']
        gt_sem_seg = torch.stack(
            [sample.gt_sem_seg.data for sample in batch_data_samples])
        # before the matcher and the losses see an out-of-range label
        self._cbl_check_labels(gt_sem_seg)
        with self._cbl_capture() as captured:
            losses = super().loss(*args, **kwargs)
        cbl_losses = self.loss_cbl(captured, batch_data_samples, gt_sem_seg)
        return self._cbl_merge_losses(losses, cbl_losses)

    def loss_cbl(self, captured: Dict[str, Tensor], batch_data_samples: List,
                 gt_sem_seg: Tensor) -> Dict[str, Tensor]:
        """The weighted CBL terms from the recorded training forward.

        Args:
            captured (dict): ``mask_feats`` (B, D, h, w), ``mask_embed``
                (B, Q, D), ``cls_logits`` (B, Q, K + 1) and ``mask_logits``
                (B, Q, h, w) of the last decoder layer.
            batch_data_samples (list[SegDataSample]): with ``gt_sem_seg``
                and optionally ``gt_edge_map``.
            gt_sem_seg (Tensor): Their labels stacked, (B, 1, H, W).

        Returns:
            dict[str, Tensor]: The weighted CBL losses.
        """
        gt_edge_map = self._cbl_stack_edge(batch_data_samples, gt_sem_seg)
        return self.cbl_loss(
            captured['mask_feats'],
            captured['mask_embed'],
            captured['cls_logits'],
            gt_sem_seg,
            gt_edge_map,
            mask_logits=captured['mask_logits'],
            **self._cbl_loss_kwargs)

    @contextmanager
    def _cbl_capture(self) -> Iterator[dict]:
        """Record the mask features, the last layer's mask embeddings and
        the head's outputs of one training forward."""
        name = type(self).__name__
        captured = {}
        calls = {'pixel_decoder': 0, 'head': 0}

        def on_pixel_decoder(module, inputs, output):
            calls['pixel_decoder'] += 1
            captured['mask_feats'] = output[0]

        def on_mask_embed(module, inputs, output):
            # Mask2Former: once per layer, the last call is the last layer;
            # MaskFormer: once, (layers, B, Q, D)
            captured['mask_embed'] = output[-1] if output.dim() == 4 \
                else output

        def on_head(module, inputs, output):
            calls['head'] += 1
            all_cls_scores, all_mask_preds = output
            captured['cls_logits'] = all_cls_scores[-1]
            captured['mask_logits'] = all_mask_preds[-1]

        hooks = [
            self.pixel_decoder.register_forward_hook(on_pixel_decoder),
            self.mask_embed.register_forward_hook(on_mask_embed),
            self.register_forward_hook(on_head)
        ]
        try:
            yield captured
        finally:
            for hook in hooks:
                hook.remove()
        if calls['pixel_decoder'] != 1 or calls['head'] != 1 or len(
                captured) != 4:
            raise RuntimeError(
                f'{name}: expected one training forward of the head and its '
                f'pixel decoder, got {calls["head"]} and '
                f'{calls["pixel_decoder"]}; cannot tell which outputs the '
                'CBL should use')


@MODELS.register_module()
class CBLMask2FormerHead(CBLMaskHeadMixin, Mask2FormerHead):
    """MMSeg's ``Mask2FormerHead`` with the Conditional Boundary Loss.

    Takes ``Mask2FormerHead``'s arguments and ``cbl_loss`` (see
    :class:`CBLMaskHeadMixin`); inference is ``Mask2FormerHead``'s.
    """


@MODELS.register_module()
class CBLMaskFormerHead(CBLMaskHeadMixin, MaskFormerHead):
    """MMSeg's ``MaskFormerHead`` with the Conditional Boundary Loss.

    Takes ``MaskFormerHead``'s arguments and ``cbl_loss`` (see
    :class:`CBLMaskHeadMixin`); inference is ``MaskFormerHead``'s.
    """
