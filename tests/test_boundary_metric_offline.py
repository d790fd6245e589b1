# Copyright (c) cblseg contributors. All rights reserved.
"""Offline evaluation of prediction folders (tools/eval_boundary.py and
cblseg.evaluation.offline), checked against the official cityscapesScripts
evaluation and against BoundaryIoUMetric."""
import glob
import importlib.util
import json
import math
import os
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image

from cblseg.datasets.cityscapes_labels import CITYSCAPES_LABELS
from cblseg.datasets.voc_labels import voc_palette_bytes
from cblseg.evaluation import BoundaryIoUMetric
from cblseg.evaluation.offline import (evaluate_folders, find_pairs,
                                       read_index_png)
from helpers import REPO_ROOT

IGNORE = 255

pytestmark = pytest.mark.usefixtures('one_torch_thread')


def train_id_to_label_id_lut():
    lut = np.zeros(256, dtype=np.uint8)  # everything else: 'unlabeled'
    for label in CITYSCAPES_LABELS:
        if 0 <= label.trainId < 255 and label.id >= 0:
            lut[label.trainId] = label.id
    return lut


def fake_prediction(train_ids: np.ndarray, seed: int) -> np.ndarray:
    """A prediction from the ground truth: shifted, ignore filled, blobs."""
    rng = np.random.default_rng(seed)
    pred = np.roll(
        train_ids, (int(rng.integers(-3, 4)), int(rng.integers(-3, 4))),
        axis=(0, 1))
    pred = np.where(pred == IGNORE, rng.integers(19), pred)
    for _ in range(4):
        y, x = rng.integers(0, pred.shape[0] - 8), rng.integers(
            0, pred.shape[1] - 8)
        pred[y:y + 8, x:x + 8] = rng.integers(19)
    return pred.astype(np.uint8)


@pytest.fixture(scope='module')
def prediction_folders(synthetic_cityscapes_root, tmp_path_factory):
    """Cityscapes-layout predictions for the synthetic val split: trainIds as
    MMSeg's output_dir writes them, and labelIds for cityscapesScripts."""
    root = tmp_path_factory.mktemp('cs_predictions')
    train_dir, label_dir = root / 'train_ids', root / 'label_ids'
    train_dir.mkdir()
    label_dir.mkdir()
    gt_files = sorted(
        glob.glob(
            osp.join(synthetic_cityscapes_root, 'gtFine', 'val', '*',
                     '*_gtFine_labelTrainIds.png')))
    assert gt_files
    lut = train_id_to_label_id_lut()
    for index, gt_file in enumerate(gt_files):
        stem = osp.basename(gt_file)[:-len('_gtFine_labelTrainIds.png')]
        pred = fake_prediction(np.array(Image.open(gt_file)), index)
        Image.fromarray(pred).save(train_dir / f'{stem}_leftImg8bit.png')
        Image.fromarray(lut[pred]).save(label_dir / f'{stem}_leftImg8bit.png')
    return dict(
        gt_dir=osp.join(synthetic_cityscapes_root, 'gtFine', 'val'),
        train_ids=str(train_dir),
        label_ids=str(label_dir),
        gt_files=gt_files)


def cityscapes_scripts_scores(prediction_folders, tmp_path):
    """Class IoUs and their average from cityscapesScripts'
    evalPixelLevelSemanticLabeling on labelIds."""
    from cityscapesscripts.evaluation import \
        evalPixelLevelSemanticLabeling as cs_eval
    predictions, ground_truth = [], []
    for gt_file in prediction_folders['gt_files']:
        label_ids = gt_file.replace('_labelTrainIds', '_labelIds')
        ids = np.array(Image.open(label_ids))
        # The synthetic data store the license plate (id -1, ignoreInEval)
        # as 255, which the script's table does not list; give it the
        # 'unlabeled' id, also ignoreInEval: the same pixels are ignored.
        ids[ids == 255] = 0
        copy = tmp_path / osp.basename(label_ids)
        Image.fromarray(ids).save(copy)
        stem = osp.basename(gt_file)[:-len('_gtFine_labelTrainIds.png')]
        predictions.append(
            osp.join(prediction_folders['label_ids'],
                     f'{stem}_leftImg8bit.png'))
        ground_truth.append(str(copy))
    args = cs_eval.args
    args.evalInstLevelScore = False
    args.JSONOutput = False
    args.quiet = True
    result = cs_eval.evaluateImgLists(predictions, ground_truth, args)
    return result['classScores'], result['averageScoreClasses']


