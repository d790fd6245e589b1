"""Moving GenerateBoundary between the full label and the crop, and the
boundary share per crop both ways (tools/benchmarks/boundary_placement.py)."""
import math
import os.path as osp

import pytest
from mmengine.config import Config

from cblseg.datasets import (boundary_shares, place_generate_boundary,
                             train_pipeline_and_samples)
from helpers import REPO_ROOT

SYNTHETIC = osp.join(
    REPO_ROOT, 'configs/_base_/datasets/synthetic_cityscapes_128x256.py')
VOC_AUG = osp.join(REPO_ROOT,
                   'configs/_base_/datasets/pascal_voc12_aug_512x512.py')


def types(pipeline):
    return [t['type'] for t in pipeline]


def test_place_generate_boundary_both_ways():
    pipeline = Config.fromfile(VOC_AUG).train_pipeline
    original = types(pipeline)
    crop = place_generate_boundary(pipeline, 'crop')
    assert types(crop) == [
        'LoadImageFromFile', 'LoadCheckedAnnotations', 'RandomResize',
        'RandomCrop', 'RandomFlip', 'PhotoMetricDistortion', 'PadSegFields',
        'GenerateBoundary', 'PackSegInputs'
    ]
    assert crop[-2] == dict(type='GenerateBoundary', dilation=0.02)
    full = place_generate_boundary(crop, 'full')
    assert types(full) == original
    assert types(pipeline) == original  # the input is not modified
    no_pack = place_generate_boundary(pipeline[:-1], 'crop')
    assert types(no_pack)[-1] == 'GenerateBoundary'


def test_place_generate_boundary_refuses_what_it_cannot_place():
    pipeline = Config.fromfile(SYNTHETIC).train_pipeline
    with pytest.raises(ValueError, match='where must be one of'):
        place_generate_boundary(pipeline, 'last')
    without = [t for t in pipeline if t['type'] != 'GenerateBoundary']
    with pytest.raises(ValueError, match='found 0'):
        place_generate_boundary(without, 'full')
    with pytest.raises(ValueError, match='found 2'):
        place_generate_boundary(pipeline + [pipeline[2]], 'full')
    no_label = [t for t in pipeline if 'Annotations' not in t['type']]
    with pytest.raises(ValueError, match='no LoadAnnotations'):
        place_generate_boundary(no_label, 'full')


def test_boundary_shares_same_crops_both_ways(synthetic_cityscapes_root):
    cfg = Config.fromfile(SYNTHETIC)
    pipeline, samples = train_pipeline_and_samples(
        cfg, synthetic_cityscapes_root, num_samples=2)
    assert len(samples) == 2 and 'seg_map_path' in samples[0]
    rows = boundary_shares(pipeline, samples, crops_per_sample=2, seed=5)
    assert [(r['sample'], r['repeat']) for r in rows] == [(0, 0), (0, 1),
                                                          (1, 0), (1, 1)]
    for row in rows:
        assert row['shape'][0] <= 128 and row['shape'][1] <= 256
        for where in ('full', 'crop'):
            assert 0 < row[where] <= 1 and not math.isnan(row[where])
    # the same seed gives the same crops and shares
    assert boundary_shares(pipeline, samples, 2, seed=5) == rows
