# Copyright (c) cblseg contributors. All rights reserved.
"""Boundary F-score per image and per class, with tolerances given as
fractions of the image diagonal: the protocol of the Cityscapes boundary
F-scores published by GSCNN (Takikawa et al., ICCV 2019), SegFix (Yuan et
al., ECCV 2020), DecoupleSegNets (Li et al., ECCV 2020) and the papers that
compare with them (their code: GSCNN's ``utils/f_boundary.py``, openseg's
``lib/metrics/F1_running_score.py``, both after the DAVIS ``f_boundary``).
Written from their definition; pure numpy and OpenCV.

Definitions, for one image of size ``H x W`` and class ``c`` (``ig`` is the
ignore index):

* Masks: ``Mg = (gt == c)`` and ``Mp = (pred == c)``, both set to 0 where
  ``gt == ig``.
* Boundary of a mask ``M`` (DAVIS / BSDS ``seg2bmap``, 1 pixel wide): the
  pixels ``p`` whose value differs from that of its right, lower or
  lower-right neighbour, among those neighbours that lie inside the image
  (the last row compares with the right neighbour only, the last column
  with the lower one only, the last pixel with none). ``Bg``, ``Bp``.
* Tolerance in pixels: ``r = ceil(ratio * sqrt(H^2 + W^2))``.
* Matched: a pixel of ``Bp`` with a pixel of ``Bg`` within Euclidean
  distance ``r`` (a dilation of ``Bg`` by a disk of radius ``r``,
  ``dy^2 + dx^2 <= r^2``), and the reverse for ``Bg``.
* ``P = |Bp matched| / |Bp|``, ``R = |Bg matched| / |Bg|``,
  ``F = 2PR / (P + R)`` (0 if ``P + R = 0``), except: ``Bp`` and ``Bg``
  both empty: ``P = R = 1``, ``F = 1``; only ``Bp`` empty: ``P = 1, R =
  0``; only ``Bg`` empty: ``P = 0, R = 1`` (both give ``F = 0``).
* Dataset: per class, the mean of ``F`` over **all** images (an image where
  the class is in neither map scores 1), then the mean over **all**
  classes.

:func:`per_image_boundary_counts` reduces an image to integer counts (the
boundary sizes and matched pixels per tolerance and class);
:func:`per_image_boundary_scores` turns the counts of ``N`` images into
``F``, ``P`` and ``R``; :func:`average_per_image_scores` averages them.
"""
import math
import numbers
from typing import List, Sequence, Tuple

import cv2
import numpy as np

from cblseg.ops.checks import check_real, format_values

__all__ = [
    'GSCNN_TOLERANCE_RATIOS', 'check_tolerance_ratios', 'tolerance_pixels',
    'per_image_count_row_names', 'class_boundary_pixels',
    'per_image_boundary_counts', 'per_image_boundary_scores',
    'average_per_image_scores', 'ratio_key'
]

#: The tolerances of the GSCNN paper's boundary F-score table (3, 5, 9 and
#: 12 pixels at 1024 x 2048), as fractions of the diagonal.
GSCNN_TOLERANCE_RATIOS = (0.00088, 0.001875, 0.00375, 0.005)


def check_tolerance_ratios(ratios: Sequence[float]) -> Tuple[float, ...]:
    """Validate tolerances given as fractions of the image diagonal
    (``0 < ratio < 1``): returned sorted, without duplicates."""
    if isinstance(ratios, numbers.Real):
        ratios = (ratios, )
    hint = f'fractions of the image diagonal, e.g. {GSCNN_TOLERANCE_RATIOS}'
    result = [
        check_real('bf_tolerance_ratios', ratio, 0, 1, hint=hint)
        for ratio in ratios
    ]
    if not result:
        raise ValueError('bf_tolerance_ratios must hold at least one ratio')
    return tuple(sorted(set(result)))


def ratio_key(ratio: float) -> str:
    """``'0.00088'``: a tolerance ratio as it appears in metric names."""
    return f'{ratio:g}'


def tolerance_pixels(ratio: float, height: int, width: int) -> int:
    """``ceil(ratio * sqrt(H^2 + W^2))``: the tolerance in pixels.

    The diagonal is computed as ``np.linalg.norm((H, W))`` is (the sum of
    squares is exact, the square root correctly rounded), so the ceiling
    agrees with the reference code also at integer products.
    """
    return int(math.ceil(ratio * math.sqrt(height * height + width * width)))


