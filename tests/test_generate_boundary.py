# Copyright (c) cblseg contributors. All rights reserved.
"""Tests of the GenerateBoundary transform inside MMSeg pipelines."""
import copy
import random

import cv2
import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.registry import init_default_scope
from mmseg.registry import TRANSFORMS
from mmseg.utils import stack_batch

from cblseg.datasets.transforms import GenerateBoundary
from cblseg.ops import label_to_boundary, radius_from_dilation

IGNORE = 255


@pytest.fixture(autouse=True)
def mmseg_scope():
    # As in every MMSeg config (default_scope='mmseg'): RandomResize then
    # builds MMSeg's seg-field-aware Resize rather than mmcv's.
    init_default_scope('mmseg')


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def blobby_label(rng: np.random.Generator, height: int,
                 width: int) -> np.ndarray:
    """19-class label map of ellipses / polygons with ignore regions."""
    label = np.full((height, width), rng.integers(19), dtype=np.uint8)
    for _ in range(12):
        value = IGNORE if rng.random() < 0.2 else int(rng.integers(19))
        if rng.random() < 0.5:
            center = (int(rng.integers(width)), int(rng.integers(height)))
            axes = (int(rng.integers(4, width // 3)),
                    int(rng.integers(4, height // 3)))
            cv2.ellipse(label, center, axes, float(rng.uniform(0, 180)), 0,
                        360, value, -1)
        else:
            points = np.stack([
                rng.integers(-20, width + 20, size=4),
                rng.integers(-20, height + 20, size=4)
            ], 1).astype(np.int32)
            cv2.fillPoly(label, [points], value)
    return label


def loaded_sample(seed: int, height: int = 256, width: int = 512) -> dict:
    """What LoadImageFromFile + LoadAnnotations would produce."""
    rng = np.random.default_rng(seed)
    label = blobby_label(rng, height, width)
    img = rng.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return dict(
        img=img,
        img_shape=(height, width),
        ori_shape=(height, width),
        gt_seg_map=label,
        seg_fields=['gt_seg_map'],
        reduce_zero_label=False)


# A Cityscapes-style train pipeline, scaled down (2048x1024 -> 512x256).
AUGMENTATIONS = [
    dict(
        type='RandomResize',
        scale=(512, 256),
        ratio_range=(0.25, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=(100, 200), cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
]


# --------------------------------------------------------------------------
# The transform on its own
# --------------------------------------------------------------------------
def test_outputs_keys_dtypes_values():
    sample = loaded_sample(0)
    label = sample['gt_seg_map'].copy()
    results = GenerateBoundary()(sample)
    edge = results['gt_edge_map']
    assert edge.dtype == np.uint8 and edge.shape == label.shape
    radius = radius_from_dilation(0.02, *label.shape)
    np.testing.assert_array_equal(edge, label_to_boundary(label, radius))
    assert set(np.unique(edge).tolist()) == {0, 1, IGNORE}
    np.testing.assert_array_equal(edge == IGNORE, label == IGNORE)
    np.testing.assert_array_equal(results['gt_seg_map'], label)
    assert results['seg_fields'] == ['gt_seg_map', 'gt_edge_map']
    # running it again does not register the field twice
    results = GenerateBoundary()(results)
    assert results['seg_fields'] == ['gt_seg_map', 'gt_edge_map']


def test_radius_and_registry_build():
    label = loaded_sample(1)['gt_seg_map']
    transform = TRANSFORMS.build(dict(type='GenerateBoundary', radius=3))
    assert isinstance(transform, GenerateBoundary)
    results = transform(dict(gt_seg_map=label))
    np.testing.assert_array_equal(results['gt_edge_map'],
                                  label_to_boundary(label, 3))
    assert results['seg_fields'] == ['gt_edge_map']


def test_dilation_follows_label_size():
    label = np.zeros((64, 128), dtype=np.uint8)
    edge = GenerateBoundary(dilation=0.05)(dict(gt_seg_map=label))
    radius = radius_from_dilation(0.05, 64, 128)  # 7
    assert radius == 7
    assert edge['gt_edge_map'][radius, radius] == 0
    assert edge['gt_edge_map'][radius - 1, radius] == 1


def test_arguments_are_validated():
    with pytest.raises(ValueError, match='not both'):
        GenerateBoundary(dilation=0.02, radius=3)
    with pytest.raises(ValueError, match='-0.1'):
        GenerateBoundary(dilation=-0.1)
    with pytest.raises(ValueError, match='0'):
        GenerateBoundary(radius=0)
    with pytest.raises(ValueError, match='ignore_index'):
        GenerateBoundary(ignore_index=300)
    assert repr(GenerateBoundary()) == \
        'GenerateBoundary(dilation=0.02, ignore_index=255)'
    assert repr(GenerateBoundary(radius=3, ignore_index=0)) == \
        'GenerateBoundary(radius=3, ignore_index=0)'


def test_missing_label_says_what_to_do():
    with pytest.raises(KeyError, match='LoadAnnotations before'):
        GenerateBoundary()(dict(img=np.zeros((4, 4, 3), np.uint8)))


# --------------------------------------------------------------------------
# Alignment in a full train pipeline
# --------------------------------------------------------------------------
def pack(results: dict):
    return TRANSFORMS.build(dict(type='PackSegInputs'))(results)


@pytest.mark.parametrize('seed', range(8))
def test_alignment_when_placed_last(seed):
    seed_everything(seed)
    pipeline = Compose(
        copy.deepcopy(AUGMENTATIONS) +
        [dict(type='Pad', size_divisor=32),
         dict(type='GenerateBoundary')])
    packed = pack(pipeline(loaded_sample(seed)))
    label = packed['data_samples'].gt_sem_seg.data
    edge = packed['data_samples'].gt_edge_map.data
    assert label.shape == edge.shape and edge.dtype == torch.int64
    assert label.shape[1] % 32 == 0 and label.shape[2] % 32 == 0
    label, edge = label[0].numpy(), edge[0].numpy()
    np.testing.assert_array_equal(edge[label == IGNORE], IGNORE)
    radius = radius_from_dilation(0.02, *label.shape)
    np.testing.assert_array_equal(edge, label_to_boundary(label, radius))


@pytest.mark.parametrize('seed', range(8))
def test_alignment_when_placed_first(seed):
    """The edge map follows the label through every geometric transform.

    Two extra seg fields carry each pixel's source row and column, so the
    packed maps can be compared with the source maps pixel by pixel."""
    seed_everything(seed)
    sample = loaded_sample(seed)
    src_label = sample['gt_seg_map'].copy()
    rows, cols = np.indices(src_label.shape, dtype=np.uint16)
    sample.update(src_row=rows, src_col=cols)
    sample['seg_fields'] += ['src_row', 'src_col']
    pipeline = Compose([dict(type='GenerateBoundary')] +
                       copy.deepcopy(AUGMENTATIONS))
    results = pipeline(sample)
    rows, cols = results['src_row'], results['src_col']
    radius = radius_from_dilation(0.02, *src_label.shape)
    src_edge = label_to_boundary(src_label, radius)
    # the probe moved like the label, and the edge map moved like both
    np.testing.assert_array_equal(results['gt_seg_map'], src_label[rows, cols])
    np.testing.assert_array_equal(results['gt_edge_map'], src_edge[rows, cols])

    # MMSeg 1.x pads in SegDataPreProcessor (stack_batch), gt_edge_map too.
    packed = pack(results)
    inputs, samples = stack_batch([packed['inputs'].float()],
                                  [packed['data_samples']],
                                  size_divisor=32,
                                  seg_pad_val=IGNORE)
    label = samples[0].gt_sem_seg.data
    edge = samples[0].gt_edge_map.data
    assert label.shape == edge.shape == (1, *inputs.shape[-2:])
    label, edge = label[0].numpy(), edge[0].numpy()
    np.testing.assert_array_equal(edge == IGNORE, label == IGNORE)
    assert (edge == 1).any()


def test_pad_after_generate_boundary_is_unsupported():
    """Documents the caveat in GenerateBoundary's docstring: mmcv's Pad pads
    gt_seg_map only. If this starts failing, mmcv/mmseg pads every seg
    field and the caveat can go (PadSegFields is the way round it)."""
    sample = loaded_sample(3, height=100, width=200)
    pipeline = Compose(
        [dict(type='GenerateBoundary'),
         dict(type='Pad', size_divisor=32)])
    results = pipeline(sample)
    assert results['gt_seg_map'].shape == (128, 224)
    assert results['gt_edge_map'].shape == (100, 200)


def test_pad_seg_fields_pads_the_edge_map():
    """PadSegFields (VOC aug's Pad) pads gt_edge_map like gt_seg_map, with
    ignore, and pads image and label exactly as mmcv's Pad does."""
    sample = loaded_sample(3, height=100, width=200)
    label = sample['gt_seg_map'].copy()
    ours = Compose([
        dict(type='GenerateBoundary'),
        dict(type='PadSegFields', size=(256, 128))
    ])(
        copy.deepcopy(sample))
    mmcv_pad = Compose([dict(type='Pad', size=(256, 128))])(sample)
    assert ours['gt_edge_map'].shape == (128, 256)
    np.testing.assert_array_equal(ours['gt_seg_map'], mmcv_pad['gt_seg_map'])
    np.testing.assert_array_equal(ours['img'], mmcv_pad['img'])
    assert ours['pad_shape'] == mmcv_pad['pad_shape']
    np.testing.assert_array_equal(ours['gt_edge_map'] == IGNORE,
                                  ours['gt_seg_map'] == IGNORE)
    edge = GenerateBoundary()(dict(gt_seg_map=label))
    np.testing.assert_array_equal(ours['gt_edge_map'][:100, :200],
                                  edge['gt_edge_map'])