def test_miou_equals_cityscapes_scripts(prediction_folders, tmp_path):
    report = evaluate_folders(
        prediction_folders['train_ids'],
        prediction_folders['gt_dir'],
        dataset='cityscapes',
        progress=False)
    assert report['num_images'] == len(prediction_folders['gt_files'])
    assert not report['unmatched_predictions'] and not report['failed']
    class_scores, average = cityscapes_scripts_scores(prediction_folders,
                                                      tmp_path)
    for name, values in report['per_class'].items():
        official = class_scores[name]
        if math.isnan(official):
            assert values['IoU'] is None, name
        else:
            assert values['IoU'] == pytest.approx(official, abs=1e-6), name
    assert report['summary']['mIoU'] == round(average * 100, 2)


def test_offline_equals_the_metric(prediction_folders):
    """The same pairs through BoundaryIoUMetric give the same summary."""
    report = evaluate_folders(
        prediction_folders['train_ids'],
        prediction_folders['gt_dir'],
        dataset='cityscapes',
        cbl_biou=True,
        progress=False)
    metric = BoundaryIoUMetric(cbl_biou=True)
    metric.dataset_meta = dict(classes=report['settings']['classes'])
    samples = []
    for key, pred_path, gt_path in find_pairs(
            prediction_folders['train_ids'], prediction_folders['gt_dir'],
            '_leftImg8bit.png', '_gtFine_labelTrainIds.png').pairs:
        samples.append(
            dict(
                img_path=pred_path,
                pred_sem_seg=dict(
                    data=torch.from_numpy(read_index_png(pred_path)).long()
                    [None]),
                gt_sem_seg=dict(
                    data=torch.from_numpy(read_index_png(gt_path)).long()
                    [None])))
    metric.process({}, samples)
    assert metric.evaluate(len(samples)) == report['summary']


def metric_samples(prediction_folders):
    """The prediction / ground-truth pairs as MMSeg data samples."""
    samples = []
    for key, pred_path, gt_path in find_pairs(
            prediction_folders['train_ids'], prediction_folders['gt_dir'],
            '_leftImg8bit.png', '_gtFine_labelTrainIds.png').pairs:
        samples.append(
            dict(
                img_path=pred_path,
                pred_sem_seg=dict(
                    data=torch.from_numpy(read_index_png(pred_path)).long()
                    [None]),
                gt_sem_seg=dict(
                    data=torch.from_numpy(read_index_png(gt_path)).long()
                    [None])))
    return samples


def test_per_image_protocol_cli_equals_the_metric(prediction_folders,
                                                  tmp_path):
    """--bf-protocol per_image with 2 workers gives the metric's numbers
    (per-image F-scores averaged with exact sums: worker order does not
    matter); the counts protocol's pixel tolerances are refused with it."""
    cli = load_cli()
    out = tmp_path / 'r.json'
    status = cli.main([
        '--pred-dir', prediction_folders['train_ids'], '--gt-dir',
        prediction_folders['gt_dir'], '--dataset', 'cityscapes',
        '--bf-protocol', 'per_image', '--bf-tolerance-ratios', '0.03', '0.01',
        '--nproc', '2', '--out',
        str(out), '--no-progress'
    ])
    assert status == 0
    report = json.loads(out.read_text())
    assert [key for key in report['summary']
            if 'BF' in key] == ['mBF@0.01diag', 'mBF@0.03diag']
    assert report['settings']['bf_protocol'] == 'per_image'
    assert report['settings']['bf_tolerance_ratios'] == [0.01, 0.03]
    assert set(report['per_class']['road']) >= {
        'BF@0.01diag', 'BP@0.01diag', 'BR@0.03diag'
    }
    metric = BoundaryIoUMetric(
        bf_protocol='per_image', bf_tolerance_ratios=(0.01, 0.03))
    metric.dataset_meta = dict(classes=report['settings']['classes'])
    samples = metric_samples(prediction_folders)
    metric.process({}, samples)
    expected = metric.evaluate(len(samples))
    assert report['summary'] == {
        key: None if value != value else value
        for key, value in expected.items()
    }
    status = cli.main([
        '--pred-dir', prediction_folders['train_ids'], '--gt-dir',
        prediction_folders['gt_dir'], '--dataset', 'cityscapes',
        '--bf-protocol', 'per_image', '--tolerance', '1', '--out',
        str(out), '--no-progress'
    ])
    assert status == 2