def per_image_count_row_names(ratios: Sequence[float]) -> List[str]:
    """Rows of :func:`per_image_boundary_counts`: ``boundary_pred``,
    ``boundary_gt``, then per ratio ``pred_matched@<r>`` and
    ``gt_matched@<r>``."""
    names = ['boundary_pred', 'boundary_gt']
    for ratio in check_tolerance_ratios(ratios):
        key = ratio_key(ratio)
        names += [f'pred_matched@{key}', f'gt_matched@{key}']
    return names


def _codes(label: np.ndarray, valid: np.ndarray, num_classes: int,
           ignore_index: int, what: str, name: str) -> np.ndarray:
    """``label`` as int32 with ``num_classes`` ("no class") where ``valid``
    is False or the label is the ignore index outside the classes."""
    label = np.asarray(label)
    if label.dtype == np.bool_:
        label = label.astype(np.uint8)
    if not np.issubdtype(label.dtype, np.integer):
        raise TypeError(f'{name}: the {what} must hold integers, got '
                        f'{label.dtype}')
    # validated in the input's dtype: a cast first could wrap a bad value
    # into the classes
    no_class = label == ignore_index
    if 0 <= ignore_index < num_classes and what == 'prediction':
        no_class[...] = False  # predicting the ignore index is that class
    bad = ((label < 0) | (label >= num_classes)) & ~no_class
    if bad.any():
        values = np.unique(label[bad]).tolist()
        raise ValueError(
            f'{name}: the {what} contains values {format_values(values)} '
            'that are '
            f'neither a class index in [0, {num_classes}) nor the ignore '
            f'index {ignore_index}')
    codes = np.where(no_class | ~valid, num_classes, label).astype(np.int32)
    return codes


def class_boundary_pixels(codes: np.ndarray,
                          num_classes: int) -> Tuple[np.ndarray, np.ndarray]:
    """Every class's ``seg2bmap`` boundary at once.

    Pixel ``p`` is on the boundary of class ``c`` iff for one of its right,
    lower and lower-right neighbours ``q`` inside the image ``[codes(p) ==
    c] != [codes(q) == c]``, i.e. ``codes(p) != codes(q)`` and ``c`` is one
    of the two: so only differing neighbour pairs are visited, never a
    class mask.

    Args:
        codes (np.ndarray): ``H x W`` integer labels; values outside
            ``[0, num_classes)`` mean "no class".
        num_classes (int): ``K``.

    Returns:
        tuple: ``classes`` and ``flat`` (int64 vectors of equal length):
        the boundary pixels ``(c, y * W + x)``, sorted by class then pixel,
        without duplicates.
    """
    height, width = codes.shape
    keys = []
    plane = height * width
    flat = np.arange(plane, dtype=np.int64).reshape(height, width)
    for dy, dx in ((0, 1), (1, 0), (1, 1)):
        here = codes[:height - dy, :width - dx]
        there = codes[dy:, dx:]
        differ = here != there
        if not differ.any():
            continue
        where = flat[:height - dy, :width - dx][differ]
        for side in (here[differ], there[differ]):
            is_class = (side >= 0) & (side < num_classes)
            keys.append(side[is_class].astype(np.int64) * plane +
                        where[is_class])
    if not keys:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    keys = np.unique(np.concatenate(keys))
    classes, pixels = np.divmod(keys, plane)
    return classes, pixels


def _matched_within(targets: Tuple[np.ndarray, np.ndarray],
                    queries: Tuple[np.ndarray, np.ndarray],
                    radii: Sequence[int]) -> List[int]:
    """For each radius ``r``: how many query pixels have a target pixel
    within Euclidean distance ``r``.

    One exact Euclidean distance transform (OpenCV's ``DIST_MASK_PRECISE``)
    of the targets on the bounding box of both point sets (all targets lie
    in it, so the distances are those of the full image).
    """
    (ty, tx), (qy, qx) = targets, queries
    y0 = min(ty.min(), qy.min())
    x0 = min(tx.min(), qx.min())
    y1 = max(ty.max(), qy.max()) + 1
    x1 = max(tx.max(), qx.max()) + 1
    canvas = np.ones((y1 - y0, x1 - x0), dtype=np.uint8)
    canvas[ty - y0, tx - x0] = 0
    distance = cv2.distanceTransform(canvas, cv2.DIST_L2,
                                     cv2.DIST_MASK_PRECISE)
    found = np.sort(distance[qy - y0, qx - x0])
    # Distances are square roots of integers: the next one above r is
    # sqrt(r^2 + 1); the midpoint keeps float32 rounding on the right side.
    limits = [(r + math.sqrt(r * r + 1)) / 2 for r in radii]
    return np.searchsorted(found, limits, side='right').tolist()


