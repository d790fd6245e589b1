# Copyright (c) cblseg contributors. All rights reserved.
"""How much the merge of test-time augmentations matters for a mask head:
``MaskAwareSegTTAModel`` (the mean of the class scores, as Mask2Former's
own test-time augmentation) against MMSeg's ``SegTTAModel`` (the mean of
their softmax), on the same model, images and augmentations
(``tools/analysis/compare_tta_merges.py``, docs/tta.md)."""
from typing import Optional

import torch
from mmengine.dataset import pseudo_collate
from mmseg.registry import DATASETS, MODELS
from torch import nn

__all__ = ['compare_tta_merges']


def compare_tta_merges(model: nn.Module,
                       dataset_cfg: dict,
                       tta_pipeline: list,
                       max_images: Optional[int] = None) -> dict:
    """Test ``model`` with both merges on ``dataset_cfg`` read through
    ``tta_pipeline``.

    Args:
        model (nn.Module): A segmentor in eval mode.
        dataset_cfg (dict): The test dataset (its pipeline is replaced).
        tta_pipeline (list): A pipeline ending in ``TestTimeAug`` that loads
            the annotations.
        max_images (int, optional): Test only the first images.

    Returns:
        dict: ``images``, ``augmentations`` (per image), ``pixels``,
        ``differing`` (pixels whose merged class differs) and the pixel
        accuracy (%, ignore excluded) of each merge, ``acc_scores`` (ours)
        and ``acc_softmax`` (SegTTAModel).
    """
    dataset = DATASETS.build(dict(dataset_cfg, pipeline=tta_pipeline))
    scores = MODELS.build(dict(type='MaskAwareSegTTAModel', module=model))
    softmax = MODELS.build(dict(type='SegTTAModel', module=model))
    num = len(dataset) if max_images is None else min(max_images, len(dataset))
    if num == 0:
        raise ValueError('compare_tta_merges: the dataset has no images')
    out = dict(images=num, augmentations=0, pixels=0, differing=0)
    correct_scores = correct_softmax = valid = 0
    for i in range(num):
        data = pseudo_collate([dataset[i]])
        out['augmentations'] = len(data['inputs'])
        with torch.no_grad():
            ours, = scores.test_step(data)
            theirs, = softmax.test_step(data)
        pred_ours = ours.pred_sem_seg.data.reshape(-1)
        pred_theirs = theirs.pred_sem_seg.data.reshape(-1)
        gt = ours.gt_sem_seg.data.reshape(-1)
        keep = gt != 255
        out['pixels'] += pred_ours.numel()
        out['differing'] += int((pred_ours != pred_theirs).sum())
        correct_scores += int((pred_ours == gt)[keep].sum())
        correct_softmax += int((pred_theirs == gt)[keep].sum())
        valid += int(keep.sum())
    out['acc_scores'] = 100 * correct_scores / max(valid, 1)
    out['acc_softmax'] = 100 * correct_softmax / max(valid, 1)
    return out
