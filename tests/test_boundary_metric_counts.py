# Copyright (c) cblseg contributors. All rights reserved.
"""Per-image count vectors of the boundary metrics against hand-computed
cases, a naive per-class implementation written from the definitions and the
CBL reference's binary BIoU."""
import importlib

import numpy as np
import pytest
import torch

from cblseg.evaluation import boundary_counts, count_row_names
from cblseg.evaluation.functional import check_tolerances
from cblseg.ops.boundary import ScratchBuffers
from helpers.labels import cbl_reference_pair, random_label

counts_module = importlib.import_module(
    'cblseg.evaluation.functional.boundary_counts')

IGNORE = 255
DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])

pytestmark = pytest.mark.usefixtures('one_torch_thread')


# --------------------------------------------------------------------------
# Naive oracle, per class, straight from the definitions (docs/metrics.md)
# --------------------------------------------------------------------------
def within(mask: np.ndarray, radius: int) -> np.ndarray:
    """Pixels with a True pixel of ``mask`` at Chebyshev distance <=
    ``radius`` (pixels outside the image are False)."""
    height, width = mask.shape
    padded = np.pad(mask, radius, constant_values=False)
    out = np.zeros_like(mask)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out |= padded[dy:dy + height, dx:dx + width]
    return out


def near_border(shape, radius: int) -> np.ndarray:
    """Pixels whose radius-``radius`` window leaves the image."""
    height, width = shape
    inner = np.zeros(shape, dtype=bool)
    inner[radius:height - radius, radius:width - radius] = True
    return ~inner


def class_band(label, cls, radius, counted_neighbours) -> np.ndarray:
    """Pixels of class ``cls`` with, within ``radius``, a pixel outside the
    image or a pixel of ``counted_neighbours`` whose label is not ``cls``."""
    other = counted_neighbours & (label != cls)
    return (label == cls) & (
        near_border(label.shape, radius)
        | within(other, radius))


def naive_counts(pred, gt, num_classes, radius, tolerances, ignore=IGNORE):
    valid = gt != ignore
    every = np.ones_like(valid)
    rows = {
        name: np.zeros(num_classes, np.int64)
        for name in count_row_names(tolerances)
    }
    for c in range(num_classes):
        # pixels whose ground truth is ignored take no part (also when the
        # ignore index is a class index: it is then never a gt class)
        in_gt, in_pred = (gt == c) & valid, (pred == c) & valid
        rows['area_gt'][c] = in_gt.sum()
        rows['area_pred'][c] = in_pred.sum()
        rows['intersect'][c] = (in_gt & in_pred).sum()
        # ground truth: ignored neighbours do not count; prediction: all do
        band_gt = class_band(gt, c, radius, valid) & valid
        band_pred = class_band(pred, c, radius, every) & valid
        rows['band_gt'][c] = band_gt.sum()
        rows['band_pred'][c] = band_pred.sum()
        rows['band_intersect'][c] = (band_gt & band_pred).sum()
        contour_gt = class_band(gt, c, 1, valid) & valid
        contour_pred = class_band(pred, c, 1, every) & valid
        rows['contour_gt'][c] = contour_gt.sum()
        rows['contour_pred'][c] = contour_pred.sum()
        for t in check_tolerances(tolerances):
            rows[f'contour_pred_matched@{t}'][c] = (
                contour_pred & within(contour_gt, t)).sum()
            rows[f'contour_gt_matched@{t}'][c] = (
                contour_gt & within(contour_pred, t)).sum()
    return np.stack([rows[name] for name in count_row_names(tolerances)])


def counts_of(pred, gt, num_classes, radius, tolerances=(1, 3, 5), **kw):
    """R x K counts of one image (``B x R x K`` for a batch)."""
    result = boundary_counts(
        torch.as_tensor(pred),
        torch.as_tensor(gt),
        num_classes,
        radius,
        tolerances=tolerances,
        **kw)
    counts = result.counts.cpu().numpy()
    return counts[0] if np.ndim(pred) == 2 else counts


def rows_of(counts, tolerances=(1, 3, 5)):
    return dict(zip(count_row_names(tolerances), counts))


# --------------------------------------------------------------------------
# Hand-computed cases
# --------------------------------------------------------------------------
def square_scene(shift=0):
    """20 x 20, class 1 square rows 7-12, cols (7-12) + shift, class 0
    around."""
    label = np.zeros((20, 20), dtype=np.uint8)
    label[7:13, 7 + shift:13 + shift] = 1
    return label


