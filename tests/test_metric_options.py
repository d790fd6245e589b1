# Copyright (c) cblseg contributors. All rights reserved.
"""Options of BoundaryIoUMetric, GenerateBoundary and the CBL loss: unknown
keyword arguments are named (also through MMSeg's registries), IoUMetric's
``iou_metrics`` / ``beta`` / ``nan_to_num`` give IoUMetric's numbers, and the
per-image boundary F-score protocol in the metric."""
import numpy as np
import pytest
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import METRICS, MODELS, TRANSFORMS

import cblseg  # noqa: F401  (registers the modules)
from cblseg.datasets.transforms import GenerateBoundary
from cblseg.evaluation import BoundaryIoUMetric
from cblseg.evaluation.functional import (GSCNN_TOLERANCE_RATIOS,
                                          per_image_boundary_counts,
                                          per_image_boundary_scores)
from cblseg.models.losses import ConditionalBoundaryLoss
from helpers.metric_samples import CLASSES, evaluate, make_samples

pytestmark = pytest.mark.usefixtures('one_torch_thread')


# --------------------------------------------------------------------------
# Unknown keyword arguments
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    'registry, config, close, accepted',
    [(METRICS, dict(type='BoundaryIoUMetric', iou_metric=['mDice']),
      'iou_metrics', 'bf_tolerance_ratios'),
     (TRANSFORMS, dict(type='GenerateBoundary',
                       dilatation=0.02), 'dilation', 'ignore_index'),
     (MODELS, dict(type='ConditionalBoundaryLoss',
                   kernel_sise=3), 'kernel_size', 'reference_quirks')])
def test_unknown_argument_is_named_through_the_registry(
        registry, config, close, accepted):
    wrong = next(key for key in config if key != 'type')
    with pytest.raises(TypeError) as info:
        registry.build(config)
    message = str(info.value)
    # mmengine's build_from_cfg passes the exception on unchanged
    assert message.startswith(f"{config['type']} got unknown argument "
                              f"'{wrong}' (did you mean '{close}'?)")
    assert 'accepted: ' in message and accepted in message
    assert 'self' not in message and 'kwargs' not in message


def test_several_unknown_arguments_are_all_named():
    with pytest.raises(TypeError, match=r"arguments 'bar', 'foo'; accepted"):
        GenerateBoundary(radius=2, foo=1, bar=2)
    with pytest.raises(TypeError, match="'zzz'; accepted: loss_weight_"):
        ConditionalBoundaryLoss(zzz=1)  # nothing close: no suggestion
    with pytest.raises(
            TypeError, match="'tolerance' .did you mean "
            "'tolerances'"):
        BoundaryIoUMetric(tolerance=(1, ))


def test_known_arguments_still_build():
    # keep_results: set by tools/test.py --out (for CityscapesMetric)
    assert METRICS.build(
        dict(
            type='BoundaryIoUMetric',
            iou_metrics=['mIoU'],
            collect_dir=None,
            keep_results=True)).iou_metrics == ('mIoU', )
    assert TRANSFORMS.build(dict(type='GenerateBoundary', radius=2)).radius \
        == 2
    assert MODELS.build(dict(type='ConditionalBoundaryLoss',
                             kernel_size=3)).kernel_size == 3


# --------------------------------------------------------------------------
# iou_metrics, beta, nan_to_num as in IoUMetric
# --------------------------------------------------------------------------
@pytest.mark.parametrize('options', [
    dict(iou_metrics=['mIoU', 'mDice', 'mFscore']),
    dict(iou_metrics=['mFscore'], beta=2),
    dict(iou_metrics='mDice'),
    dict(iou_metrics=['mDice', 'mFscore'], nan_to_num=0),
])
def test_iou_metrics_equal_iou_metric(options):
    samples = make_samples(11)
    if 'nan_to_num' in options:
        for sample in samples:  # class 5 nowhere: NaN per-class values
            for key in ('pred_sem_seg', 'gt_sem_seg'):
                data = sample[key]['data']
                data[data == 5] = 4
    ours = evaluate(BoundaryIoUMetric(**options), samples)
    reference = evaluate(IoUMetric(**options), samples)
    assert set(reference) <= set(ours)
    for key, value in reference.items():
        assert ours[key] == value, key
        assert isinstance(ours[key], float)
    # mIoU and mAcc are always there; the others right after them
    keys = list(ours)
    extra = [
        key for key in keys
        if key in ('mDice', 'mFscore', 'mPrecision', 'mRecall')
    ]
    assert keys[:4 +
                len(extra)] == ['aAcc', 'microIoU', 'mIoU', 'mAcc'] + extra
    assert ('mDice' in ours) == ('mDice' in str(options))
    assert ('mRecall' in ours) == ('mFscore' in str(options))


