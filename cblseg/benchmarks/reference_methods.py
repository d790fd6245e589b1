# Copyright (c) cblseg contributors. All rights reserved.
"""Per-class label-map methods that the boundary op and the boundary
metrics are compared with (numpy / OpenCV / torch on the CPU), each
re-implemented from its description:

* :func:`reference_cbl_boundary`, :func:`cbl_reference_bands`,
  :func:`cbl_reference_counts`: the CBL reference's boundary ground truth
  and its Boundary IoU (``biou.py``): a 256-channel one-hot of the label
  with torch, then per present class pad with zeros, erode ``d`` times with
  a 3 x 3 kernel, subtract;
* :func:`per_class_erosion_boundary`: the efficient per-class baseline, one
  ``cv2.erode`` with a ``(2d + 1)`` square per present class;
* :func:`per_class_bf_counts`: the per-image boundary F-score counts the
  way GSCNN's ``utils/f_boundary.py`` / openseg's ``F1_running_score.py``
  work: per class the ``seg2bmap`` boundaries of the two masks and one
  ``cv2.dilate`` with a disk per tolerance.

Agreement with ours is what the benchmark scripts assert before timing
(tests/test_benchmark_methods.py on small cases).
"""
from typing import Dict, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from cblseg.evaluation.functional import tolerance_pixels

__all__ = [
    'reference_cbl_boundary', 'cbl_reference_bands', 'cbl_reference_counts',
    'per_class_erosion_boundary', 'seg2bmap', 'disk', 'per_class_bf_counts'
]

IGNORE = 255
NUM_CLASSES = 19


