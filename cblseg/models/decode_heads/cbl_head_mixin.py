# Copyright (c) cblseg contributors. All rights reserved.
"""Add the Conditional Boundary Loss (CBL) to any MMSeg decode head.

One mechanism for every head: :class:`CBLHeadMixin`, put in front of an MMSeg
decode head class (``class CBLASPPHead(CBLHeadMixin, ASPPHead)``), which

* leaves inference alone: the head's ``forward``, ``cls_seg``, ``predict``
  and ``loss_by_feat`` are MMSeg's own methods (the mixin defines none of
  them), the CBL loss has no parameters or buffers, so the model has the same
  outputs, cost and ``state_dict`` as the MMSeg head, and a checkpoint of
  the MMSeg head loads into it (and back) with ``strict=True``;
* in ``loss()`` only, registers three temporary hooks for the duration of the
  head's training forward:

  - the CBL feature: by default the tensor passed to ``cls_seg``, i.e. the
    feature right before ``dropout`` + ``conv_seg`` (a forward pre-hook on
    ``self.dropout``, or on ``self.conv_seg`` when the head has no dropout).
    A subclass may set :attr:`CBLHeadMixin.cbl_feature_module` to the name of
    a submodule whose *output* is the CBL feature instead; ``CBLOCRHead``
    uses the OCR ``bottleneck`` (the pixel features before the object
    context), as the CBL reference ``New_ER5OCRHead`` does;
  - the logits: the output of ``conv_seg``, i.e. the head's own output logits
    (the same spatial size as the feature); the loss uses their argmax as the
    prediction;

  then MMSeg's ``loss()`` runs unchanged (``loss_decode`` and ``acc_seg``),
  and the CBL terms are added, computed by the ``ConditionalBoundaryLoss``
  module built from ``cbl_loss`` with the head's own 1x1 classifier
  (``conv_seg.weight`` / ``conv_seg.bias``, which the loss detaches).

Adding CBL to an existing MMSeg config is therefore a change of head type and
nothing else::

    model = dict(decode_head=dict(type='CBLASPPHead'))

(mmengine merges dicts, so every other key of the head is kept, and
``cbl_loss`` has a default). For cascade heads, whose ``decode_head`` is a
list, mmengine replaces the list and both heads must be restated.

The losses are named ``loss_cbl_context``, ``loss_cbl_nce`` and
``loss_cbl_cn`` (already weighted), next to ``loss_ce`` and ``acc_seg``;
the segmentor prefixes them with ``decode.`` (``decode_1.`` for the second
stage of a cascade). They are always connected to the feature's graph (zero
when a batch has no usable boundary pixel), so every parameter gets a
gradient each step and DDP with ``find_unused_parameters=False`` works.

Boundary ground truth. The loss takes ``gt_edge_map`` from the data samples
(added by the ``GenerateBoundary`` transform and padded with 255 like
``gt_sem_seg`` by ``SegDataPreProcessor``). When no data sample has one, the
head computes it from the stacked (i.e. padded) ``gt_sem_seg`` with
:func:`cblseg.ops.label_to_boundary_torch` at ``dilation=0.02`` of the padded
label size (:attr:`CBLHeadMixin.cbl_edge_dilation`) and warns once per head.
For an unpadded batch this is exactly ``GenerateBoundary(dilation=0.02)``
placed last in the train pipeline, before ``PackSegInputs`` (the crop's own
boundary, not the full-label boundary of our dataset configs); when the
preprocessor pads, the band is measured on the padded diagonal (the padding
is ignore, so pixels next to it are boundary either way). Data samples that
have a ``gt_edge_map`` keep theirs.
"""
import copy
import inspect
import warnings
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional

import torch
from mmseg.registry import MODELS
from torch import Tensor

from cblseg.ops import (DEFAULT_DILATION, check_label_values,
                        label_to_boundary_torch, radius_from_dilation)
from cblseg.utils.arguments import accepted_arguments

__all__ = ['CBLHeadMixin']

_IGNORE_INDEX = 255


