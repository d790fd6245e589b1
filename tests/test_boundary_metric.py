# Copyright (c) cblseg contributors. All rights reserved.
"""BoundaryIoUMetric in MMSeg's evaluator: registry, equality of the region
metrics with MMSeg's IoUMetric, independence of batching and order, prefix,
output_dir / format_only, validation, and the summary rules."""
import math
import os.path as osp

import numpy as np
import pytest
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import METRICS
from PIL import Image

import cblseg  # noqa: F401  (registers the metric)
from cblseg.evaluation import (BoundaryIoUMetric, count_row_names,
                               summarize_counts)
from cblseg.evaluation.metrics import boundary_iou_metric
from helpers.labels import cbl_reference_pair
from helpers.metric_samples import CLASSES, evaluate, make_samples

IGNORE = 255

pytestmark = pytest.mark.usefixtures('one_torch_thread')


def test_registered_and_built_from_config():
    metric = METRICS.build(
        dict(type='BoundaryIoUMetric', radius=3, tolerances=[2, 1]))
    assert isinstance(metric, BoundaryIoUMetric)
    assert metric.radius == 3 and metric.tolerances == (1, 2)
    # IoUMetric's arguments (e.g. from a base config) are accepted
    METRICS.build(dict(type='BoundaryIoUMetric', iou_metrics=['mIoU']))


def test_summary_keys_and_region_metrics_equal_iou_metric():
    samples = make_samples(0)
    ours = evaluate(BoundaryIoUMetric(cbl_biou=True), samples)
    assert list(ours) == [
        'aAcc', 'microIoU', 'mIoU', 'mAcc', 'fwIoU', 'mBIoU', 'mBF@1px',
        'mBF@3px', 'mBF@5px', 'cblBIoU'
    ]
    reference = evaluate(IoUMetric(), samples)
    for key in ('aAcc', 'mIoU', 'mAcc'):
        assert ours[key] == reference[key], key
        assert isinstance(ours[key], float)
    # every valid pixel has a predicted class: microIoU = a / (2 - a)
    accuracy = ours['aAcc'] / 100
    assert isinstance(ours['microIoU'], float)
    assert abs(ours['microIoU'] - accuracy / (2 - accuracy) * 100) < 0.02


def test_nan_to_num_as_iou_metric():
    samples = make_samples(1)
    for sample in samples:  # class 5 appears nowhere
        for key in ('pred_sem_seg', 'gt_sem_seg'):
            data = sample[key]['data']
            data[data == 5] = 4
    ours = evaluate(BoundaryIoUMetric(nan_to_num=0), samples)
    reference = evaluate(IoUMetric(nan_to_num=0), samples)
    assert ours['mIoU'] == reference['mIoU']
    assert ours['mAcc'] == reference['mAcc']
    without = evaluate(BoundaryIoUMetric(), samples)
    assert without['mBIoU'] > ours['mBIoU']  # the absent class counts as 0


def test_independent_of_batching_and_order():
    samples = make_samples(2, count=7)
    expected = evaluate(BoundaryIoUMetric(cbl_biou=True), samples, 1)
    for batch_size in (2, 3, 7):
        assert evaluate(BoundaryIoUMetric(cbl_biou=True), samples,
                        batch_size) == expected
    shuffled = [samples[i] for i in (3, 6, 0, 5, 1, 4, 2)]
    assert evaluate(BoundaryIoUMetric(cbl_biou=True), shuffled, 3) == expected


def test_results_are_small_count_matrices():
    metric = BoundaryIoUMetric(cbl_biou=True)
    metric.dataset_meta = dict(classes=CLASSES)
    metric.process({}, make_samples(3, count=2))
    assert len(metric.results) == 2
    for result in metric.results:
        assert result['counts'].shape == (len(count_row_names()), len(CLASSES))
        assert result['counts'].dtype == np.int64
        assert result['cbl'].shape == (2, )


def test_cbl_biou_is_the_mean_of_the_reference_per_image_scores():
    samples = make_samples(4, count=5)
    ours = evaluate(BoundaryIoUMetric(cbl_biou=True), samples)
    scores = []
    for sample in samples:
        gt = sample['gt_sem_seg']['data'][0].numpy().astype(np.uint8)
        pred = sample['pred_sem_seg']['data'][0].numpy().astype(np.uint8)
        radius = max(1, round(0.02 * math.hypot(*gt.shape)))
        i, u = cbl_reference_pair(pred, gt, radius)
        scores.append((i + 1e-5) / (u + 1e-5))
    assert ours['cblBIoU'] == round(float(np.mean(scores)) * 100, 2)


def test_prefix():
    result = evaluate(BoundaryIoUMetric(prefix='val'), make_samples(5, 2))
    assert 'val/mIoU' in result and 'val/mBF@3px' in result


