# Copyright (c) cblseg contributors. All rights reserved.
"""GenerateBoundary against MMSeg's GenerateEdge: the maps and the
behaviour that docs/cbl.md ("GenerateBoundary and MMSeg's GenerateEdge")
describes, on its example label, so the text cannot drift from either."""
import numpy as np
import pytest
from mmcv.transforms import Compose
from mmseg.datasets.transforms import GenerateEdge

from cblseg.datasets.transforms import GenerateBoundary

IG = 255  # ignore ("i" in the docs)

# class 0 left, class 1 right, a 2x2 ignored block inside class 1 and a
# one-pixel class-2 region inside class 0 (the label of docs/cbl.md)
LABEL = np.array([
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 0, 1, 1, IG, IG, 1],
    [0, 0, 0, 0, 0, 1, 1, IG, IG, 1],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    [0, 0, 2, 0, 0, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
], np.uint8)

EDGE_WIDTH_1 = np.array([
    [0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 1, 0, 0, 0, 0],
    [0, 1, 0, 1, 1, 1, 0, 0, 0, 0],
    [0, 1, 1, 0, 1, 1, 0, 0, 0, 0],
    [0, 0, 1, 0, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
], np.uint8)

EDGE_WIDTH_3 = np.array([
    [0, 0, 0, 1, 1, 1, 1, 0, 0, 0],
    [0, 0, 0, 1, 1, 1, 1, 0, 0, 0],
    [0, 0, 0, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    [0, 1, 1, 1, 1, 1, 1, 0, 0, 0],
], np.uint8)

RADIUS_1 = np.array([
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, 0, 0, 0, 1, 1, 1, 1, 1, 1],
    [1, 0, 0, 0, 1, 1, 1, IG, IG, 1],
    [1, 0, 0, 0, 1, 1, 1, IG, IG, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 0, 0, 0, 1],
    [1, 1, 1, 1, 1, 1, 0, 0, 0, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
], np.uint8)


def _results(label=LABEL):
    return dict(gt_seg_map=label.copy(), img_shape=label.shape)


@pytest.mark.parametrize('transform, expected', [
    (GenerateEdge(edge_width=1), EDGE_WIDTH_1),
    (GenerateEdge(edge_width=3), EDGE_WIDTH_3),
    (GenerateBoundary(radius=1), RADIUS_1),
])
def test_documented_maps(transform, expected):
    out = transform(_results())['gt_edge_map']
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, expected)


def test_seg_fields_and_extra_keys():
    ours = GenerateBoundary(radius=1)(_results())
    theirs = GenerateEdge(edge_width=3)(_results())
    assert ours['seg_fields'] == ['gt_edge_map']
    assert 'seg_fields' not in theirs
    assert theirs['edge_width'] == 3 and 'edge_width' not in ours


def test_straight_edge_widths():
    # horizontal edge between rows 4 and 5, away from ignore and border
    label = np.zeros((10, 12), np.uint8)
    label[5:] = 1
    column = {}
    for width in (1, 3, 4):
        column[width] = GenerateEdge(edge_width=width)(
            _results(label))['gt_edge_map'][:, 6]
    assert list(np.flatnonzero(column[1])) == [4, 5]
    assert list(np.flatnonzero(column[3])) == [3, 4, 5, 6]
    # an even width is off-centre: one row above, two below
    assert list(np.flatnonzero(column[4])) == [3, 4, 5, 6, 7]
    ours = GenerateBoundary(radius=2)(_results(label))['gt_edge_map'][:, 6]
    # the same 4 px across the edge, plus the image border rows
    assert list(np.flatnonzero(ours)) == [0, 1, 3, 4, 5, 6, 8, 9]


@pytest.mark.parametrize('order, values', [
    ('boundary_then_edge', [0, 1]),
    ('edge_then_boundary', [0, 1, IG]),
])
def test_both_in_one_pipeline_the_later_overwrites(order, values):
    boundary, edge = GenerateBoundary(radius=1), GenerateEdge(edge_width=3)
    steps = dict(
        boundary_then_edge=[boundary, edge],
        edge_then_boundary=[edge, boundary])[order]
    out = Compose(steps)(_results())['gt_edge_map']
    assert sorted(np.unique(out).tolist()) == values
    last = EDGE_WIDTH_3 if order == 'boundary_then_edge' else RADIUS_1
    np.testing.assert_array_equal(out, last)
