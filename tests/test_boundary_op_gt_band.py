# Copyright (c) cblseg contributors. All rights reserved.
"""Tests of the additions to cblseg.ops.boundary for the metrics: the band
with ignore-neutral neighbours (Boundary IoU ground truth), several radii in
one call, window extremes and reusable scratch buffers."""
import numpy as np
import pytest
import torch

from cblseg.ops.boundary import (ScratchBuffers, label_to_boundary_mask_torch,
                                 label_to_boundary_masks_torch,
                                 label_to_boundary_torch, window_extreme_torch)
from helpers.labels import SIZES_AND_RADII, random_label

IGNORE = 255
DEVICES = ['cpu'] + (['cuda'] if torch.cuda.is_available() else [])

pytestmark = pytest.mark.usefixtures('one_torch_thread')


def naive_band(label: np.ndarray, radius: int, ignore_index: int,
               ignore_neighbours_differ: bool) -> np.ndarray:
    """From the definition: compare every pixel with each neighbour at
    offset (dy, dx), |dy|, |dx| <= radius; a neighbour outside the image
    always counts, an ignored one only if ``ignore_neighbours_differ``."""
    height, width = label.shape
    outside = object()
    padded = np.full((height + 2 * radius, width + 2 * radius),
                     outside,
                     dtype=object)
    padded[radius:radius + height, radius:radius + width] = label
    band = np.zeros(label.shape, dtype=bool)
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            other = padded[dy:dy + height, dx:dx + width]
            is_outside = other == outside
            differs = is_outside | (other != label)
            if not ignore_neighbours_differ:
                differs &= is_outside | (other != ignore_index)
            band |= differs
    return band & (label != ignore_index)


@pytest.mark.parametrize('size,radius',
                         [s for s in SIZES_AND_RADII if s[1] <= 5])
def test_ignore_neutral_band_matches_definition(size, radius):
    rng = np.random.default_rng(size[0] * 7 + size[1] + radius)
    labels = np.stack([random_label(rng, *size) for _ in range(3)])
    expected = np.stack(
        [naive_band(label, radius, IGNORE, False) for label in labels])
    for device in DEVICES:
        for dtype in (torch.uint8, torch.int64):
            batch = torch.from_numpy(labels).to(device=device, dtype=dtype)
            got = label_to_boundary_mask_torch(
                batch, radius, IGNORE, ignore_neighbours_differ=False)
            assert got.dtype == torch.bool and got.shape == batch.shape
            np.testing.assert_array_equal(got.cpu().numpy(), expected)


@pytest.mark.parametrize('size,radius', SIZES_AND_RADII)
def test_ignore_differ_band_is_label_to_boundary_torch(size, radius):
    rng = np.random.default_rng(size[0] * 13 + size[1] + radius)
    labels = torch.from_numpy(
        np.stack([random_label(rng, *size) for _ in range(3)]))
    expected = label_to_boundary_torch(labels, radius) == 1
    for labels_in in (labels, labels.long(), labels.unsqueeze(1)):
        got = label_to_boundary_mask_torch(labels_in, radius)
        np.testing.assert_array_equal(
            got.reshape(expected.shape).numpy(), expected.numpy())


def test_ignore_between_same_class_is_not_a_boundary():
    """Two parts of one class split by an ignore line: ground-truth band
    (neutral) sees no boundary there; the default (differ) does."""
    label = np.full((9, 12), 4, dtype=np.uint8)
    label[:, 6] = IGNORE
    neutral = label_to_boundary_mask_torch(
        torch.from_numpy(label), 1, ignore_neighbours_differ=False).numpy()
    differ = label_to_boundary_mask_torch(torch.from_numpy(label), 1).numpy()
    border = np.ones_like(neutral)
    border[1:-1, 1:-1] = False
    border[:, 6] = False  # ignored pixels are never boundary
    np.testing.assert_array_equal(neutral, border)
    assert differ[4, 5] and differ[4, 7] and not differ[4, 6]
    assert not neutral[4, 5] and not neutral[4, 7]


@pytest.mark.parametrize('ignore_index,offset', [(0, 1), (-1, 0), (7, 0),
                                                 (1000, 300), (255, 300)])
def test_ignore_neutral_band_other_ignore_indices(ignore_index, offset):
    """Generic recoding: ignore inside the class range, negative, beyond
    uint8; labels beyond uint8."""
    rng = np.random.default_rng(abs(ignore_index) + offset)
    base = random_label(rng, 21, 26, num_classes=9).astype(np.int64)
    label = np.where(base == IGNORE, ignore_index, base + offset)
    for radius in (1, 3):
        expected = naive_band(label, radius, ignore_index, False)
        got = label_to_boundary_mask_torch(
            torch.from_numpy(label),
            radius,
            ignore_index,
            ignore_neighbours_differ=False)
        np.testing.assert_array_equal(got.numpy(), expected)
        expected = naive_band(label, radius, ignore_index, True)
        got = label_to_boundary_mask_torch(
            torch.from_numpy(label), radius, ignore_index)
        np.testing.assert_array_equal(got.numpy(), expected)


