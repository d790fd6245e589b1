# Copyright (c) cblseg contributors. All rights reserved.
"""The per-image boundary F-score (GSCNN / SegFix protocol) against an
independent implementation written here from the definition: per class
binary masks, boundaries by explicit loops over pixels and their right,
lower and lower-right neighbours, matching with scipy's exact Euclidean
distance transform, per-image P / R / F with the empty-boundary rules,
mean over images then over classes."""
import math

import numpy as np
import pytest
from scipy import ndimage

from cblseg.evaluation.functional import (GSCNN_TOLERANCE_RATIOS,
                                          class_boundary_pixels,
                                          per_image_boundary_counts,
                                          per_image_boundary_scores,
                                          tolerance_pixels)
from cblseg.evaluation.metrics.boundary_iou_metric import \
    summarize_per_image_counts

IGNORE = 255


# --------------------------------------------------------------------------
# Independent implementation (no code shared with the package)
# --------------------------------------------------------------------------
def reference_boundary(mask: np.ndarray) -> np.ndarray:
    """1-px boundary of a binary mask: differs from an existing right,
    lower or lower-right neighbour."""
    height, width = mask.shape
    out = np.zeros_like(mask, dtype=bool)
    for y in range(height):
        for x in range(width):
            for dy, dx in ((0, 1), (1, 0), (1, 1)):
                yy, xx = y + dy, x + dx
                if yy < height and xx < width and mask[y, x] != mask[yy, xx]:
                    out[y, x] = True
    return out


def reference_matched(source: np.ndarray, target: np.ndarray,
                      radius: int) -> int:
    """Pixels of ``source`` with a ``target`` pixel within Euclidean
    ``radius``."""
    if not target.any() or not source.any():
        return 0
    distance = ndimage.distance_transform_edt(~target)
    return int((distance[source] <= radius).sum())


def reference_image_scores(pred, gt, num_classes, ratios, ignore=IGNORE):
    """``F`` (T x K) of one image."""
    radii = [
        math.ceil(ratio * np.linalg.norm(np.array(gt.shape, float)))
        for ratio in ratios
    ]
    ignored = gt == ignore
    scores = np.zeros((len(ratios), num_classes))
    for c in range(num_classes):
        pred_mask = (pred == c) & ~ignored
        gt_mask = (gt == c) & ~ignored
        pred_b = reference_boundary(pred_mask)
        gt_b = reference_boundary(gt_mask)
        n_pred, n_gt = int(pred_b.sum()), int(gt_b.sum())
        for t, radius in enumerate(radii):
            if n_pred == 0 and n_gt == 0:
                p = r = 1.0
            elif n_pred == 0:
                p, r = 1.0, 0.0
            elif n_gt == 0:
                p, r = 0.0, 1.0
            else:
                p = reference_matched(pred_b, gt_b, radius) / n_pred
                r = reference_matched(gt_b, pred_b, radius) / n_gt
            scores[t, c] = 0.0 if p + r == 0 else 2 * p * r / (p + r)
    return scores


def reference_dataset_scores(pairs, num_classes, ratios):
    """Mean over images per class, then over classes."""
    per_image = np.stack([
        reference_image_scores(pred, gt, num_classes, ratios)
        for pred, gt in pairs
    ])
    per_class = per_image.mean(0)
    return per_class, per_class.mean(1)


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------
def blob_label(rng, height, width, num_classes, ignore_share=0.1):
    """Piecewise-constant labels (blocks of random size) with ignore."""
    label = np.zeros((height, width), dtype=np.uint8)
    for _ in range(6):
        y, x = rng.integers(0, height), rng.integers(0, width)
        h, w = rng.integers(1, height + 1), rng.integers(1, width + 1)
        label[y:y + h, x:x + w] = rng.integers(num_classes)
    if ignore_share:
        label[rng.random((height, width)) < ignore_share] = IGNORE
    return label


def noisy_copy(rng, label, num_classes, share=0.05):
    pred = label.copy()
    pred[pred == IGNORE] = rng.integers(num_classes)
    flip = rng.random(label.shape) < share
    pred[flip] = rng.integers(0, num_classes, int(flip.sum()))
    return np.roll(pred, rng.integers(-2, 3), axis=int(rng.integers(2)))


