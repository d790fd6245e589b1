# Copyright (c) cblseg contributors. All rights reserved.
"""Independent implementations that the benchmarks compare ours with.

* :func:`plain_autograd_cbl`: the default definition of
  :func:`cblseg.models.losses.conditional_boundary_loss` written the way a
  careful engineer would first write it: vectorised over pixels, classes
  and images (one pass per window offset on shifted views of padded
  tensors), the gradient left to autograd.
* :func:`opencv_counts`: every count of
  :func:`cblseg.evaluation.boundary_counts` from per-class OpenCV
  erosions and dilations (numpy, CPU).

Both are written from the definitions in docs/cbl.md and docs/metrics.md,
not from our code, so agreement is evidence for both.
"""
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from cblseg.evaluation import count_row_names

__all__ = ['plain_autograd_cbl', 'opencv_counts']

# m = S / (n + eps), as the reference.
_MEAN_EPS = 1e-5


def _per_class_mean(values: Tensor, classes: Tensor, num_classes: int):
    """Sums and counts of ``values`` per class index (1-D inputs)."""
    sums = values.new_zeros(num_classes).index_add(0, classes, values)
    counts = torch.bincount(classes, minlength=num_classes)
    return sums, counts


def plain_autograd_cbl(feats: Tensor,
                       logits: Tensor,
                       gt_sem_seg: Tensor,
                       gt_edge_map: Tensor,
                       cls_weight: Tensor,
                       cls_bias: Optional[Tensor] = None,
                       kernel_size: int = 5,
                       ignore_index: int = 255) -> Dict[str, Tensor]:
    """``context``, ``nce`` and ``cn`` of the default CBL definition, with
    autograd.

    Same arguments and return value as ``conditional_boundary_loss``
    (default mode, no input checks). Per window offset ``o``: the shifted
    unit features give the cosine of every pixel with its neighbour, the
    shifted labels the targets and which neighbours count; the same-label
    (and same-label-and-right) neighbour sums are accumulated over the
    offsets. Per-class means use ``index_add`` / ``bincount``.
    """
    with torch.autocast(device_type=feats.device.type, enabled=False):
        # fp16 / bf16 -> fp32; fp64 stays fp64 (as ours)
        dtype = torch.promote_types(feats.dtype, torch.float32)
        feats = feats.to(dtype)
        logits = logits.detach().to(dtype)
        bsz, channels, h, w = feats.shape
        num_classes = logits.shape[1]
        weight = cls_weight.detach().to(dtype).reshape(num_classes, channels)
        bias = None if cls_bias is None else cls_bias.detach().to(dtype)
        label = F.interpolate(
            gt_sem_seg.reshape(bsz, 1, *gt_sem_seg.shape[-2:]).float(),
            size=(h, w),
            mode='nearest')[:, 0].long()
        edge = F.interpolate(
            gt_edge_map.reshape(bsz, 1, *gt_edge_map.shape[-2:]).float(),
            size=(h, w),
            mode='nearest')[:, 0].long()
        valid = label != ignore_index
        boundary = (edge == 1) & valid
        correct = (logits.argmax(1) == label) & valid
        r = kernel_size // 2

        unit = feats / feats.norm(dim=1, keepdim=True).clamp_min(1e-8)
        unit_pad = F.pad(unit, (r, r, r, r))
        feats_pad = F.pad(feats, (r, r, r, r))
        label_pad = F.pad(label, (r, r, r, r), value=-1)
        correct_pad = F.pad(correct, (r, r, r, r), value=False)

        err_sums, pair_counts = [], []
        nb_sum = torch.zeros_like(feats)
        nb_sum_ok = torch.zeros_like(feats)
        count = feats.new_zeros(bsz, 1, h, w)
        count_ok = feats.new_zeros(bsz, 1, h, w)
        for dy in range(-r, r + 1):
            for dx in range(-r, r + 1):
                if dy == dx == 0:
                    continue
                rows = slice(r + dy, r + dy + h)
                cols = slice(r + dx, r + dx + w)
                nb_label = label_pad[:, rows, cols]
                nb_valid = (nb_label >= 0) & (nb_label != ignore_index)
                same = nb_label == label  # -1 outside never equals
                # context
                pair = boundary & nb_valid
                cos = (unit * unit_pad[:, :, rows, cols]).sum(1)
                err = (cos - same.to(dtype))**2 * pair
                err_sums.append(err.flatten(1).sum(1))
                pair_counts.append(pair.flatten(1).sum(1))
                # neighbour sums of the pixel's own class
                same = (same & valid).to(dtype)[:, None]
                same_ok = same * correct_pad[:, None, rows, cols]
                nb_feats = feats_pad[:, :, rows, cols]
                nb_sum = nb_sum + same * nb_feats
                nb_sum_ok = nb_sum_ok + same_ok * nb_feats
                count = count + same
                count_ok = count_ok + same_ok

        # context: mean over pairs, then offsets used, then images used
        err_sums = torch.stack(err_sums, 1)
        pair_counts = torch.stack(pair_counts, 1)
        used = pair_counts > 0
        per_offset = err_sums / pair_counts.clamp_min(1) * used
        offsets_used = used.sum(1)
        image_used = offsets_used > 0
        per_image = per_offset.sum(1) / offsets_used.clamp_min(1)
        zero = feats.sum() * 0
        if bool(image_used.any()):
            context = per_image[image_used].mean()
        else:
            context = zero

        # NCE and CN, per class over the batch
        mean = nb_sum / (count + _MEAN_EPS)
        mean_ok = nb_sum_ok / (count_ok + _MEAN_EPS)
        scores = torch.einsum('kc,bchw->bkhw', weight, mean)
        scores_ok = torch.einsum('kc,bchw->bkhw', weight, mean_ok)
        if bias is not None:
            scores = scores + bias[:, None, None]
            scores_ok = scores_ok + bias[:, None, None]
        target = label.clamp(0, num_classes - 1)
        ce = F.cross_entropy(scores, target, reduction='none')
        ce_ok = F.cross_entropy(scores_ok, target, reduction='none')
        cn_pixel = ((feats - mean_ok.detach())**2).mean(1)
        in_a = boundary & (count[:, 0] >= 1)
        in_a_ok = boundary & correct & (count_ok[:, 0] >= 1)
        sum_a, n_a = _per_class_mean(ce[in_a], label[in_a], num_classes)
        sum_b, n_b = _per_class_mean(ce_ok[in_a_ok], label[in_a_ok],
                                     num_classes)
        sum_cn, _ = _per_class_mean(cn_pixel[in_a_ok], label[in_a_ok],
                                    num_classes)
        counted = (n_a > 0) & (n_b > 0)
        if not bool(counted.any()):
            return dict(context=context, nce=zero, cn=zero.clone())
        nce_c = sum_a / n_a.clamp_min(1) + sum_b / n_b.clamp_min(1)
        cn_c = sum_cn / n_b.clamp_min(1)
        return dict(
            context=context,
            nce=nce_c[counted].mean(),
            cn=cn_c[counted].mean())


