# Copyright (c) cblseg contributors. All rights reserved.
"""Tests of the label -> boundary op against an independent reference."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cblseg.ops import (check_radius, class_boundaries, ignore_aware_one_hot,
                        ignore_aware_one_hot_numpy, label_to_boundary,
                        label_to_boundary_torch, radius_from_dilation)
from helpers.labels import SIZES_AND_RADII, random_label

IGNORE = 255
DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])


# --------------------------------------------------------------------------
# Independent references (plain numpy, no OpenCV, per class)
# --------------------------------------------------------------------------
def erode3x3(mask: np.ndarray, iterations: int) -> np.ndarray:
    """Binary erosion with a 3x3 square, ``iterations`` times; outside the
    array is neutral (as OpenCV's default erosion border)."""
    h, w = mask.shape
    for _ in range(iterations):
        padded = np.pad(mask, 1, constant_values=1)
        eroded = np.ones_like(mask)
        for dy in range(3):
            for dx in range(3):
                eroded &= padded[dy:dy + h, dx:dx + w]
        mask = eroded
    return mask


def reference_boundary(label: np.ndarray,
                       radius: int,
                       ignore_index: int = IGNORE) -> np.ndarray:
    """The CBL / Boundary IoU construction: per class present, pad the mask
    with one pixel of zeros, erode ``radius`` times with a 3x3 kernel,
    subtract; union over classes; ignored pixels -> ignore_index."""
    h, w = label.shape
    boundary = np.zeros((h, w), dtype=np.uint8)
    for cls in np.unique(label):
        if cls == ignore_index:
            continue
        mask = (label == cls).astype(np.uint8)
        padded = np.pad(mask, 1, constant_values=0)
        eroded = erode3x3(padded, radius)[1:h + 1, 1:w + 1]
        boundary |= mask - eroded
    boundary[label == ignore_index] = ignore_index
    return boundary


def laplacian_boundary(label: np.ndarray, num_classes: int) -> np.ndarray:
    """The boundary of the blog post on Cityscapes class-level boundary
    labelling with an improved one-hot: 3x3 Laplacian of each one-hot
    channel with zero padding, > 0.1, union over classes."""
    one_hot = ignore_aware_one_hot(torch.from_numpy(label), num_classes)
    kernel = -torch.ones(1, 1, 3, 3)
    kernel[0, 0, 1, 1] = 8
    response = F.conv2d(
        one_hot.float().unsqueeze(1), kernel, padding=1).squeeze(1)
    return (response > 0.1).any(0).numpy().astype(np.uint8)


# --------------------------------------------------------------------------
# Equivalence with the reference
# --------------------------------------------------------------------------
@pytest.mark.parametrize('size,radius', SIZES_AND_RADII)
def test_numpy_and_torch_match_reference(size, radius):
    rng = np.random.default_rng(radius * 1000 + size[0] * 10 + size[1])
    # busy maps, and sparse ones whose interior survives a large radius
    labels = [random_label(rng, *size) for _ in range(4)] + [
        random_label(rng, *size, max_shapes=2, max_extent=0.15)
        for _ in range(3)
    ]
    expected = [reference_boundary(label, radius) for label in labels]
    if min(size) > 2 * radius + 1:
        # guard against a trivial all-boundary comparison
        assert {0, 1} <= set(np.unique(expected).tolist())
    for label, want in zip(labels, expected):
        np.testing.assert_array_equal(label_to_boundary(label, radius), want)
    for device in DEVICES:
        batch = torch.from_numpy(np.stack(labels)).long().to(device)
        got = label_to_boundary_torch(batch, radius)
        assert got.shape == batch.shape and got.dtype == torch.long
        np.testing.assert_array_equal(got.cpu().numpy(), np.stack(expected))


@pytest.mark.parametrize('seed', range(5))
def test_radius_one_equals_laplacian_boundary(seed):
    rng = np.random.default_rng(seed)
    label = random_label(rng, 37, 53)
    boundary = label_to_boundary(label, 1)
    valid = label != IGNORE
    np.testing.assert_array_equal(boundary[valid],
                                  laplacian_boundary(label, 19)[valid])
    np.testing.assert_array_equal(boundary[~valid], IGNORE)


# --------------------------------------------------------------------------
# Radius
# --------------------------------------------------------------------------
@pytest.mark.parametrize('dilation,height,width,radius', [
    (0.02, 1024, 2048, 46),
    (0.02, 512, 1024, 23),
    (0.005, 1024, 2048, 11),
    (0.02, 512, 512, 14),
    (0.001, 10, 10, 1),
    (1e-6, 1, 1, 1),
])
def test_radius_from_dilation(dilation, height, width, radius):
    assert radius_from_dilation(dilation, height, width) == radius


@pytest.mark.parametrize('dilation', [0, -0.02, float('nan'), float('inf')])
def test_invalid_dilation_raises(dilation):
    with pytest.raises(ValueError, match=str(dilation)):
        radius_from_dilation(dilation, 10, 10)


@pytest.mark.parametrize('radius', [0, -3, 1.5, True])
def test_invalid_radius_raises(radius):
    label = np.zeros((4, 4), dtype=np.uint8)
    with pytest.raises(ValueError, match=str(radius)):
        check_radius(radius)
    with pytest.raises(ValueError, match='radius'):
        label_to_boundary(label, radius)
    with pytest.raises(ValueError, match='radius'):
        label_to_boundary_torch(torch.from_numpy(label), radius)


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------
def test_ignore_only_label():
    label = np.full((9, 11), IGNORE, dtype=np.uint8)
    np.testing.assert_array_equal(label_to_boundary(label, 2), label)
    np.testing.assert_array_equal(
        label_to_boundary_torch(torch.from_numpy(label), 2).numpy(), label)


@pytest.mark.parametrize('radius', [1, 3])
def test_single_class_gives_only_the_image_border_band(radius):
    label = np.full((12, 15), 7, dtype=np.uint8)
    expected = np.ones_like(label)
    expected[radius:-radius, radius:-radius] = 0
    np.testing.assert_array_equal(label_to_boundary(label, radius), expected)
    np.testing.assert_array_equal(
        label_to_boundary_torch(torch.from_numpy(label), radius).numpy(),
        expected)


@pytest.mark.parametrize('value,expected', [(3, 1), (IGNORE, IGNORE)])
def test_one_pixel_image(value, expected):
    label = np.array([[value]], dtype=np.uint8)
    assert label_to_boundary(label, 1).tolist() == [[expected]]
    assert label_to_boundary_torch(torch.from_numpy(label),
                                   1).tolist() == [[expected]]


def test_empty_label():
    assert label_to_boundary(np.zeros((0, 5), np.uint8), 1).shape == (0, 5)
    assert label_to_boundary_torch(torch.zeros(2, 0, 5, dtype=torch.long),
                                   1).shape == (2, 0, 5)


@pytest.mark.parametrize('batch', [1, 4])
@pytest.mark.parametrize('device', DEVICES)
def test_torch_shapes_and_dtypes(batch, device):
    rng = np.random.default_rng(batch)
    labels = np.stack([random_label(rng, 23, 31) for _ in range(batch)])
    expected = np.stack([label_to_boundary(label, 3) for label in labels])
    for dtype in (torch.uint8, torch.int32, torch.int64):
        batched = torch.from_numpy(labels).to(device=device, dtype=dtype)
        for shaped in (batched, batched.unsqueeze(1)):
            got = label_to_boundary_torch(shaped, 3)
            assert got.shape == shaped.shape
            assert got.dtype == dtype and got.device == shaped.device
            np.testing.assert_array_equal(
                got.reshape(expected.shape).cpu(), expected)
    single = torch.from_numpy(labels[0]).to(device)
    np.testing.assert_array_equal(
        label_to_boundary_torch(single, 3).cpu(), expected[0])


def test_wide_label_values_keep_equality():
    """Labels that do not fit uint8 (negative, > 65535, > 2**31) go through
    other dtypes; only equality matters."""
    rng = np.random.default_rng(0)
    base = random_label(rng, 40, 50).astype(np.int64)
    for offset in (1000, -20000, 70000, 2**40):
        label = np.where(base == IGNORE, IGNORE, base * 7 + offset)
        expected = reference_boundary(label, 2)
        np.testing.assert_array_equal(label_to_boundary(label, 2), expected)
        np.testing.assert_array_equal(
            label_to_boundary_torch(torch.from_numpy(label), 2).numpy(),
            expected)


def test_ignore_index_outside_the_label_dtype():
    """torch wraps scalars to the tensor's dtype (uint8 ``x == -1`` is
    ``x == 255``); an unrepresentable ignore index must match nothing."""
    label = torch.tensor([[255, 3, 3, 3]], dtype=torch.uint8)
    boundary = label_to_boundary_torch(label, 1, ignore_index=-1)
    assert boundary.tolist() == [[1, 1, 1, 1]]
    with pytest.raises(ValueError, match=r'\[255\]'):
        ignore_aware_one_hot(label, 19, ignore_index=-1)
    # and num_classes beyond the dtype is not wrapped either
    assert ignore_aware_one_hot(label, 300, ignore_index=-1).sum() == 4


def test_rejects_bad_inputs():
    with pytest.raises(ValueError, match='2D'):
        label_to_boundary(np.zeros((2, 3, 4), np.uint8), 1)
    with pytest.raises(TypeError, match='integer'):
        label_to_boundary(np.zeros((3, 4), np.float32), 1)
    with pytest.raises(ValueError, match='ignore_index'):
        label_to_boundary(np.zeros((3, 4), np.uint8), 1, ignore_index=-1)
    with pytest.raises(TypeError, match='integer'):
        label_to_boundary_torch(torch.zeros(3, 4), 1)
    with pytest.raises(ValueError, match='shape'):
        label_to_boundary_torch(torch.zeros(2, 3, 4, 5, dtype=torch.long), 1)


# --------------------------------------------------------------------------
# One-hot and per-class bands
# --------------------------------------------------------------------------
@pytest.mark.parametrize('device', DEVICES)
def test_one_hot_ignored_pixels_are_all_zero(device):
    rng = np.random.default_rng(1)
    labels = np.stack([random_label(rng, 20, 30) for _ in range(3)])
    label = torch.from_numpy(labels).long().to(device)
    one_hot = ignore_aware_one_hot(label, 19)
    assert one_hot.shape == (3, 19, 20, 30) and one_hot.dtype == torch.uint8
    ignored = (label == IGNORE).unsqueeze(1).expand_as(one_hot)
    assert not one_hot[ignored].any()
    assert (one_hot.sum(1) == (label != IGNORE)).all()
    assert (one_hot.argmax(1)[label != IGNORE] == label[label != IGNORE]).all()
    np.testing.assert_array_equal(one_hot.cpu().numpy(),
                                  ignore_aware_one_hot_numpy(labels, 19))
    # B x 1 x H x W and H x W inputs
    assert ignore_aware_one_hot(label.unsqueeze(1), 19).shape == one_hot.shape
    assert ignore_aware_one_hot(label[0], 19).shape == (19, 20, 30)


def test_one_hot_invalid_labels_raise_naming_values():
    label = torch.tensor([[0, 19, 3], [IGNORE, 40, -1]])
    for one_hot in (ignore_aware_one_hot, ignore_aware_one_hot_numpy):
        data = label if one_hot is ignore_aware_one_hot else label.numpy()
        with pytest.raises(ValueError, match=r'\[-1, 19, 40\]'):
            one_hot(data, 19)
    # ignore_index inside [0, K): those pixels are all-zero too
    one_hot = ignore_aware_one_hot(torch.tensor([[0, 1, 2]]), 3, 1)
    assert one_hot[:, 0].tolist() == [[1, 0, 0], [0, 0, 0], [0, 0, 1]]


@pytest.mark.parametrize('device', DEVICES)
def test_class_boundaries_is_one_hot_times_boundary(device):
    rng = np.random.default_rng(2)
    labels = torch.from_numpy(
        np.stack([random_label(rng, 33, 41) for _ in range(2)])).to(device)
    bands = class_boundaries(labels, 19, 2)
    expected = ignore_aware_one_hot(labels, 19) * (label_to_boundary_torch(
        labels, 2) == 1).unsqueeze(1)
    assert bands.shape == (2, 19, 33, 41)
    assert torch.equal(bands, expected.to(torch.uint8))
    assert torch.equal(class_boundaries(labels.unsqueeze(1), 19, 2), bands)
    # the bands partition the boundary pixels
    boundary = label_to_boundary_torch(labels, 2)
    assert torch.equal(bands.sum(1) == 1, boundary == 1)