def scores_of(pairs, num_classes, ratios):
    counts = np.stack([
        per_image_boundary_counts(pred, gt, num_classes, ratios, IGNORE)
        for pred, gt in pairs
    ])
    return counts, per_image_boundary_scores(counts)


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------
@pytest.mark.parametrize('ratio, pixels',
                         [(0.0003, 1), (0.0005, 2), (0.00088, 3), (0.001, 3),
                          (0.001875, 5), (0.002, 5), (0.003, 7), (0.00375, 9),
                          (0.005, 12), (0.0075, 18)])
def test_tolerance_in_pixels_at_cityscapes_size(ratio, pixels):
    # ceil(ratio * 2289.73), as np.ceil(th * np.linalg.norm(shape))
    assert tolerance_pixels(ratio, 1024, 2048) == pixels
    assert pixels == math.ceil(ratio * np.linalg.norm([1024, 2048]))


def test_gscnn_ratios_are_3_5_9_12_pixels():
    assert [tolerance_pixels(r, 1024, 2048)
            for r in GSCNN_TOLERANCE_RATIOS] == [3, 5, 9, 12]


def test_boundaries_of_a_hand_made_label():
    # class 1 is a 2 x 2 square in a 5 x 6 image of class 0; 2 = one pixel
    label = np.zeros((5, 6), dtype=np.int32)
    label[1:3, 2:4] = 1
    label[4, 5] = 2
    classes, flat = class_boundary_pixels(label, 3)
    got = {
        c: sorted(divmod(int(p), 6) for p in flat[classes == c])
        for c in range(3)
    }
    # pixels that differ from their right, lower or lower-right neighbour:
    # a 3 x 3 ring around (1, 2), i.e. the square's outline shifted half a
    # pixel to the top left (its top-left pixel sees only square pixels)
    square = [(0, 1), (0, 2), (0, 3), (1, 1), (1, 3), (2, 1), (2, 2), (2, 3)]
    assert got[1] == square
    # the single pixel of class 2 in the corner has no right / lower
    # neighbour: only its left and upper neighbours see it
    assert got[2] == [(3, 4), (3, 5), (4, 4)]
    assert got[0] == sorted(square + got[2])
    for c in range(3):
        assert got[c] == sorted(
            zip(*np.nonzero(reference_boundary(label == c))))


@pytest.mark.parametrize('shape', [(1, 1), (1, 9), (8, 1), (2, 2), (7, 13),
                                   (16, 11), (23, 31)])
def test_random_labels_equal_the_reference(shape):
    rng = np.random.default_rng(sum(shape))
    num_classes = 5
    ratios = (0.02, 0.05, 0.11, 0.3)
    pairs = []
    for index in range(4):
        gt = blob_label(rng, *shape, num_classes)
        if index == 0:
            pred = rng.integers(0, num_classes, shape).astype(np.uint8)
        else:
            pred = noisy_copy(rng, gt, num_classes)
        if index == 2:
            gt[gt == 3] = 4  # class 3 absent from this ground truth
        pairs.append((pred, gt))
    _, (f_score, _, _) = scores_of(pairs, num_classes, ratios)
    for (pred, gt), ours in zip(pairs, f_score):
        expected = reference_image_scores(pred, gt, num_classes, ratios)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-12)


def test_structured_labels_and_larger_radii_equal_the_reference():
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[:61, :83]
    gt = np.zeros((61, 83), dtype=np.uint8)
    gt[(yy - 30)**2 + (xx - 40)**2 < 400] = 1  # disc
    gt[5:20, 60:80] = 2  # rectangle
    gt[(yy + xx) % 17 == 0] = 3  # thin diagonal lines
    gt[50:, :10] = IGNORE
    pred = np.roll(gt, (2, -3), axis=(0, 1))
    pred[pred == IGNORE] = 0
    pred[rng.random(gt.shape) < 0.01] = 2
    ratios = (0.01, 0.04, 0.1, 0.2)  # 2, 5, 11, 21 px on a 103 px diagonal
    _, (f_score, _, _) = scores_of([(pred, gt)], 4, ratios)
    expected = reference_image_scores(pred, gt, 4, ratios)
    np.testing.assert_allclose(f_score[0], expected, rtol=0, atol=1e-12)