def _erode_band(mask: np.ndarray, neutral: np.ndarray, radius: int):
    """Pixels of ``mask`` whose (2r+1) square leaves the image or meets a
    pixel outside ``mask | neutral``."""
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.uint8)
    eroded = cv2.erode(
        mask | neutral, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return mask & (1 - eroded)


def opencv_counts(
    pred: np.ndarray,
    gt: np.ndarray,
    radius: int,
    num_classes: int = 19,
    ignore_index: int = 255,
    tolerances: Sequence[int] = (1, 3, 5)
) -> Dict[str, np.ndarray]:
    """Per-class counts of ``boundary_counts`` for one ``H x W`` uint8
    image pair, by per-class OpenCV filters: ``np.bincount`` for the region
    counts and, per present class, one ``cv2.erode`` with a ``(2d + 1)``
    square per band, a 3x3 erosion per contour and a ``cv2.dilate`` per
    tolerance and side.

    Returns:
        dict[str, np.ndarray]: One int64 vector of length ``num_classes``
        per row name of :func:`cblseg.evaluation.count_row_names`.
    """
    k = num_classes
    pred = np.ascontiguousarray(pred, dtype=np.uint8)
    gt = np.ascontiguousarray(gt, dtype=np.uint8)
    valid = (gt != ignore_index).view(np.uint8)
    ignored = 1 - valid
    nothing = np.zeros_like(valid)
    counts = {
        name: np.zeros(k, np.int64)
        for name in count_row_names(tolerances)
    }
    joint = np.bincount(
        (np.minimum(gt, k).astype(np.int32) * (k + 1) +
         np.minimum(pred, k).astype(np.int32)).ravel(),
        minlength=(k + 1) * (k + 1)).reshape(k + 1, k + 1)[:k, :k]
    counts['area_gt'] = joint.sum(1)
    counts['area_pred'] = joint.sum(0)
    counts['intersect'] = np.diag(joint).copy()
    dilate_kernels = {
        t: np.ones((2 * t + 1, 2 * t + 1), dtype=np.uint8)
        for t in tolerances
    }
    present = np.union1d(np.unique(gt), np.unique(pred))
    for cls in present[present < k]:
        gt_mask = (gt == cls).view(np.uint8)
        pred_mask = (pred == cls).view(np.uint8)
        band_gt = _erode_band(gt_mask, ignored, radius)
        band_pred = _erode_band(pred_mask, nothing, radius) & valid
        counts['band_gt'][cls] = np.count_nonzero(band_gt)
        counts['band_pred'][cls] = np.count_nonzero(band_pred)
        counts['band_intersect'][cls] = np.count_nonzero(band_gt & band_pred)
        contour_gt = _erode_band(gt_mask, ignored, 1)
        contour_pred = _erode_band(pred_mask, nothing, 1) & valid
        counts['contour_gt'][cls] = np.count_nonzero(contour_gt)
        counts['contour_pred'][cls] = np.count_nonzero(contour_pred)
        for t in tolerances:
            near_gt = cv2.dilate(contour_gt, dilate_kernels[t])
            near_pred = cv2.dilate(contour_pred, dilate_kernels[t])
            counts[f'contour_pred_matched@{t}'][cls] = np.count_nonzero(
                contour_pred & near_gt)
            counts[f'contour_gt_matched@{t}'][cls] = np.count_nonzero(
                contour_gt & near_pred)
    return counts