def cbl_reference_bands(label: np.ndarray,
                        radius: int,
                        ignore_neutral: bool = False,
                        ignore_index: int = IGNORE) -> Dict[int, np.ndarray]:
    """Per present class (``ignore_index`` excluded), the uint8 band of the
    reference: 256-channel one-hot with torch, pad with zeros, erode
    ``radius`` times with a 3 x 3 kernel, subtract. With
    ``ignore_neutral`` the ignore pixels are set in the class mask before
    the erosion (our ignore rule for the ground truth; same cost)."""
    height, width = label.shape
    one_hot = F.one_hot(torch.from_numpy(label).long(), 256)
    classes = [int(c) for c in np.unique(label) if c != ignore_index]
    kernel = np.ones((3, 3), dtype=np.uint8)
    if ignore_neutral:
        ignored = one_hot[:, :, ignore_index].numpy().astype(np.uint8)
    bands = {}
    for cls in classes:
        mask = one_hot[:, :, cls].numpy().astype(np.uint8)
        eroded_input = mask | ignored if ignore_neutral else mask
        padded = cv2.copyMakeBorder(
            eroded_input, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        eroded = cv2.erode(padded, kernel, iterations=radius)
        bands[cls] = mask & (1 - eroded[1:height + 1, 1:width + 1])
    return bands


def reference_cbl_boundary(label: np.ndarray,
                           radius: int,
                           ignore_index: int = IGNORE) -> np.ndarray:
    """The CBL reference's boundary ground truth (what
    ``cblseg.ops.label_to_boundary`` computes), the way its data pipeline
    builds it: the 256-channel one-hot with torch and the present classes
    gathered from it, then per class pad / erode ``radius`` times with a
    3 x 3 kernel / subtract, the union, ignore pixels ``ignore_index``.

    Kept apart from :func:`cbl_reference_bands` (``biou.py``'s per-class
    loop) because the timings in docs/benchmarks.md are of this structure,
    whose cost is mostly the one-hot and the gather.
    """
    height, width = label.shape
    classes = [int(c) for c in np.unique(label) if c != ignore_index]
    boundary = np.full((height, width), ignore_index, dtype=np.uint8)
    if not classes:
        return boundary
    one_hot = F.one_hot(torch.from_numpy(label).long(), 256)[:, :, classes]
    kernel = np.ones((3, 3), dtype=np.uint8)
    bands = []
    for index in range(len(classes)):
        mask = np.asarray(one_hot[:, :, index].numpy(), dtype=np.uint8)
        padded = cv2.copyMakeBorder(
            mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        eroded = cv2.erode(padded, kernel, iterations=radius)
        bands.append((mask - eroded[1:height + 1, 1:width + 1])[None])
    boundary = np.concatenate(bands, axis=0).sum(axis=0)
    boundary = np.minimum(boundary, 1).astype(np.uint8)
    boundary[label == ignore_index] = ignore_index
    return boundary


def cbl_reference_counts(pred: np.ndarray,
                         gt: np.ndarray,
                         radius: int,
                         num_classes: int = NUM_CLASSES,
                         ignore_index: int = IGNORE) -> Dict[str, np.ndarray]:
    """Per-class Boundary IoU counts (``band_gt``, ``band_pred``,
    ``band_intersect``) from the reference's bands; the ground truth's
    with ignore neutral, the prediction's counted on labelled pixels."""
    gt_bands = cbl_reference_bands(
        gt, radius, ignore_neutral=True, ignore_index=ignore_index)
    pred_bands = cbl_reference_bands(pred, radius, ignore_index=ignore_index)
    valid = (gt != ignore_index).view(np.uint8)
    counts = {
        name: np.zeros(num_classes, np.int64)
        for name in ('band_gt', 'band_pred', 'band_intersect')
    }
    empty = np.zeros_like(valid)
    for cls in range(num_classes):
        band_gt = gt_bands.get(cls, empty)
        band_pred = pred_bands.get(cls, empty) & valid
        counts['band_gt'][cls] = np.count_nonzero(band_gt)
        counts['band_pred'][cls] = np.count_nonzero(band_pred)
        counts['band_intersect'][cls] = np.count_nonzero(band_gt & band_pred)
    return counts


def per_class_erosion_boundary(label: np.ndarray,
                               radius: int,
                               ignore_index: int = IGNORE) -> np.ndarray:
    """A fair per-class baseline: one erosion with a (2d + 1) square per
    present class, zeros outside the image, no 256-channel one-hot."""
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.uint8)
    boundary = np.zeros(label.shape, dtype=np.uint8)
    for cls in np.unique(label):
        if cls == ignore_index:
            continue
        mask = (label == cls).view(np.uint8)
        eroded = cv2.erode(
            mask, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        boundary |= mask - eroded
    boundary[label == ignore_index] = ignore_index
    return boundary


def seg2bmap(mask: np.ndarray) -> np.ndarray:
    """1-px boundary of a bool mask: pixels that differ from the right,
    lower or lower-right neighbour inside the image."""
    out = np.zeros_like(mask)
    out[:, :-1] |= mask[:, :-1] != mask[:, 1:]
    out[:-1, :] |= mask[:-1, :] != mask[1:, :]
    out[:-1, :-1] |= mask[:-1, :-1] != mask[1:, 1:]
    return out


def disk(radius: int) -> np.ndarray:
    """A uint8 disk of ``radius`` pixels, ``(2r + 1) x (2r + 1)``."""
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return (yy * yy + xx * xx <= radius * radius).astype(np.uint8)


def per_class_bf_counts(pred: np.ndarray,
                        gt: np.ndarray,
                        ratios: Sequence[float],
                        num_classes: int = NUM_CLASSES,
                        ignore_index: int = IGNORE) -> np.ndarray:
    """The counts of
    :func:`cblseg.evaluation.functional.per_image_boundary_counts`, class
    by class: the two class masks with the ignore pixels cleared, their
    :func:`seg2bmap` boundaries, per tolerance one ``cv2.dilate`` of each
    with a :func:`disk` (what openseg runs; GSCNN uses scikit-image's
    slower ``binary_dilation``).

    Returns:
        np.ndarray: int64 ``(2 + 2 * len(ratios), num_classes)``: predicted
        and ground-truth boundary pixels, then per tolerance the matched
        predicted and matched ground-truth pixels.
    """
    disks = [disk(tolerance_pixels(r, *gt.shape)) for r in ratios]
    ignored = gt == ignore_index
    counts = np.zeros((2 + 2 * len(ratios), num_classes), dtype=np.int64)
    for c in range(num_classes):
        pred_b = seg2bmap((pred == c) & ~ignored)
        gt_b = seg2bmap((gt == c) & ~ignored)
        counts[0, c], counts[1, c] = pred_b.sum(), gt_b.sum()
        if not counts[0, c] or not counts[1, c]:
            continue
        for t, kernel in enumerate(disks):
            gt_dil = cv2.dilate(gt_b.view(np.uint8), kernel).view(bool)
            pred_dil = cv2.dilate(pred_b.view(np.uint8), kernel).view(bool)
            counts[2 + 2 * t, c] = (pred_b & gt_dil).sum()
            counts[3 + 2 * t, c] = (gt_b & pred_dil).sum()
    return counts