def per_image_boundary_counts(pred: np.ndarray,
                              gt: np.ndarray,
                              num_classes: int,
                              ratios: Sequence[float] = GSCNN_TOLERANCE_RATIOS,
                              ignore_index: int = 255,
                              name: str = 'image') -> np.ndarray:
    """Boundary sizes and matched pixels of one image, per class.

    Args:
        pred (np.ndarray): ``H x W`` predicted labels in ``[0, K)`` (the
            ignore index, if not a class, means "no class").
        gt (np.ndarray): ``H x W`` ground truth in ``[0, K)`` or the ignore
            index.
        num_classes (int): ``K``.
        ratios (Sequence[float]): Tolerances as fractions of the diagonal.
        ignore_index (int): Ground-truth label of ignored pixels.
        name (str): The image's name for error messages.

    Returns:
        np.ndarray: ``(2 + 2T) x K`` int64, rows as in
        :func:`per_image_count_row_names`.

    Raises:
        ValueError: If the shapes differ or a label holds a value that is
            neither a class nor the ignore index.
    """
    ratios = check_tolerance_ratios(ratios)
    pred, gt = np.asarray(pred), np.asarray(gt)
    if pred.ndim != 2 or pred.shape != gt.shape:
        raise ValueError(f'{name}: prediction and ground truth must be H x W '
                         f'of one shape, got {pred.shape} and {gt.shape}')
    k = int(num_classes)
    counts = np.zeros((2 + 2 * len(ratios), k), dtype=np.int64)
    if gt.size == 0:
        return counts
    valid = gt != ignore_index
    gt_codes = _codes(gt, valid, k, ignore_index, 'ground truth', name)
    pred_codes = _codes(pred, valid, k, ignore_index, 'prediction', name)
    height, width = gt.shape
    radii = [tolerance_pixels(ratio, height, width) for ratio in ratios]

    pred_classes, pred_flat = class_boundary_pixels(pred_codes, k)
    gt_classes, gt_flat = class_boundary_pixels(gt_codes, k)
    counts[0] = np.bincount(pred_classes, minlength=k)
    counts[1] = np.bincount(gt_classes, minlength=k)
    pred_starts = np.searchsorted(pred_classes, np.arange(k + 1))
    gt_starts = np.searchsorted(gt_classes, np.arange(k + 1))
    for c in np.flatnonzero((counts[0] > 0) & (counts[1] > 0)):
        pred_yx = np.divmod(pred_flat[pred_starts[c]:pred_starts[c + 1]],
                            width)
        gt_yx = np.divmod(gt_flat[gt_starts[c]:gt_starts[c + 1]], width)
        counts[2::2, c] = _matched_within(gt_yx, pred_yx, radii)
        counts[3::2, c] = _matched_within(pred_yx, gt_yx, radii)
    return counts


def per_image_boundary_scores(
        counts: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``F``, ``P`` and ``R`` of each image, tolerance and class.

    Args:
        counts (np.ndarray): ``N x (2 + 2T) x K`` (or one image's ``(2 +
            2T) x K``) from :func:`per_image_boundary_counts`.

    Returns:
        tuple: ``F``, ``P``, ``R``, float64 arrays ``N x T x K`` with the
        reference's values where a boundary is empty (see the module).
    """
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim == 2:
        counts = counts[None]
    if counts.ndim != 3 or counts.shape[1] < 4 or counts.shape[1] % 2:
        raise ValueError('counts must be N x (2 + 2T) x K, got shape '
                         f'{counts.shape}')
    n_pred = counts[:, None, 0].astype(np.float64)
    n_gt = counts[:, None, 1].astype(np.float64)
    pred_empty, gt_empty = n_pred == 0, n_gt == 0
    with np.errstate(divide='ignore', invalid='ignore'):
        precision = np.where(pred_empty, 1.0, counts[:, 2::2] / n_pred)
        recall = np.where(gt_empty, 1.0, counts[:, 3::2] / n_gt)
        precision = np.where(gt_empty & ~pred_empty, 0.0, precision)
        recall = np.where(pred_empty & ~gt_empty, 0.0, recall)
        total = precision + recall
        f_score = np.where(
            total > 0, 2 * precision * recall / np.where(total > 0, total, 1),
            0.0)
    return f_score, precision, recall


def average_per_image_scores(scores: np.ndarray) -> np.ndarray:
    """Mean over images (axis 0) with ``math.fsum``: exact, so the result
    does not depend on the order of the images (or the number of
    processes that evaluated them). NaN for no image."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape[0] == 0:
        return np.full(scores.shape[1:], np.nan)
    flat = scores.reshape(scores.shape[0], -1)
    means = [math.fsum(column) / len(column) for column in flat.T]
    return np.array(means, dtype=np.float64).reshape(scores.shape[1:])