def test_square_perfect_prediction():
    gt = square_scene()
    rows = rows_of(counts_of(gt, gt, 2, radius=1, tolerances=(0, 1)), (0, 1))
    assert rows['area_gt'].tolist() == [400 - 36, 36]
    assert rows['intersect'].tolist() == [364, 36]
    # class 1: the inner ring of the 6 x 6 square, 36 - 16 = 20 pixels;
    # class 0: the ring around the square (8 x 8 - 6 x 6 = 28) and the
    # image border ring (20 x 20 - 18 x 18 = 76)
    assert rows['band_gt'].tolist() == [104, 20]
    assert rows['band_pred'].tolist() == [104, 20]
    assert rows['band_intersect'].tolist() == [104, 20]
    for t in (0, 1):
        assert (
            rows[f'contour_pred_matched@{t}'] == rows['contour_pred']).all()
        assert (rows[f'contour_gt_matched@{t}'] == rows['contour_gt']).all()


def test_square_shifted_by_one_pixel():
    gt, pred = square_scene(), square_scene(shift=1)
    rows = rows_of(counts_of(pred, gt, 2, radius=1, tolerances=(0, 1)), (0, 1))
    # the two 20-pixel rings share rows 7 and 12 over columns 8-12
    assert rows['band_gt'][1] == 20 and rows['band_pred'][1] == 20
    assert rows['band_intersect'][1] == 10  # BIoU = 10 / 30
    assert rows['intersect'][1] == 30 and rows['area_pred'][1] == 36
    # every contour pixel is within 1 pixel of the other contour, half of
    # them coincide
    assert rows['contour_pred_matched@1'][1] == 20
    assert rows['contour_gt_matched@1'][1] == 20
    assert rows['contour_pred_matched@0'][1] == 10
    assert rows['contour_gt_matched@0'][1] == 10
    np.testing.assert_array_equal(
        counts_of(pred, gt, 2, 1, (0, 1)),
        naive_counts(pred, gt, 2, 1, (0, 1)))


def test_rectangles_of_known_area_and_perimeter():
    """A 4-row band of class 2 along the top of a 10 x 16 image, class 0
    below; radius 2."""
    gt = np.zeros((10, 16), dtype=np.uint8)
    gt[:4] = 2
    rows = rows_of(counts_of(gt, gt, 3, radius=2))
    assert rows['area_gt'].tolist() == [96, 0, 64]
    # class 2: every pixel is within 2 of the top edge or of class 0;
    # class 0: rows 4-5 (class 2 above), rows 8-9 (bottom edge), and
    # columns 0-1, 14-15 of rows 6-7 (side edges)
    assert rows['band_gt'].tolist() == [32 + 32 + 8, 0, 64]
    # radius 1: perimeters
    assert rows['contour_gt'].tolist() == [16 + 16 + 2 * 4, 0, 16 + 16 + 4]


def test_ignore_rules_hand_case():
    """gt: class 0 | ignore column | class 1; the prediction labels the
    ignored column 0."""
    gt = np.zeros((8, 12), dtype=np.uint8)
    gt[:, 5] = IGNORE
    gt[:, 6:] = 1
    pred = np.zeros_like(gt)
    pred[:, 6:] = 1
    rows = rows_of(counts_of(pred, gt, 2, radius=1))
    assert rows['area_gt'].tolist() == [40, 48]
    assert rows['area_pred'].tolist() == [40, 48]  # column 5 takes no part
    # ground truth: the ignored column does not make columns 4 and 6
    # boundary pixels, only the image edges do
    assert rows['band_gt'].tolist() == [10 + 6, 12 + 6]
    # prediction: column 6 borders predicted class 0 in column 5, so it is
    # a boundary pixel; column 5 itself is ignored
    assert rows['band_pred'].tolist() == [10 + 6, 12 + 6 + 6]
    assert rows['band_intersect'].tolist() == [16, 18]
    np.testing.assert_array_equal(
        counts_of(pred, gt, 2, 1), naive_counts(pred, gt, 2, 1, (1, 3, 5)))


# --------------------------------------------------------------------------
# Against the naive implementation
# --------------------------------------------------------------------------
@pytest.mark.parametrize('seed', range(12))
def test_random_scenes_match_naive(seed):
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(1, 48, size=2))
    num_classes = int(rng.integers(1, 9))
    radius = int(rng.integers(1, 6))
    tolerances = tuple(int(t) for t in rng.integers(0, 6, rng.integers(0, 4)))
    gts, preds = [], []
    for _ in range(3):
        gts.append(random_label(rng, height, width, num_classes))
        pred = random_label(rng, height, width, num_classes)
        pred[pred == IGNORE] = rng.integers(num_classes)
        preds.append(pred)
    got = counts_of(
        np.stack(preds), np.stack(gts), num_classes, radius, tolerances)
    for index in range(3):
        np.testing.assert_array_equal(
            got[index],
            naive_counts(preds[index], gts[index], num_classes, radius,
                         tolerances))