def test_iou_metrics_in_the_per_class_table():
    metric = BoundaryIoUMetric(iou_metrics=['mDice', 'mFscore'])
    evaluate(metric, make_samples(12, count=2))
    _, per_class, _ = metric.summarize_results(metric.results, len(CLASSES))
    assert list(per_class)[:6] == [
        'IoU', 'Acc', 'Dice', 'Fscore', 'Precision', 'Recall'
    ]


@pytest.mark.parametrize('bad', [['mAP'], ['mIoU', 'miou'], 5])
def test_unknown_iou_metric_is_named(bad):
    with pytest.raises(
            ValueError,
            match=r"iou_metrics: unknown .*choose "
            r"from \['mIoU', 'mDice', 'mFscore'\]"):
        BoundaryIoUMetric(iou_metrics=bad)


# --------------------------------------------------------------------------
# bf_protocol='per_image'
# --------------------------------------------------------------------------
def test_per_image_protocol_in_the_metric():
    samples = make_samples(13, count=5)
    ratios = (0.02, 0.05)
    ours = evaluate(
        BoundaryIoUMetric(
            bf_protocol='per_image', bf_tolerance_ratios=ratios,
            cbl_biou=True), samples)
    assert list(ours) == [
        'aAcc', 'microIoU', 'mIoU', 'mAcc', 'fwIoU', 'mBIoU', 'mBF@0.02diag',
        'mBF@0.05diag', 'cblBIoU'
    ]
    # the region metrics and BIoU are those of the default protocol
    default = evaluate(BoundaryIoUMetric(cbl_biou=True), samples)
    for key in ('aAcc', 'mIoU', 'mBIoU', 'cblBIoU'):
        assert ours[key] == default[key]
    # the F-scores are the per-image functions' mean over images, then
    # over classes (the functions are checked against an independent
    # implementation in test_boundary_fscore_per_image.py)
    counts = np.stack([
        per_image_boundary_counts(s['pred_sem_seg']['data'][0].numpy(),
                                  s['gt_sem_seg']['data'][0].numpy(),
                                  len(CLASSES), ratios) for s in samples
    ])
    f_score = per_image_boundary_scores(counts)[0]
    for index, ratio in enumerate(ratios):
        expected = f_score[:, index].mean(0).mean() * 100
        assert ours[f'mBF@{ratio:g}diag'] == pytest.approx(expected, abs=0.005)


def test_per_image_protocol_independent_of_batching_and_order():
    samples = make_samples(14, count=7)
    metric = dict(bf_protocol='per_image')
    expected = evaluate(BoundaryIoUMetric(**metric), samples, 1)
    assert [key for key in expected if key.startswith('mBF')
            ] == [f'mBF@{ratio:g}diag' for ratio in GSCNN_TOLERANCE_RATIOS]
    assert evaluate(BoundaryIoUMetric(**metric), samples, 3) == expected
    shuffled = [samples[i] for i in (3, 6, 0, 5, 1, 4, 2)]
    assert evaluate(BoundaryIoUMetric(**metric), shuffled, 2) == expected


def test_protocol_options_are_checked():
    with pytest.raises(ValueError, match='bf_protocol must be one of'):
        BoundaryIoUMetric(bf_protocol='gscnn')
    with pytest.raises(ValueError, match='bf_tolerance_ratios'):
        BoundaryIoUMetric(bf_tolerance_ratios=(0.001, ))
    with pytest.raises(ValueError, match='tolerances .pixels. belong'):
        BoundaryIoUMetric(bf_protocol='per_image', tolerances=(1, ))
    with pytest.raises(ValueError, match='fractions of the image diagonal'):
        BoundaryIoUMetric(bf_protocol='per_image', bf_tolerance_ratios=(3, ))


def test_mask_cbl_loss_rejects_unknown_arguments():
    with pytest.raises(TypeError, match="'loss_weight_ce'.*accepted"):
        MODELS.build(
            dict(type='MaskConditionalBoundaryLoss', loss_weight_ce=1.0))