class CBLHeadMixin:
    """Mixin that adds the Conditional Boundary Loss to an MMSeg decode head.

    Put it first in the bases, before the MMSeg head class::

        @MODELS.register_module()
        class CBLPSPHead(CBLHeadMixin, PSPHead):
            pass

    See the module docstring for the design. The head's own arguments are
    unchanged; the mixin adds one.

    Args:
        cbl_loss (dict): Config of the loss, built from
            ``mmseg.registry.MODELS``. Defaults to
            ``dict(type='ConditionalBoundaryLoss')``. Its ``ignore_index``
            defaults to the head's ``ignore_index``.
    """

    #: Name of the submodule whose output is the CBL feature; ``None`` means
    #: the input of ``cls_seg`` (the feature right before dropout +
    #: ``conv_seg``). The feature must have ``conv_seg.in_channels`` channels
    #: and the spatial size of the logits.
    cbl_feature_module: Optional[str] = None

    #: Boundary width (ratio of the padded label diagonal) used when the data
    #: samples carry no ``gt_edge_map``; the default of ``GenerateBoundary``.
    cbl_edge_dilation: float = DEFAULT_DILATION

    def __init__(self,
                 *args,
                 cbl_loss: dict = dict(type='ConditionalBoundaryLoss'),
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        name = type(self).__name__
        if self.out_channels != self.num_classes:
            raise ValueError(
                f'{name}: the Conditional Boundary Loss needs one logit per '
                f'class (out_channels == num_classes), got out_channels='
                f'{self.out_channels}, num_classes={self.num_classes}')
        if self.cbl_feature_module is not None:
            # Raises AttributeError naming the module if it does not exist.
            self.get_submodule(self.cbl_feature_module)
        cbl_loss = copy.deepcopy(dict(cbl_loss))
        if self.ignore_index is not None:
            cbl_loss.setdefault('ignore_index', self.ignore_index)
        self.cbl_loss = MODELS.build(cbl_loss)
        self._cbl_loss_kwargs = self._cbl_skip_label_check(self.cbl_loss)
        self._cbl_warned_missing_edge = False

    # ------------------------------------------------------------------
    # Training
    # ------------------------------------------------------------------
    def loss(self, *args, **kwargs) -> dict:
        """MMSeg's ``loss()`` of the head plus the CBL terms.

        Takes the arguments of the head's own ``loss()``:
        ``(inputs, batch_data_samples, train_cfg)``, or
        ``(inputs, prev_output, batch_data_samples, train_cfg)`` for cascade
        heads.

        Returns:
            dict[str, Tensor]: the head's losses (``loss_ce``, ``acc_seg``,
            ...) and ``loss_cbl_context``, ``loss_cbl_nce``, ``loss_cbl_cn``
            (names from the loss's ``loss_name``).
        """
        batch_data_samples = self._cbl_bind_samples(args, kwargs)
        # Before the decode loss: F.cross_entropy would hit a device-side
        # assert on CUDA (an IndexError on CPU) for such labels.
        gt_sem_seg = self._stack_batch_gt(batch_data_samples)
        self._cbl_check_labels(gt_sem_seg)
        with self._cbl_capture() as captured:
            losses = super().loss(*args, **kwargs)
        cbl_losses = self.loss_cbl(captured['feats'], captured['logits'],
                                   batch_data_samples, gt_sem_seg)
        return self._cbl_merge_losses(losses, cbl_losses)

    def loss_cbl(self,
                 feats: Tensor,
                 seg_logits: Tensor,
                 batch_data_samples: List,
                 gt_sem_seg: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """The CBL terms for a feature map and the logits computed from it.

        Args:
            feats (Tensor): ``B x C x h x w`` CBL features (``C`` =
                ``conv_seg.in_channels``).
            seg_logits (Tensor): ``B x K x h x w`` logits of the head.
            batch_data_samples (list[SegDataSample]): with ``gt_sem_seg`` and
                optionally ``gt_edge_map``.
            gt_sem_seg (Tensor, optional): the samples' ``gt_sem_seg``
                stacked (``B x 1 x H x W``) and checked by
                ``_cbl_check_labels``, if already at hand; otherwise
                stacked and checked here.

        Returns:
            dict[str, Tensor]: the weighted CBL losses.
        """
        name = type(self).__name__
        if feats.shape[1] != self.conv_seg.in_channels:
            raise ValueError(
                f'{name}: the CBL feature has {feats.shape[1]} channels but '
                f'the classifier conv_seg takes {self.conv_seg.in_channels}')
        if feats.shape[0] != seg_logits.shape[0] or \
                feats.shape[2:] != seg_logits.shape[2:]:
            raise ValueError(
                f'{name}: the CBL feature {tuple(feats.shape)} and the logits '
                f'{tuple(seg_logits.shape)} differ in batch or spatial size')
        if gt_sem_seg is None:
            gt_sem_seg = self._stack_batch_gt(batch_data_samples)
            self._cbl_check_labels(gt_sem_seg)
        gt_edge_map = self._cbl_stack_edge(batch_data_samples, gt_sem_seg)
        return self.cbl_loss(feats, seg_logits, gt_sem_seg, gt_edge_map,
                             self.conv_seg.weight, self.conv_seg.bias,
                             **self._cbl_loss_kwargs)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _cbl_bind_samples(self, args, kwargs) -> List:
        """``batch_data_samples`` from the arguments of the head's loss()."""
        cls = type(self)
        signature = cls.__dict__.get('_cbl_loss_signature')
        if signature is None:
            signature = inspect.signature(super().loss)
            cls._cbl_loss_signature = signature
        return signature.bind(*args, **kwargs).arguments['batch_data_samples']

    def _cbl_merge_losses(self, losses: dict, cbl_losses: dict) -> dict:
        """Add the CBL terms to the head's losses; a name both use would
        silently replace one of them, so it raises instead."""
        clash = set(cbl_losses) & set(losses)
        if clash:
            raise KeyError(f'{type(self).__name__}: CBL loss names '
                           f'{sorted(clash)} clash with the head\'s losses; '
                           'set cbl_loss.loss_name')
        losses.update(cbl_losses)
        return losses

    @staticmethod
    def _cbl_skip_label_check(cbl_loss) -> dict:
        """Keyword arguments for calls of ``cbl_loss``: the head checks the
        labels once per step, before the decode loss (``loss()``), so a
        loss that can skip its own check (``check_labels``) is told to."""
        if 'check_labels' in accepted_arguments(cbl_loss.forward):
            return dict(check_labels=False)
        return {}

    def _cbl_check_labels(self, gt_sem_seg: Tensor) -> None:
        """Raise a ValueError naming the labels outside ``[0, K)`` other
        than the ignore index (one reduction; one sync on CUDA)."""
        ignore_index = self.ignore_index
        if ignore_index is None:
            ignore_index = _IGNORE_INDEX
        check_label_values(gt_sem_seg, self.num_classes, ignore_index,
                           f'{type(self).__name__}: gt_sem_seg')

    @contextmanager
    def _cbl_capture(self) -> Iterator[dict]:
        """Record the CBL feature and the logits of one training forward."""
        name = type(self).__name__
        captured = {}

        def save(key: str, value: Tensor, where: str) -> None:
            if key in captured:
                raise RuntimeError(
                    f'{name}: {where} ran more than once in one training '
                    'forward, so the CBL feature / logits are ambiguous; set '
                    'cbl_feature_module to a submodule that runs once')
            captured[key] = value

        if self.cbl_feature_module is None:
            target = self.dropout if self.dropout is not None \
                else self.conv_seg
            feature_where = 'cls_seg'
            feature_hook = target.register_forward_pre_hook(
                lambda module, inputs: save('feats', inputs[0], feature_where))
        else:
            feature_where = self.cbl_feature_module
            feature_hook = self.get_submodule(
                self.cbl_feature_module).register_forward_hook(
                    lambda module, inputs, output: save(
                        'feats', output, feature_where))
        logits_hook = self.conv_seg.register_forward_hook(
            lambda module, inputs, output: save('logits', output, 'conv_seg'))
        try:
            yield captured
        finally:
            feature_hook.remove()
            logits_hook.remove()
        missing = {'feats', 'logits'} - set(captured)
        if missing:
            raise RuntimeError(
                f'{name}: the training forward did not run '
                f'{feature_where if "feats" in missing else "conv_seg"}, so '
                'there is no CBL feature / logits to compute the loss on')

    def _cbl_stack_edge(self, batch_data_samples: List,
                        gt_sem_seg: Tensor) -> Tensor:
        """``B x 1 x H x W`` boundary maps, computed where missing."""
        edges = [
            sample.gt_edge_map.data if 'gt_edge_map' in sample else None
            for sample in batch_data_samples
        ]
        missing = [i for i, edge in enumerate(edges) if edge is None]
        if missing:
            self._cbl_warn_missing_edge()
            ignore_index = self.ignore_index
            if ignore_index is None:
                ignore_index = _IGNORE_INDEX
            height, width = gt_sem_seg.shape[-2:]
            radius = radius_from_dilation(self.cbl_edge_dilation, height,
                                          width)
            computed = label_to_boundary_torch(gt_sem_seg[missing], radius,
                                               ignore_index)
            for j, i in enumerate(missing):
                edges[i] = computed[j]
        for i, edge in enumerate(edges):
            if edge.shape[-2:] != gt_sem_seg.shape[-2:]:
                raise ValueError(
                    f'{type(self).__name__}: gt_edge_map of sample {i} has '
                    f'size {tuple(edge.shape[-2:])} but gt_sem_seg has '
                    f'{tuple(gt_sem_seg.shape[-2:])}: a transform after '
                    'GenerateBoundary changed the label only (mmcv\'s Pad '
                    'pads gt_seg_map only; use PadSegFields)')
        return torch.stack([
            edge.to(gt_sem_seg.device, torch.long).view(1, *edge.shape[-2:])
            for edge in edges
        ])

    def _cbl_warn_missing_edge(self) -> None:
        if self._cbl_warned_missing_edge:
            return
        self._cbl_warned_missing_edge = True
        warnings.warn(
            f'{type(self).__name__}: the data samples have no gt_edge_map; '
            'computing the boundary from gt_sem_seg on the fly at dilation='
            f'{self.cbl_edge_dilation} of the (padded) label size, as '
            f'GenerateBoundary(dilation={self.cbl_edge_dilation}) placed '
            'last in the train pipeline (on the crop) would. Add '
            'GenerateBoundary right after LoadAnnotations, as the CBL '
            'reference and our dataset configs do, for the full-label '
            'boundary (see docs/cbl.md).',
            UserWarning,
            stacklevel=3)