@pytest.mark.parametrize('seed', range(4))
def test_noisy_labels_match_naive(seed, monkeypatch):
    """Per-pixel noise: many classes' contours in every window, so the exact
    fallback of the F-score matching runs (in small chunks here); the
    prediction also holds the ignore value ("no class")."""
    monkeypatch.setattr(counts_module, '_FALLBACK_CHUNK', 7)
    rng = np.random.default_rng(100 + seed)
    num_classes = 10
    gt = rng.integers(0, num_classes, size=(23, 29)).astype(np.uint8)
    if seed % 2:
        gt = np.kron(gt, np.ones((2, 2), np.uint8))[:23, :29]
    gt[rng.random(gt.shape) < 0.1] = IGNORE
    pred = rng.integers(0, num_classes, size=gt.shape)
    pred[rng.random(gt.shape) < 0.05] = IGNORE
    tolerances = (0, 1, 2, 5)
    got = counts_of(pred, gt, num_classes, 2, tolerances)
    # the naive oracle takes an out-of-range prediction as "no class"
    expected = naive_counts(
        np.where(pred == IGNORE, 250, pred), gt, num_classes, 2, tolerances)
    np.testing.assert_array_equal(got, expected)


def test_many_classes_use_wider_codes():
    rng = np.random.default_rng(7)
    num_classes = 300
    gt = rng.integers(0, num_classes, size=(12, 17))
    gt = np.kron(gt, np.ones((3, 3), np.int64))[:31, :37]
    gt[:4, :5] = IGNORE
    pred = np.roll(gt, 2, axis=1)
    pred[pred == IGNORE] = 299
    np.testing.assert_array_equal(
        counts_of(pred, gt, num_classes, 2, (1, 2)),
        naive_counts(pred, gt, num_classes, 2, (1, 2)))


@pytest.mark.parametrize('ignore_index', [0, -1, 1000])
def test_other_ignore_indices(ignore_index):
    rng = np.random.default_rng(abs(ignore_index))
    gt = random_label(rng, 30, 40, num_classes=5).astype(np.int64)
    gt[gt == IGNORE] = ignore_index
    pred = random_label(rng, 30, 40, num_classes=5).astype(np.int64)
    pred[pred == IGNORE] = 1
    got = counts_of(pred, gt, 5, 3, (1, 4), ignore_index=ignore_index)
    np.testing.assert_array_equal(
        got, naive_counts(pred, gt, 5, 3, (1, 4), ignore=ignore_index))


# --------------------------------------------------------------------------
# Invariances
# --------------------------------------------------------------------------
def test_batch_dtype_and_layout_do_not_matter():
    rng = np.random.default_rng(11)
    gts = np.stack([random_label(rng, 37, 45) for _ in range(4)])
    preds = np.stack([random_label(rng, 37, 45) for _ in range(4)])
    preds[preds == IGNORE] = 3
    batched = counts_of(preds, gts, 19, 4)
    scratch = ScratchBuffers()
    for index in range(4):
        for pred, gt in (
            (torch.from_numpy(preds[index]), torch.from_numpy(gts[index])),
            (torch.from_numpy(preds[index]).long()[None, None],
             torch.from_numpy(gts[index]).long()[None, None]),
            (torch.from_numpy(preds[index]).int(),
             torch.from_numpy(gts[index]).short()),
            (torch.from_numpy(preds[index]).t().contiguous().t(),
             torch.from_numpy(gts[index]).t().contiguous().t()),
        ):
            single = boundary_counts(
                pred, gt, 19, 4, scratch=scratch).counts[0].numpy()
            np.testing.assert_array_equal(single, batched[index])
    # the inputs are never modified
    assert (gts == np.stack([gts[i] for i in range(4)])).all()


def test_inputs_are_not_modified():
    gt = torch.tensor([[0, 1, 9], [7, 1, 1]], dtype=torch.uint8)
    pred = torch.tensor([[0, 1, 7], [2, 2, 1]])
    gt_copy, pred_copy = gt.clone(), pred.clone()
    boundary_counts(pred, gt, 10, 1, ignore_index=7)
    assert torch.equal(gt, gt_copy) and torch.equal(pred, pred_copy)