def load_cli():
    spec = importlib.util.spec_from_file_location(
        'eval_boundary_cli', osp.join(REPO_ROOT, 'tools', 'eval_boundary.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def messy_folder(prediction_folders, tmp_path):
    """The predictions plus an unmatched, an unreadable, a 3-channel and a
    wrong-size file."""
    pred_dir = tmp_path / 'preds'
    pred_dir.mkdir()
    for path in glob.glob(osp.join(prediction_folders['train_ids'], '*')):
        os.symlink(path, pred_dir / osp.basename(path))
    stems = sorted(
        osp.basename(path)[:-len('_leftImg8bit.png')]
        for path in glob.glob(str(pred_dir / '*_leftImg8bit.png')))
    victim_rgb, victim_size = stems[0], stems[1]
    os.remove(pred_dir / f'{victim_rgb}_leftImg8bit.png')
    os.remove(pred_dir / f'{victim_size}_leftImg8bit.png')
    Image.fromarray(np.zeros(
        (64, 128, 3),
        np.uint8)).save(pred_dir / f'{victim_rgb}_leftImg8bit.png')
    Image.fromarray(np.zeros(
        (10, 10), np.uint8)).save(pred_dir / f'{victim_size}_leftImg8bit.png')
    (pred_dir /
     'nowhere_000000_000019_leftImg8bit.png').write_bytes(b'not a png')
    return str(pred_dir), victim_rgb, victim_size


def test_cli_lists_problems_and_writes_json(messy_folder, prediction_folders,
                                            tmp_path, capsys):
    pred_dir, victim_rgb, victim_size = messy_folder
    out = tmp_path / 'report.json'
    status = load_cli().main([
        '--pred-dir', pred_dir, '--gt-dir', prediction_folders['gt_dir'],
        '--dataset', 'cityscapes', '--nproc', '2', '--out',
        str(out)
    ])
    assert status == 0
    text = capsys.readouterr().out
    assert 'mBIoU' in text and 'BF@3px' in text and 'road' in text
    assert 'predictions without ground truth (1)' in text
    assert 'nowhere_000000_000019_leftImg8bit.png' in text
    assert 'unreadable or invalid (left out) (2)' in text
    assert 'expected an index PNG' in text and 'shape' in text
    report = json.loads(out.read_text())
    total = len(prediction_folders['gt_files'])
    assert report['num_images'] == total - 2
    assert len(report['unmatched_ground_truth']) == 0
    assert {victim_rgb, victim_size} == {
        osp.basename(item['file'])[:-len('_leftImg8bit.png')]
        for item in report['failed']
    }
    assert set(report['summary']) >= {
        'aAcc', 'mIoU', 'mAcc', 'fwIoU', 'mBIoU', 'mBF@1px', 'mBF@3px',
        'mBF@5px'
    }
    assert report['settings']['distance'] == 'chebyshev'
    # the same numbers in-process with one worker
    again = evaluate_folders(
        pred_dir,
        prediction_folders['gt_dir'],
        dataset='cityscapes',
        nproc=1,
        progress=False)
    assert again['counts'] == report['counts']
    assert again['summary'] == report['summary']


def test_cli_exit_status_when_nothing_matches(prediction_folders, tmp_path,
                                              capsys):
    cli = load_cli()
    status = cli.main([
        '--pred-dir', prediction_folders['train_ids'], '--gt-dir',
        prediction_folders['gt_dir'], '--num-classes', '19', '--gt-suffix',
        '_nothing.png', '--out',
        str(tmp_path / 'r.json'), '--no-progress'
    ])
    assert status == 1
    assert 'no pair' in capsys.readouterr().err
    status = cli.main([
        '--pred-dir',
        str(tmp_path / 'missing'), '--gt-dir', prediction_folders['gt_dir'],
        '--num-classes', '19'
    ])
    assert status == 2


def test_cli_options(prediction_folders, tmp_path):
    """--num-classes, suffixes, --radius, --tolerance, --cbl-biou."""
    cli = load_cli()
    out = tmp_path / 'r.json'
    status = cli.main([
        '--pred-dir', prediction_folders['train_ids'], '--gt-dir',
        prediction_folders['gt_dir'], '--num-classes', '19', '--pred-suffix',
        '_leftImg8bit.png', '--gt-suffix', '_gtFine_labelTrainIds.png',
        '--radius', '2', '--tolerance', '0', '2', '--cbl-biou', '--out',
        str(out), '--no-progress'
    ])
    assert status == 0
    report = json.loads(out.read_text())
    assert list(report['summary'])[-3:] == ['mBF@0px', 'mBF@2px', 'cblBIoU']
    assert report['settings']['radius'] == 2
    assert list(report['per_class']) == [str(i) for i in range(19)]


def test_voc_palette_pngs(tmp_path):
    """VOC ground truth is a palette PNG: its indices are the labels."""
    rng = np.random.default_rng(0)
    (tmp_path / 'gt').mkdir()
    (tmp_path / 'pred').mkdir()
    label = rng.integers(0, 21, size=(20, 30)).astype(np.uint8)
    label[:3] = IGNORE
    image = Image.fromarray(label)
    image.putpalette(voc_palette_bytes())
    image.save(tmp_path / 'gt' / '2007_000001.png')
    Image.fromarray(np.where(label == IGNORE, 0, label).astype(np.uint8)).save(
        tmp_path / 'pred' / '2007_000001.png')
    assert read_index_png(str(tmp_path / 'gt' / '2007_000001.png')).max() \
        == IGNORE
    report = evaluate_folders(
        str(tmp_path / 'pred'),
        str(tmp_path / 'gt'),
        dataset='voc',
        progress=False)
    assert report['num_images'] == 1
    assert report['summary']['mIoU'] == 100.0
    assert report['summary']['mBIoU'] == 100.0
    assert report['per_class']['aeroplane']['BF@1px'] == 1.0


def _ade20k_folders(root, num_images=3, shape=(23, 31)):
    """ADE20K-layout annotation files (0 = other, 1..150) and predictions
    as BoundaryIoUMetric's output_dir (tools/test.py --out) writes them
    for a reduce_zero_label dataset (0-based prediction + 1). Returns the
    folders, the metric's own summary (ground truth reduced by MMSeg's
    LoadAnnotations) and the 0-based data."""
    from mmseg.datasets import ADE20KDataset
    from mmseg.datasets.transforms import LoadAnnotations
    gt_dir, pred_dir = root / 'annotations', root / 'preds'
    gt_dir.mkdir()
    pred_dir.mkdir()
    rng = np.random.default_rng(3)
    classes = ADE20KDataset.METAINFO['classes']
    metric = BoundaryIoUMetric(output_dir=str(pred_dir))
    metric.dataset_meta = dict(classes=classes)
    samples, reduced = [], []
    for index in range(num_images):
        stem = f'ADE_val_{index:08d}'
        label = rng.choice([0, 1, 3, 150], size=shape).astype(np.uint8)
        label[:4, :5] = 0  # "other": ignored after the reduction
        Image.fromarray(label).save(gt_dir / f'{stem}.png')
        gt = LoadAnnotations()(dict(
            seg_map_path=str(gt_dir / f'{stem}.png'),
            reduce_zero_label=True,
            seg_fields=[]))['gt_seg_map']
        assert gt[0, 0] == IGNORE and gt.max() == IGNORE
        pred = np.roll(np.where(gt == IGNORE, 2, gt), 1, axis=1)
        pred[-3:, -3:] = 149
        reduced.append((stem, gt, pred.astype(np.uint8)))
        samples.append(
            dict(
                img_path=f'images/{stem}.jpg',
                reduce_zero_label=True,
                pred_sem_seg=dict(data=torch.from_numpy(pred).long()[None]),
                gt_sem_seg=dict(data=torch.from_numpy(gt).long()[None])))
    metric.process({}, samples)
    expected = metric.evaluate(len(samples))
    return str(gt_dir), str(pred_dir), expected, reduced


def _nan_as_none(summary):
    return {
        key: None if value != value else value
        for key, value in summary.items()
    }


def test_ade20k_preset_equals_the_metric(tmp_path):
    """--dataset ade20k: the annotation files and what tools/test.py --out
    writes (both 1..150) are reduced as MMSeg does (0 -> 255, v -> v - 1)
    and score as BoundaryIoUMetric scored them during the test run."""
    gt_dir, pred_dir, expected, reduced = _ade20k_folders(tmp_path)
    assert read_index_png(osp.join(pred_dir, 'ADE_val_00000000.png')).min() \
        >= 1  # the metric wrote the files' values
    report = evaluate_folders(
        pred_dir, gt_dir, dataset='ade20k', progress=False)
    assert report['num_images'] == 3 and not report['failed']
    assert report['settings']['reduce_zero_label'] is True
    assert len(report['settings']['classes']) == 150
    assert report['settings']['classes'][0] == 'wall'
    assert _nan_as_none(report['summary']) == _nan_as_none(expected)

    # 0-based files: switch the reduction off (CLI flag)
    zero_gt, zero_pred = tmp_path / 'gt0', tmp_path / 'pred0'
    zero_gt.mkdir()
    zero_pred.mkdir()
    for stem, gt, pred in reduced:
        Image.fromarray(gt).save(zero_gt / f'{stem}.png')
        Image.fromarray(pred).save(zero_pred / f'{stem}.png')
    out = tmp_path / 'r.json'
    status = load_cli().main([
        '--pred-dir',
        str(zero_pred), '--gt-dir',
        str(zero_gt), '--dataset', 'ade20k', '--no-reduce-zero-label', '--out',
        str(out), '--no-progress'
    ])
    assert status == 0
    report = json.loads(out.read_text())
    assert report['settings']['reduce_zero_label'] is False
    assert report['summary'] == _nan_as_none(expected)

    # 0-based predictions with the reduction on: 0 would turn into the
    # ignore index silently, so the file is reported instead
    report = evaluate_folders(
        str(zero_pred), gt_dir, dataset='ade20k', progress=False)
    assert report['num_images'] == 0
    assert len(report['failed']) == 3
    assert 'holds 0' in report['failed'][0]['error']
    assert '--no-reduce-zero-label' in report['failed'][0]['error']


@pytest.mark.parametrize('dataset,num_classes,reduce,first', [
    ('cityscapes', 19, False, 'road'),
    ('voc', 21, False, 'background'),
    ('ade20k', 150, True, 'wall'),
    ('pascal_context', 60, False, 'background'),
    ('pascal_context_59', 59, True, 'aeroplane'),
])
def test_dataset_presets_take_mmseg_metainfo(dataset, num_classes, reduce,
                                             first):
    import mmseg.datasets

    from cblseg.datasets.dataset_meta import DATASET_TYPES
    from cblseg.evaluation.offline import DATASET_PRESETS, dataset_preset
    preset = dataset_preset(dataset)
    cls = getattr(mmseg.datasets, DATASET_TYPES[dataset])
    assert preset['classes'] == tuple(cls.METAINFO['classes'])
    assert len(preset['classes']) == num_classes
    assert preset['classes'][0] == first
    assert preset['reduce_zero_label'] is reduce
    assert set(DATASET_PRESETS) == set(DATASET_TYPES)


def test_pascal_context_59_preset_reduces(tmp_path):
    """Pascal Context 59: background (0) is ignored, v is class v - 1."""
    from mmseg.datasets import PascalContextDataset59
    names = PascalContextDataset59.METAINFO['classes']
    (tmp_path / 'gt').mkdir()
    (tmp_path / 'pred').mkdir()
    label = np.zeros((12, 16), np.uint8)  # background
    label[:, 8:] = 5  # class 4
    label[6:, :8] = 59  # class 58, the last
    Image.fromarray(label).save(tmp_path / 'gt' / '2008_000002.png')
    pred = label.copy()
    pred[label == 0] = 1  # any class on background: not scored
    Image.fromarray(pred).save(tmp_path / 'pred' / '2008_000002.png')
    report = evaluate_folders(
        str(tmp_path / 'pred'),
        str(tmp_path / 'gt'),
        dataset='pascal_context_59',
        progress=False)
    assert report['num_images'] == 1
    assert report['summary']['aAcc'] == 100.0
    assert report['summary']['mIoU'] == 100.0
    iou = {
        name: values['IoU']
        for name, values in report['per_class'].items()
        if values['IoU'] is not None
    }
    assert iou == {names[4]: 1.0, names[58]: 1.0}
    # without the reduction, 0 is the class "background" of the 60 classes
    report = evaluate_folders(
        str(tmp_path / 'pred'),
        str(tmp_path / 'gt'),
        dataset='pascal_context',
        progress=False)
    assert report['settings']['reduce_zero_label'] is False
    assert report['per_class']['background']['IoU'] == 0.0