def test_several_radii_equal_single_calls_and_scratch_reuse():
    rng = np.random.default_rng(3)
    scratch = ScratchBuffers()
    for size in ((40, 50), (23, 61), (40, 50)):
        labels = torch.from_numpy(
            np.stack([random_label(rng, *size) for _ in range(2)]))
        for differ in (True, False):
            outs = [
                torch.empty(labels.shape, dtype=torch.bool) for _ in range(3)
            ]
            got = label_to_boundary_masks_torch(
                labels, (5, 1, 30), IGNORE, differ, outs=outs, scratch=scratch)
            assert all(a is b for a, b in zip(got, outs))
            for radius, mask in zip((5, 1, 30), got):
                expected = label_to_boundary_mask_torch(
                    labels, radius, IGNORE, differ)
                assert torch.equal(mask, expected)
    assert scratch.nbytes > 0
    scratch.clear()
    assert scratch.nbytes == 0


def test_all_ignored_and_empty():
    label = torch.full((2, 6, 7), IGNORE, dtype=torch.uint8)
    for differ in (True, False):
        assert not label_to_boundary_mask_torch(label, 1, IGNORE, differ).any()
    empty = torch.zeros((0, 4, 4), dtype=torch.uint8)
    assert label_to_boundary_mask_torch(empty, 1).shape == (0, 4, 4)


def test_band_op_rejects_bad_inputs():
    with pytest.raises(TypeError, match='integer'):
        label_to_boundary_mask_torch(torch.zeros(3, 4), 1)
    with pytest.raises(ValueError, match='radius'):
        label_to_boundary_mask_torch(torch.zeros(3, 4, dtype=torch.long), 0)
    with pytest.raises(ValueError, match='shape'):
        label_to_boundary_mask_torch(
            torch.zeros(3, 4, dtype=torch.long),
            1,
            out=torch.zeros(4, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match='radii'):
        label_to_boundary_masks_torch(
            torch.zeros(3, 4, dtype=torch.long), (1, 2),
            outs=[torch.zeros(3, 4, dtype=torch.bool)])


# --------------------------------------------------------------------------
# Window extremes and scratch buffers
# --------------------------------------------------------------------------
def naive_window(values: np.ndarray, radius: int, mode: str) -> np.ndarray:
    height, width = values.shape[-2:]
    reduce = np.minimum if mode == 'min' else np.maximum
    out = values[..., :height - 2 * radius, :width - 2 * radius].copy()
    for dy in range(2 * radius + 1):
        for dx in range(2 * radius + 1):
            out = reduce(
                out, values[..., dy:dy + height - 2 * radius,
                            dx:dx + width - 2 * radius])
    return out


@pytest.mark.parametrize('radius', [0, 1, 2, 3, 7])
@pytest.mark.parametrize('mode', ['min', 'max'])
def test_window_extreme_matches_naive(radius, mode):
    rng = np.random.default_rng(radius)
    values = rng.integers(0, 200, size=(2, 19, 23)).astype(np.uint8)
    expected = naive_window(values, radius, mode)
    tensor = torch.from_numpy(values)
    np.testing.assert_array_equal(
        window_extreme_torch(tensor, radius, mode).numpy(), expected)
    scratch = ScratchBuffers()
    got = window_extreme_torch(tensor, radius, mode, scratch, 'w')
    np.testing.assert_array_equal(got.numpy(), expected)
    # composition: r1 then r2 is the window of r1 + r2, also when the input
    # of the second call lives in the same named scratch buffers
    if radius >= 1:
        first = window_extreme_torch(tensor, 1, mode, scratch, 'w')
        second = window_extreme_torch(first, radius, mode, scratch, 'w')
        np.testing.assert_array_equal(second.numpy(),
                                      naive_window(values, radius + 1, mode))


def test_window_extreme_rejects_bad_arguments():
    values = torch.zeros(5, 5, dtype=torch.uint8)
    with pytest.raises(ValueError, match='mode'):
        window_extreme_torch(values, 1, 'mean')
    with pytest.raises(ValueError, match='radius'):
        window_extreme_torch(values, -1, 'min')
    with pytest.raises(ValueError, match='fit'):
        window_extreme_torch(values, 3, 'min')


def test_scratch_buffers_grow_and_are_views():
    scratch = ScratchBuffers()
    small = scratch.get('a', (2, 3), torch.uint8, 'cpu')
    assert small.shape == (2, 3) and small.is_contiguous()
    again = scratch.get('a', (3, 2), torch.uint8, 'cpu')
    assert again.data_ptr() == small.data_ptr()
    bigger = scratch.get('a', (10, 10), torch.uint8, 'cpu')
    assert bigger.numel() == 100
    other_dtype = scratch.get('a', (2, 3), torch.int64, 'cpu')
    assert other_dtype.dtype == torch.int64
    assert scratch.get('b', (0, 4), torch.bool, 'cpu').shape == (0, 4)