def test_radius_options():
    samples = make_samples(6, count=3)
    fixed = evaluate(BoundaryIoUMetric(radius=3), samples)  # default: 1
    default = evaluate(BoundaryIoUMetric(), samples)
    explicit = evaluate(BoundaryIoUMetric(dilation=0.02), samples)
    assert default == explicit and fixed != default
    assert fixed['mIoU'] == default['mIoU']
    with pytest.raises(ValueError, match='either'):
        BoundaryIoUMetric(dilation=0.02, radius=2)
    with pytest.raises(ValueError, match='radius'):
        BoundaryIoUMetric(radius=0)
    with pytest.raises(ValueError, match='dilation'):
        BoundaryIoUMetric(dilation=-1)
    with pytest.raises(ValueError, match='tolerances'):
        BoundaryIoUMetric(tolerances=[1.5])
    no_bf = evaluate(BoundaryIoUMetric(tolerances=()), samples)
    assert not any(key.startswith('mBF') for key in no_bf)


def test_table_has_dataset_class_names(monkeypatch):
    logged = []
    monkeypatch.setattr(
        boundary_iou_metric,
        'print_log',
        lambda msg, logger=None: logged.append(msg))
    evaluate(BoundaryIoUMetric(), make_samples(7, 2))
    table = logged[-1]
    for name in CLASSES:
        assert name in table
    for column in ('IoU', 'Acc', 'BIoU', 'BF@1px', 'BF@3px', 'BF@5px'):
        assert column in table


def test_errors_name_the_image():
    samples = make_samples(8, count=2)
    samples[1]['gt_sem_seg']['data'][0, 3, 4] = 17
    with pytest.raises(ValueError, match=r'img_8_1\.png.*\[17\]'):
        evaluate(BoundaryIoUMetric(), samples)
    samples = make_samples(8, count=2)
    samples[0]['pred_sem_seg']['data'] = samples[0]['pred_sem_seg'][
        'data'][:, :, :-1]
    with pytest.raises(ValueError, match=r'img_8_0\.png.*shape'):
        evaluate(BoundaryIoUMetric(), samples)


def test_output_dir_and_format_only(tmp_path):
    samples = make_samples(9, count=2)
    samples[1]['reduce_zero_label'] = True
    out = tmp_path / 'preds'
    result = evaluate(BoundaryIoUMetric(output_dir=str(out)), samples)
    assert 'mBIoU' in result
    for index, sample in enumerate(samples):
        saved = np.array(Image.open(out / f'img_9_{index}.png'))
        expected = sample['pred_sem_seg']['data'][0].numpy() + index
        np.testing.assert_array_equal(saved, expected)
    formatted = tmp_path / 'format_only'
    for sample in samples:
        del sample['gt_sem_seg']
    assert evaluate(
        BoundaryIoUMetric(output_dir=str(formatted), format_only=True),
        samples) == {}
    assert osp.exists(formatted / 'img_9_0.png')


# --------------------------------------------------------------------------
# Summary rules on hand-made counts
# --------------------------------------------------------------------------
def hand_counts(tolerances=(1, )):
    """Four classes:
    0: perfect; 1: predicted contour only, never in the ground truth;
    2: absent everywhere; 3: half of the contours matched."""
    rows = dict.fromkeys(count_row_names(tolerances))
    rows['area_gt'] = [60, 0, 0, 40]
    rows['area_pred'] = [60, 10, 0, 30]
    rows['intersect'] = [60, 0, 0, 30]
    rows['band_gt'] = [20, 0, 0, 10]
    rows['band_pred'] = [20, 5, 0, 10]
    rows['band_intersect'] = [20, 0, 0, 5]
    rows['contour_gt'] = [8, 0, 0, 4]
    rows['contour_pred'] = [8, 3, 0, 4]
    rows['contour_pred_matched@1'] = [8, 0, 0, 2]
    rows['contour_gt_matched@1'] = [8, 0, 0, 2]
    return np.array([rows[name] for name in count_row_names(tolerances)])


def test_summary_rules():
    summary, per_class = summarize_counts(hand_counts(), (1, ))
    np.testing.assert_allclose(per_class['BIoU'], [1, 0, np.nan, 5 / 15])
    np.testing.assert_allclose(per_class['BF@1px'], [1, 0, np.nan, 0.5])
    np.testing.assert_allclose(per_class['BP@1px'], [1, 0, np.nan, 0.5])
    np.testing.assert_allclose(per_class['BR@1px'], [1, np.nan, np.nan, 0.5])
    assert summary['mBIoU'] == round((1 + 0 + 1 / 3) / 3 * 100, 2)
    assert summary['mBF@1px'] == 50.0
    # IoU: [1, 0, nan, 30/40]; fwIoU weights by ground-truth frequency
    assert summary['mIoU'] == round((1 + 0 + 0.75) / 3 * 100, 2)
    assert summary['fwIoU'] == round((0.6 * 1 + 0.4 * 0.75) * 100, 2)
    assert summary['aAcc'] == 90.0
    # micro IoU: (60 + 30) / (60 + 10 + 40), class 1's false positives in
    # the union
    assert summary['microIoU'] == round(90 / 110 * 100, 2)
    summary, _ = summarize_counts(hand_counts(), (1, ), nan_to_num=0)
    assert summary['mBIoU'] == round((1 + 1 / 3) / 4 * 100, 2)
    with pytest.raises(ValueError, match='counts'):
        summarize_counts(hand_counts(), (1, 3))


def test_summary_of_nothing_is_nan():
    counts = np.zeros((len(count_row_names()), 3), dtype=np.int64)
    summary, _ = summarize_counts(counts)
    assert all(math.isnan(value) for value in summary.values())