@pytest.mark.parametrize('device', DEVICES)
def test_device_of_the_prediction(device):
    rng = np.random.default_rng(5)
    gt = torch.from_numpy(random_label(rng, 33, 47))
    pred = torch.from_numpy(random_label(rng, 33, 47)).long()
    pred[pred == IGNORE] = 0
    result = boundary_counts(pred.to(device), gt, 19, 3, cbl_binary=True)
    assert result.counts.device.type == device
    cpu = boundary_counts(pred, gt, 19, 3, cbl_binary=True)
    assert torch.equal(result.counts.cpu(), cpu.counts)
    assert torch.equal(result.cbl.cpu(), cpu.cbl)


def test_empty_image():
    result = boundary_counts(
        torch.zeros(2, 0, 5, dtype=torch.long),
        torch.zeros(2, 0, 5, dtype=torch.long),
        3,
        1,
        cbl_binary=True)
    assert result.counts.shape == (2, len(count_row_names()), 3)
    assert not result.counts.any() and result.cbl.shape == (2, 2)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------
def test_shape_mismatch_names_the_image():
    with pytest.raises(ValueError, match=r'a\.png.*\(4, 5\).*\(4, 6\)'):
        boundary_counts(
            torch.zeros(4, 5, dtype=torch.long),
            torch.zeros(4, 6, dtype=torch.long),
            3,
            1,
            names=['a.png'])


@pytest.mark.parametrize('dtype', [torch.uint8, torch.int64])
def test_invalid_ground_truth_values_name_image_and_values(dtype):
    gt = torch.zeros(3, 6, 7, dtype=dtype)
    gt[1, 0, 0], gt[1, 2, 3], gt[2, 1, 1] = 19, 200, 254
    pred = torch.zeros(3, 6, 7, dtype=torch.long)
    with pytest.raises(ValueError) as error:
        boundary_counts(pred, gt, 19, 1, names=['x.png', 'y.png', 'z.png'])
    message = str(error.value)
    assert message.startswith('y.png: the ground truth')
    assert '[19, 200]' in message and '[0, 19)' in message
    assert 'also in z.png' in message
    assert 'x.png' not in message


def test_invalid_prediction_values():
    gt = torch.zeros(5, 5, dtype=torch.uint8)
    for bad, shown in ((-3, '[-3]'), (19, '[19]'), (300, '[300]')):
        pred = torch.zeros(5, 5, dtype=torch.long)
        pred[2, 2] = bad
        with pytest.raises(
                ValueError,
                match=r'p\.png: the prediction '
                r'contains values ' + shown.replace('[', r'\[')):
            boundary_counts(pred, gt, 19, 1, names=['p.png'])
    # the ignore index is allowed in predictions ("no class")
    pred = torch.full((5, 5), 255, dtype=torch.long)
    counts = boundary_counts(pred, gt, 19, 1).counts[0]
    assert counts[1].sum() == 0 and counts[0, 0] == 25


def test_invalid_arguments():
    label = torch.zeros(4, 4, dtype=torch.long)
    with pytest.raises(ValueError, match='num_classes'):
        boundary_counts(label, label, 0, 1)
    with pytest.raises(ValueError, match='radius'):
        boundary_counts(label, label, 3, 0)
    with pytest.raises(ValueError, match='tolerances'):
        boundary_counts(label, label, 3, 1, tolerances=(1, -1))
    with pytest.raises(TypeError, match='integer'):
        boundary_counts(label.float(), label, 3, 1)
    assert check_tolerances((5, 1, 3, 1)) == (1, 3, 5)
    assert count_row_names(()) == count_row_names([])[:8]


# --------------------------------------------------------------------------
# The CBL reference's binary BIoU (biou.py)
# --------------------------------------------------------------------------
@pytest.mark.parametrize('seed', range(4))
def test_cbl_binary_counts_match_reference(seed):
    rng = np.random.default_rng(200 + seed)
    radius = int(rng.integers(1, 5))
    gts = [random_label(rng, 28, 35) for _ in range(3)]
    preds = [random_label(rng, 28, 35) for _ in range(3)]
    for pred in preds:
        pred[pred == IGNORE] = 2
    gts[0][:] = IGNORE  # no class at all: biou.py's all-255 map
    result = boundary_counts(
        torch.from_numpy(np.stack(preds)),
        torch.from_numpy(np.stack(gts)),
        19,
        radius,
        cbl_binary=True)
    for index in range(3):
        assert tuple(result.cbl[index].tolist()) == cbl_reference_pair(
            preds[index], gts[index], radius)