def test_empty_boundaries_follow_the_reference_rules():
    gt = np.zeros((6, 6), dtype=np.uint8)
    gt[:, 3:] = 1
    pred = gt.copy()
    pred[:3, :3] = 2  # predicted only; class 3 nowhere
    counts = per_image_boundary_counts(pred, gt, 4, (0.1, ))
    f_score, precision, recall = per_image_boundary_scores(counts)
    # class 2: boundary in the prediction only -> P 0, R 1, F 0
    assert (precision[0, 0, 2], recall[0, 0, 2], f_score[0, 0, 2]) == (0, 1, 0)
    # class 3: in neither map -> P = R = F = 1
    assert (precision[0, 0, 3], recall[0, 0, 3], f_score[0, 0, 3]) == (1, 1, 1)
    # ground truth only -> P 1, R 0, F 0
    f_score, precision, recall = per_image_boundary_scores(
        per_image_boundary_counts(np.zeros_like(gt), gt, 4, (0.1, )))
    assert (precision[0, 0, 1], recall[0, 0, 1], f_score[0, 0, 1]) == (1, 0, 0)


def test_ignored_pixels_are_no_class_in_both_maps():
    gt = np.zeros((5, 8), dtype=np.uint8)
    gt[:, 4:] = IGNORE
    pred = np.zeros_like(gt)  # class 0 predicted under the ignore too
    counts = per_image_boundary_counts(pred, gt, 2, (0.05, ))
    # both masks end at the ignore: the same boundary, F = 1
    assert counts[0, 0] == counts[1, 0] == 5  # column 3
    assert per_image_boundary_scores(counts)[0][0, 0, 0] == 1
    np.testing.assert_array_equal(
        per_image_boundary_scores(counts)[0][0],
        reference_image_scores(pred, gt, 2, (0.05, )))


def test_dataset_average_is_over_images_then_classes():
    rng = np.random.default_rng(3)
    pairs = []
    for _ in range(5):
        gt = blob_label(rng, 19, 27, 4)
        pairs.append((noisy_copy(rng, gt, 4, 0.1), gt))
    ratios = (0.03, 0.1)
    counts, _ = scores_of(pairs, 4, ratios)
    summary, per_class = summarize_per_image_counts(counts, ratios)
    expected_class, expected_mean = reference_dataset_scores(pairs, 4, ratios)
    for index, key in enumerate(('0.03diag', '0.1diag')):
        np.testing.assert_allclose(
            per_class[f'BF@{key}'], expected_class[index], atol=1e-12)
        assert summary[f'mBF@{key}'] == round(expected_mean[index] * 100, 2)
    # exact sums: the order of the images does not matter
    again, _ = summarize_per_image_counts(counts[::-1], ratios)
    assert again == summary


def test_one_pixel_image_and_empty_image():
    counts = per_image_boundary_counts(
        np.array([[1]]), np.array([[1]]), 3, (0.5, ))
    assert not counts.any()  # no neighbour, no boundary
    f_score = per_image_boundary_scores(counts)[0]
    assert (f_score == 1).all()  # every class in neither boundary map
    empty = per_image_boundary_counts(
        np.zeros((0, 4), np.uint8), np.zeros((0, 4), np.uint8), 3, (0.5, ))
    assert empty.shape == (4, 3) and not empty.any()


def test_bad_values_and_ratios_are_named():
    gt = np.zeros((4, 4), dtype=np.uint8)
    pred = gt.copy()
    pred[0, 0] = 7
    with pytest.raises(ValueError, match=r'a\.png: the prediction .*\[7\]'):
        per_image_boundary_counts(pred, gt, 3, (0.1, ), name='a.png')
    gt[1, 1] = 9
    with pytest.raises(ValueError, match=r'the ground truth .*\[9\]'):
        per_image_boundary_counts(gt, gt, 3, (0.1, ))
    # a value that int32 would wrap into the classes
    wraps = np.zeros((4, 4), dtype=np.int64)
    wraps[2, 2] = 2**32 + 1
    with pytest.raises(ValueError, match=r'\[4294967297\]'):
        per_image_boundary_counts(wraps, np.zeros_like(wraps), 3, (0.1, ))
    for ratios in ((0, ), (1.5, ), (3, ), ()):
        with pytest.raises(ValueError, match='bf_tolerance_ratios'):
            per_image_boundary_counts(pred, pred, 9, ratios)
    with pytest.raises(ValueError, match='one shape'):
        per_image_boundary_counts(pred, pred[:2], 9, (0.1, ))
