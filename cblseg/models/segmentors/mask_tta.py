# Copyright (c) cblseg contributors. All rights reserved.
"""Test-time augmentation (multi-scale + flip) that also suits the
mask-classification heads (Mask2Former, MaskFormer).

MMSeg's ``SegTTAModel`` turns each augmented prediction's ``seg_logits``
into probabilities (softmax over classes) and averages those. That is right
for per-pixel heads, whose ``seg_logits`` are logits, but not for
``Mask2FormerHead`` and ``MaskFormerHead``: their ``predict`` already returns
class scores, ``sum_q softmax(class logits)[q, c] * sigmoid(mask_q)``, and
Mask2Former's own test-time augmentation (detectron2's, which the CBL
authors' Mask2Former/MaskFormer numbers use) averages these scores as they
are. A softmax over scores in [0, num_queries] flattens them and gives the
augmentations other relative weights, so the merged argmax can differ
(docs/tta.md). ``MaskAwareSegTTAModel`` averages the scores for those heads
and leaves every other model to ``SegTTAModel``.
"""
from typing import List, Sequence

import torch
from mmengine.structures import PixelData
from mmseg.models.decode_heads import Mask2FormerHead, MaskFormerHead
from mmseg.models.segmentors import SegTTAModel
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample
from mmseg.utils import SampleList
from torch import Tensor, nn

# Heads whose predict() returns class scores, not logits (their CBL
# subclasses included).
SCORE_HEADS = (Mask2FormerHead, MaskFormerHead)


def predicts_class_scores(segmentor: nn.Module) -> bool:
    """Whether ``segmentor``'s (last) decode head is a mask-classification
    head, whose ``seg_logits`` are class scores to average as they are."""
    head = getattr(segmentor, 'decode_head', None)
    if isinstance(head, nn.ModuleList):
        head = head[-1]
    return isinstance(head, SCORE_HEADS)


def average_score_maps(maps: Sequence[Tensor]) -> Tensor:
    """The mean of the ``(C, H, W)`` score maps of one image's
    augmentations, each already flipped back and resized to the original
    image (``postprocess_result`` did both)."""
    if len(maps) == 0:
        raise ValueError('average_score_maps needs at least one score map')
    shapes = {tuple(m.shape) for m in maps}
    if len(shapes) != 1:
        raise ValueError(
            f'the augmented score maps of one image differ in shape '
            f'{sorted(shapes)}: each must be resized to the original image')
    return torch.stack(list(maps)).mean(dim=0)


@MODELS.register_module()
class MaskAwareSegTTAModel(SegTTAModel):
    """``SegTTAModel`` that also merges the predictions of Mask2Former and
    MaskFormer heads: their class scores are averaged over the
    augmentations without a softmax, as Mask2Former's own test-time
    augmentation does. Other models are merged by ``SegTTAModel`` itself,
    unchanged.

    For the mask heads each merged ``SegDataSample`` holds
    ``pred_sem_seg`` (``(1, H, W)``, as plain testing gives it),
    ``seg_logits`` (the averaged scores), the ground truth of the first
    augmentation (``gt_sem_seg``, ``gt_edge_map`` when loaded; they do not
    depend on the augmentation) and its meta information (``img_path``,
    ``ori_shape``, ...).

    Args:
        module (dict | nn.Module): The segmentor to test.
        data_preprocessor (dict | nn.Module, optional): Replaces the
            segmentor's data preprocessor (``BaseTTAModel``).
    """

    def merge_preds(self, data_samples_list: List[SampleList]) -> SampleList:
        """One prediction per image from its augmented predictions."""
        if not predicts_class_scores(self.module):
            return super().merge_preds(data_samples_list)
        return [self._merge_one(samples) for samples in data_samples_list]

    @staticmethod
    def _merge_one(samples: SampleList) -> SegDataSample:
        scores = average_score_maps(
            [sample.seg_logits.data for sample in samples])
        first = samples[0]
        merged = SegDataSample(metainfo=first.metainfo)
        merged.seg_logits = PixelData(data=scores)
        merged.pred_sem_seg = PixelData(
            data=scores.argmax(dim=0, keepdim=True))
        for key in ('gt_sem_seg', 'gt_edge_map'):
            if key in first:
                merged.set_data({key: first.get(key)})
        return merged
