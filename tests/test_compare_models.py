# Copyright (c) cblseg contributors. All rights reserved.
"""tools/analysis/compare_models.py: the picture row (pure function), the
tool end to end on two tiny models (table, JSON, pictures, equality with
tools/test.py), and its errors."""
import contextlib
import io
import json
import os.path as osp
import re
import runpy

import numpy as np
import pytest
import torch
from PIL import Image

from cblseg.visualization import colorize_label
from cblseg.visualization.comparison_grid import (
    ERROR_COLOR, GAP, HEADER_HEIGHT, IGNORED_DIM, TITLE_HEIGHT,
    boundary_error_mask, comparison_row_size, compose_comparison_row,
    gt_boundary_band)
from helpers import DEMO_BASELINE_CONFIG, REPO_ROOT

TOOL = osp.join(REPO_ROOT, 'tools/analysis/compare_models.py')
CBL_CONFIG = osp.join(
    REPO_ROOT,
    'configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
PALETTE = [[128, 64, 128], [70, 70, 70], [107, 142, 35], [0, 0, 142]]
IGNORE = 255
TABLE = [
    'aAcc', 'microIoU', 'mIoU', 'fwIoU', 'mBIoU', 'mBF@1px', 'mBF@3px',
    'mBF@5px'
]

pytestmark = pytest.mark.usefixtures('one_torch_thread')


def load_tool():
    return runpy.run_path(TOOL, run_name='compare_models')


# --------------------------------------------------------------------------
# The picture row
# --------------------------------------------------------------------------
def naive_band(gt, radius, ignore_index=IGNORE):
    """Bg straight from the definition in docs/metrics.md."""
    height, width = gt.shape
    band = np.zeros(gt.shape, dtype=bool)
    for y in range(height):
        for x in range(width):
            if gt[y, x] == ignore_index:
                continue
            for dy in range(-radius, radius + 1):
                for dx in range(-radius, radius + 1):
                    qy, qx = y + dy, x + dx
                    if not (0 <= qy < height and 0 <= qx < width):
                        band[y, x] = True
                    elif gt[qy, qx] not in (ignore_index, gt[y, x]):
                        band[y, x] = True
    return band


def scene(height=24, width=30, seed=0):
    """Blocks of 4 classes, an ignored strip, and two predictions."""
    rng = np.random.default_rng(seed)
    gt = np.zeros((height, width), dtype=np.uint8)
    gt[:, width // 3:] = 1
    gt[height // 2:, width // 2:] = 2
    gt[2:height // 3, 2:width // 4] = 3
    gt[:, -3:] = IGNORE
    first = gt.copy()
    first[first == IGNORE] = 1
    first[height // 2 - 1:height // 2 + 1, :] = 2  # a shifted boundary
    second = rng.integers(0, len(PALETTE), gt.shape).astype(np.uint8)
    image = rng.integers(0, 256, gt.shape + (3, ), dtype=np.uint8)
    return image, gt, [first, second]


def tile(row, column, shape):
    """The pixels of tile ``column`` (0 = image) of a row."""
    height, width = shape
    top = HEADER_HEIGHT + TITLE_HEIGHT
    left = column * (width + GAP)
    return row[top:top + height, left:left + width]


def is_error_color(pixels):
    return np.all(pixels == np.array(ERROR_COLOR, dtype=np.uint8), axis=-1)


def test_row_tiles_and_highlight():
    image, gt, preds = scene()
    radius = 2
    row = compose_comparison_row(
        image,
        gt,
        preds, ['first', 'second'],
        PALETTE,
        IGNORE,
        radius,
        title='scene')
    assert row.dtype == np.uint8 and row.ndim == 3
    assert row.shape[:2] == comparison_row_size(*gt.shape, 2)
    assert row.shape[:2] == (HEADER_HEIGHT + TITLE_HEIGHT + gt.shape[0],
                             4 * gt.shape[1] + 3 * GAP)
    np.testing.assert_array_equal(tile(row, 0, gt.shape), image)
    np.testing.assert_array_equal(
        tile(row, 1, gt.shape), colorize_label(gt, PALETTE, IGNORE))
    band = naive_band(gt, radius)
    np.testing.assert_array_equal(gt_boundary_band(gt, radius), band)
    valid = gt != IGNORE
    for column, pred in enumerate(preds, start=2):
        pixels = tile(row, column, gt.shape)
        errors = boundary_error_mask(gt, pred, radius)
        np.testing.assert_array_equal(errors, band & (pred != gt))
        assert errors.any()
        np.testing.assert_array_equal(is_error_color(pixels), errors)
        colored = colorize_label(pred, PALETTE, IGNORE)
        plain = valid & ~errors
        np.testing.assert_array_equal(pixels[plain], colored[plain])
        dimmed = (colored[~valid].astype(np.float32) * IGNORED_DIM).astype(
            np.uint8)
        np.testing.assert_array_equal(pixels[~valid], dimmed)
    # errors in the interior of a region, far from every boundary, are not
    # boundary errors
    far = ~band & valid & (preds[1] != gt)
    assert far.any()
    assert not is_error_color(tile(row, 3, gt.shape))[far].any()


def test_all_ignored_ground_truth_has_no_band():
    image, _, preds = scene(9, 11)
    gt = np.full((9, 11), IGNORE, dtype=np.uint8)
    row = compose_comparison_row(image, gt, preds, ['a', 'b'], PALETTE, IGNORE,
                                 3)
    assert row.shape[:2] == comparison_row_size(9, 11, 2)
    assert not gt_boundary_band(gt, 3).any()
    for column in (2, 3):
        assert not is_error_color(tile(row, column, gt.shape)).any()
    np.testing.assert_array_equal(
        tile(row, 1, gt.shape), np.zeros((9, 11, 3), np.uint8))


def test_perfect_prediction_has_no_highlight():
    image, gt, _ = scene()
    row = compose_comparison_row(image, gt, [gt.copy()], ['perfect'], PALETTE,
                                 IGNORE, 4)
    assert gt_boundary_band(gt, 4).any()
    assert not is_error_color(tile(row, 2, gt.shape)).any()


def test_one_pixel_image():
    image = np.full((1, 1, 3), 7, dtype=np.uint8)
    gt = np.array([[1]], dtype=np.uint8)
    row = compose_comparison_row(
        image, gt, [np.array([[1]]), np.array([[2]])], ['right', 'wrong'],
        PALETTE, IGNORE, 1)
    assert row.shape == (HEADER_HEIGHT + TITLE_HEIGHT + 1, 4 + 3 * GAP, 3)
    # the only pixel touches the border: it is in the band
    assert not is_error_color(tile(row, 2, (1, 1))).any()
    assert is_error_color(tile(row, 3, (1, 1))).all()


@pytest.mark.parametrize('shape', [(3, 5), (7, 2), (1, 9), (13, 1)])
def test_odd_sizes(shape):
    rng = np.random.default_rng(sum(shape))
    gt = rng.integers(0, 4, shape).astype(np.int64)
    gt[0, 0] = IGNORE
    pred = rng.integers(0, 4, shape)
    image = rng.integers(0, 256, shape, dtype=np.uint8)  # grey
    row = compose_comparison_row(image, gt, [pred], ['m'], PALETTE, IGNORE, 2)
    assert row.shape[:2] == comparison_row_size(*shape, 1)
    np.testing.assert_array_equal(
        is_error_color(tile(row, 2, shape)),
        naive_band(gt, 2) & (pred != gt))


def test_ignore_index_that_is_a_class():
    # ignore_index 0 is also class 0: ground truth 0 is ignored, a
    # predicted 0 is class 0 (as in IoUMetric)
    gt = np.array([[0, 1, 1], [2, 2, 1]], dtype=np.uint8)
    pred = np.array([[0, 0, 1], [2, 1, 1]], dtype=np.uint8)
    row = compose_comparison_row(
        np.zeros((2, 3, 3), np.uint8), gt, [pred], ['m'], PALETTE, 0, 1)
    expected = (gt != 0) & (pred != gt)
    np.testing.assert_array_equal(
        is_error_color(tile(row, 2, (2, 3))), expected)


def test_row_rejects_bad_input():
    image, gt, preds = scene()
    with pytest.raises(ValueError, match='same height and width'):
        compose_comparison_row(image[:5], gt, preds, ['a', 'b'], PALETTE)
    with pytest.raises(ValueError, match=r'prediction 1 \(\'b\'\) has shape'):
        compose_comparison_row(image, gt, [preds[0], preds[1][:4]], ['a', 'b'],
                               PALETTE)
    with pytest.raises(ValueError, match='2 predictions but 1 names'):
        compose_comparison_row(image, gt, preds, ['a'], PALETTE)
    with pytest.raises(ValueError, match='at least one prediction'):
        compose_comparison_row(image, gt, [], [], PALETTE)
    bad = preds[0].copy()
    bad[0, 0] = 9
    with pytest.raises(ValueError, match=r"'a'.*\[9\].*\[0, 4\)"):
        compose_comparison_row(image, gt, [bad], ['a'], PALETTE)
    with pytest.raises(ValueError, match=r'ground truth contains .*\[9\]'):
        compose_comparison_row(image, bad, [gt], ['a'], PALETTE)
    with pytest.raises(ValueError, match='radius'):
        compose_comparison_row(image, gt, preds, ['a', 'b'], PALETTE, 255, 0)
    with pytest.raises(ValueError, match='uint8 RGB'):
        compose_comparison_row(
            image.astype(np.float32), gt, preds, ['a', 'b'], PALETTE)


# --------------------------------------------------------------------------
# The tool on two tiny models
# --------------------------------------------------------------------------
def _data_options(data_root):
    return [
        f'test_dataloader.dataset.data_root={data_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
    ]


def _save_model(config, seed, path, num_classes=None):
    """The model of ``config`` with its seeded initial weights (as the
    Runner initialises them): varied predictions without training time."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    from cblseg.utils import load_config
    init_default_scope('mmseg')
    cfg = load_config(config)
    if num_classes is not None:
        for head in cfg.model.decode_head:
            head.num_classes = num_classes
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


@pytest.fixture(scope='module')
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp('compare_ckpts')
    return dict(
        baseline=_save_model(DEMO_BASELINE_CONFIG, 0,
                             str(root / 'baseline.pth')),
        cbl=_save_model(CBL_CONFIG, 1, str(root / 'cbl.pth')))


@pytest.fixture(scope='module')
def comparison(checkpoints, synthetic_cityscapes_root, tmp_path_factory):
    """The tool's main() with a command line as users give it (in this
    process: a subprocess would spend its time importing MMSeg again)."""
    out_dir = str(tmp_path_factory.mktemp('comparison'))
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        load_tool()['main']([
            DEMO_BASELINE_CONFIG, checkpoints['baseline'], CBL_CONFIG,
            checkpoints['cbl'], '--out-dir', out_dir, '--names', 'baseline',
            'cbl | boundary', '--num-pictures', '2', '--no-progress',
            '--cfg-options'
        ] + _data_options(synthetic_cityscapes_root))
    with open(osp.join(out_dir, 'comparison.json')) as file:
        report = json.load(file)
    with open(osp.join(out_dir, 'comparison.md')) as file:
        markdown = file.read()
    return dict(
        out_dir=out_dir,
        stdout=stdout.getvalue(),
        report=report,
        markdown=markdown)


def _markdown_table(markdown):
    lines = [line for line in markdown.splitlines() if line.startswith('|')]
    header = [cell.strip() for cell in lines[0].strip('|').split(' | ')]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in re.split(r'(?<!\\)\|', line)[1:-1]]
        rows[cells[0]] = [float(cell.strip('*')) for cell in cells[1:]]
    return header, rows


@pytest.mark.slow
def test_markdown_and_json(comparison):
    report, markdown = comparison['report'], comparison['markdown']
    assert markdown in comparison['stdout']
    header, rows = _markdown_table(markdown)
    assert header == ['model'] + TABLE
    assert list(rows) == ['baseline', 'cbl \\| boundary']
    assert report['table_keys'] == TABLE
    assert report['data']['num_images'] == 4
    assert len(report['data']['classes']) == 19
    models = report['models']
    assert [model['name']
            for model in models] == ['baseline', 'cbl | boundary']
    for model, values in zip(models, rows.values()):
        summary = model['summary']
        assert list(summary) == [
            'aAcc', 'microIoU', 'mIoU', 'mAcc', 'fwIoU', 'mBIoU', 'mBF@1px',
            'mBF@3px', 'mBF@5px'
        ]
        assert values == [summary[key] for key in TABLE]
        # every valid pixel gets a class: micro IoU = a / (2 - a)
        accuracy = summary['aAcc'] / 100
        assert summary['aAcc'] > 0
        assert abs(summary['microIoU'] - 100 * accuracy /
                   (2 - accuracy)) <= 0.02
        # and it is the pooled intersection over the pooled union
        counts = {
            key: np.array(value)
            for key, value in model['counts'].items()
        }
        union = counts['area_gt'] + counts['area_pred'] - counts['intersect']
        assert summary['microIoU'] == round(
            counts['intersect'].sum() / union.sum() * 100, 2)
        assert set(model['per_class']) == set(report['data']['classes'])
        road = model['per_class']['road']
        assert {'IoU', 'Acc', 'BIoU', 'BF@3px', 'BP@3px',
                'BR@3px'} <= set(road)
    # seeded initial weights of two different models: different scores
    assert models[0]['summary'] != models[1]['summary']
    assert report['settings']['tolerances'] == [1, 3, 5]
    assert len(report['pictures']) == 2
    # embedded, relative to the Markdown file
    assert ('![00_testville_000000_000019_leftImg8bit]'
            '(pictures/00_testville_000000_000019_leftImg8bit.png)'
            in markdown)


@pytest.mark.slow
def test_values_and_pictures_match_tools_test(comparison, checkpoints,
                                              synthetic_cityscapes_root,
                                              tmp_path):
    """Each row equals what tools/test.py (its code path, in this process)
    reports for the checkpoint, and the baseline's picture tile is
    highlighted exactly where its predictions (tools/test.py --out) are
    wrong in the ground-truth band."""
    from cblseg.apis import test as run_test

    pred_dir = tmp_path / 'predictions'
    runs = [(DEMO_BASELINE_CONFIG, checkpoints['baseline'],
             ['--out', str(pred_dir)]), (CBL_CONFIG, checkpoints['cbl'], [])]
    for model, (config, checkpoint, out) in zip(comparison['report']['models'],
                                                runs):
        metrics = run_test(
            [config, checkpoint, '--work-dir',
             str(tmp_path / 'work')] + out + ['--cfg-options'] +
            _data_options(synthetic_cityscapes_root))
        metrics = {key: float(value) for key, value in metrics.items()}
        assert metrics == model['summary'], model['name']

    paths = comparison['report']['pictures']
    stem = 'testville_000000_000019_leftImg8bit'
    assert paths[0] == osp.join(comparison['out_dir'], 'pictures',
                                f'00_{stem}.png')
    row = np.array(Image.open(paths[0]).convert('RGB'))
    gt = np.array(
        Image.open(
            osp.join(synthetic_cityscapes_root, 'gtFine', 'val', 'testville',
                     'testville_000000_000019_gtFine_labelTrainIds.png')))
    assert row.shape[:2] == comparison_row_size(*gt.shape, 2)
    pred = np.array(Image.open(pred_dir / f'{stem}.png'))
    radius = max(1, round(0.02 * np.hypot(*gt.shape)))
    errors = naive_band(gt, radius) & (pred != gt)
    assert errors.any() and (~errors & (gt != IGNORE)).any()
    highlighted = is_error_color(tile(row, 2, gt.shape))
    np.testing.assert_array_equal(highlighted, errors)


def _expect_error(argv, *patterns):
    with pytest.raises(SystemExit) as info:
        load_tool()['main'](argv)
    message = str(info.value.code)
    assert message.startswith('error: ') and '\n' not in message, message
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    return message


@pytest.mark.slow
def test_bad_arguments(checkpoints, synthetic_cityscapes_root, tmp_path):
    base = [
        '--out-dir',
        str(tmp_path / 'out'), '--no-progress', '--cfg-options'
    ] + _data_options(synthetic_cityscapes_root)
    ckpt = checkpoints['baseline']
    _expect_error([DEMO_BASELINE_CONFIG, ckpt, CBL_CONFIG] + base,
                  '3 positional arguments', 'CONFIG CHECKPOINT pairs')
    missing = str(tmp_path / 'missing.pth')
    _expect_error([DEMO_BASELINE_CONFIG, missing] + base,
                  re.escape(repr(missing)), 'does not exist')
    _expect_error([ckpt, DEMO_BASELINE_CONFIG] + base, 'not a config file',
                  'the config first')
    _expect_error([DEMO_BASELINE_CONFIG, ckpt, DEMO_BASELINE_CONFIG, ckpt] +
                  base, 'two models are named', '--names')
    _expect_error(
        [DEMO_BASELINE_CONFIG, ckpt, CBL_CONFIG, ckpt, '--names', 'a', 'a'] +
        base, "two models are named 'a'")
    _expect_error([DEMO_BASELINE_CONFIG, ckpt, '--names', 'a', 'b'] + base,
                  '2 names', 'one name per model')
    _expect_error([
        DEMO_BASELINE_CONFIG, ckpt, '--data-config',
        str(tmp_path / 'nowhere.py')
    ] + base, 'data config .*nowhere.py.* does not exist')
    if not torch.cuda.is_available():
        _expect_error([DEMO_BASELINE_CONFIG, ckpt, '--device', 'cuda'] + base,
                      'CUDA is not available', '--device cpu')
    assert not osp.exists(tmp_path / 'out' / 'comparison.md')


@pytest.mark.slow
def test_checkpoints_that_do_not_fit(checkpoints, synthetic_cityscapes_root,
                                     tmp_path):
    base = [
        '--out-dir',
        str(tmp_path / 'out'), '--no-progress', '--cfg-options'
    ] + _data_options(synthetic_cityscapes_root)
    # 5 classes in the checkpoint, 19 in the config: shapes differ; and an
    # unexpected key
    five = _save_model(DEMO_BASELINE_CONFIG, 0, str(tmp_path / 'five.pth'), 5)
    state = torch.load(five, weights_only=True)
    state['state_dict']['extra.weight'] = torch.zeros(2)
    torch.save(state, five)
    _expect_error(
        [DEMO_BASELINE_CONFIG, five] + base, re.escape(repr(five)),
        'does not fit', 'unexpected key in source state_dict: extra.weight',
        r'decode_head\.0\.conv_seg\.weight is \[5, 240, 1, 1\] in the '
        r'checkpoint, \[19, 240, 1, 1\] in the model',
        'the config it was trained with')
    # 5 classes in the model, 19 in the dataset
    _expect_error([DEMO_BASELINE_CONFIG, five] + base + [
        'model.decode_head.0.num_classes=5',
        'model.decode_head.1.num_classes=5'
    ], 'predicts 5 classes', 'has 19', '--data-config')
    # not a checkpoint at all
    text = tmp_path / 'notes.pth'
    text.write_text('not a checkpoint\n')
    _expect_error([DEMO_BASELINE_CONFIG, str(text)] + base,
                  "checkpoint '.*notes.pth' of model .* is not a PyTorch "
                  'file')
    # a pickle, but not a state dict
    torch.save([1, 2], str(tmp_path / 'list.pth'))
    _expect_error([DEMO_BASELINE_CONFIG,
                   str(tmp_path / 'list.pth')] + base,
                  "cannot read checkpoint '.*list.pth'", 'No state_dict found')


@pytest.mark.slow
def test_data_config_option(checkpoints, synthetic_cityscapes_root, tmp_path):
    """--data-config takes the data and the metric settings from another
    config; the pictures can be switched off."""
    load = load_tool()
    out_dir = tmp_path / 'out'
    result = load['main'](
        [
            CBL_CONFIG, checkpoints['cbl'], '--data-config',
            DEMO_BASELINE_CONFIG, '--out-dir',
            str(out_dir), '--num-pictures', '0', '--no-progress',
            '--cfg-options'
        ] + _data_options(synthetic_cityscapes_root) +
        ['test_evaluator.radius=2', 'test_evaluator.tolerances=[2]'])
    assert result.data_config == DEMO_BASELINE_CONFIG
    assert result.settings['radius'] == 2
    assert result.settings['tolerances'] == [2]
    assert list(result.models[0].summary)[-2:] == ['mBIoU', 'mBF@2px']
    assert not osp.exists(out_dir / 'pictures')
    with open(out_dir / 'comparison.json') as file:
        assert json.load(file)['table_keys'][-1] == 'mBF@2px'


@pytest.mark.slow
def test_mask_classification_models(synthetic_cityscapes_root, tmp_path):
    """The tiny Mask2Former and its CBL twin (CBLMask2FormerHead) side by
    side: the scores of each, and a picture row with their tiles."""
    tiny = 'mask2former_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py'
    configs = [
        osp.join(REPO_ROOT, 'configs', 'mask2former', tiny),
        osp.join(REPO_ROOT, 'configs', 'cbl', 'cbl-' + tiny)
    ]
    argv = []
    for seed, config in enumerate(configs):
        argv += [config, _save_model(config, seed, str(tmp_path / f'{seed}'))]
    out_dir = str(tmp_path / 'out')
    with contextlib.redirect_stdout(io.StringIO()):
        load_tool()['main'](
            argv + [
                '--out-dir', out_dir, '--names', 'mask2former', 'cbl',
                '--num-pictures', '1', '--no-progress', '--cfg-options'
            ] + _data_options(synthetic_cityscapes_root))
    report = json.load(open(osp.join(out_dir, 'comparison.json')))
    models = report['models']
    assert [m['name'] for m in models] == ['mask2former', 'cbl']
    for model in models:
        assert model['summary']['aAcc'] > 0
        assert set(model['per_class']) == set(report['data']['classes'])
    assert models[0]['summary'] != models[1]['summary']
    path, = report['pictures']
    gt = np.array(
        Image.open(
            osp.join(synthetic_cityscapes_root, 'gtFine', 'val', 'testville',
                     'testville_000000_000019_gtFine_labelTrainIds.png')))
    row = np.array(Image.open(path).convert('RGB'))
    assert row.shape[:2] == comparison_row_size(*gt.shape, 2)
    # the two models' tiles are predictions, not blank
    assert tile(row, 2, gt.shape).std() > 0
    assert not np.array_equal(tile(row, 2, gt.shape), tile(row, 3, gt.shape))


def test_metric_settings_and_options():
    """The evaluator's metric options are taken (BoundaryIoUMetric entry,
    else IoUMetric's iou_metrics and beta); given options go on top, and
    switching the F-score protocol drops the other protocol's
    tolerances."""
    from cblseg.evaluation.model_comparison import (merge_metric_options,
                                                    metric_settings)
    evaluator = [
        dict(type='IoUMetric', iou_metrics=['mFscore'], beta=0.5),
        dict(
            type='BoundaryIoUMetric',
            tolerances=[2],
            iou_metrics=['mDice'],
            bf_protocol='counts',
            collect_device='cpu')
    ]
    assert metric_settings(evaluator) == dict(
        tolerances=[2], iou_metrics=['mDice'], bf_protocol='counts')
    assert metric_settings(evaluator[:1]) == dict(
        iou_metrics=['mFscore'], beta=0.5)
    settings = metric_settings(evaluator)
    assert merge_metric_options(settings, dict(beta=None)) == settings
    assert merge_metric_options(settings,
                                dict(bf_protocol='per_image', beta=2)) == dict(
                                    iou_metrics=['mDice'],
                                    bf_protocol='per_image',
                                    beta=2)
    assert merge_metric_options(
        dict(bf_protocol='per_image', bf_tolerance_ratios=[0.1]),
        dict(bf_protocol='counts')) == dict(bf_protocol='counts')
    # the same protocol keeps its tolerances
    assert merge_metric_options(settings, dict(bf_protocol='counts')) == \
        settings
    with pytest.raises(ValueError, match=r"unknown metric options \['tol'\]"):
        merge_metric_options(settings, dict(tol=[1]))


@pytest.mark.slow
def test_metric_options_pass_through(checkpoints, synthetic_cityscapes_root,
                                     tmp_path):
    """--iou-metrics, --beta, --bf-protocol and --bf-tolerance-ratios reach
    the metric: the summary equals what tools/test.py reports with the same
    test_evaluator settings, and the table has the asked-for columns."""
    from cblseg.apis import test as run_test
    out_dir = tmp_path / 'out'
    with contextlib.redirect_stdout(io.StringIO()):
        result = load_tool()['main']([
            DEMO_BASELINE_CONFIG, checkpoints['baseline'], '--out-dir',
            str(out_dir), '--num-pictures', '0', '--no-progress',
            '--iou-metrics', 'mIoU', 'mDice', 'mFscore', '--beta', '2',
            '--bf-protocol', 'per_image', '--bf-tolerance-ratios', '0.03',
            '0.01', '--cfg-options'
        ] + _data_options(synthetic_cityscapes_root))
    settings = result.settings
    assert settings['iou_metrics'] == ['mIoU', 'mDice', 'mFscore']
    assert settings['beta'] == 2
    assert settings['bf_protocol'] == 'per_image'
    assert settings['bf_tolerance_ratios'] == [0.01, 0.03]
    assert settings['tolerances'] == []
    summary = result.models[0].summary
    assert {
        'mDice', 'mFscore', 'mPrecision', 'mRecall', 'mBF@0.01diag',
        'mBF@0.03diag'
    } <= set(summary)
    assert not any(key.endswith('px') for key in summary)
    report = json.load(open(out_dir / 'comparison.json'))
    assert report['table_keys'] == [
        'aAcc', 'microIoU', 'mIoU', 'mDice', 'mFscore', 'fwIoU', 'mBIoU',
        'mBF@0.01diag', 'mBF@0.03diag'
    ]
    markdown = (out_dir / 'comparison.md').read_text()
    assert 'per image (GSCNN / SegFix) at tolerances 0.01, 0.03' in markdown
    metrics = run_test([
        DEMO_BASELINE_CONFIG, checkpoints['baseline'], '--work-dir',
        str(tmp_path / 'work'), '--cfg-options'
    ] + _data_options(synthetic_cityscapes_root) + [
        'test_evaluator.iou_metrics=[mIoU,mDice,mFscore]',
        'test_evaluator.beta=2', 'test_evaluator.bf_protocol=per_image',
        'test_evaluator.bf_tolerance_ratios=[0.01,0.03]'
    ])
    assert {key: float(value) for key, value in metrics.items()} == summary
    # beta changes mFscore only
    with contextlib.redirect_stdout(io.StringIO()):
        again = load_tool()['main']([
            DEMO_BASELINE_CONFIG, checkpoints['baseline'], '--out-dir',
            str(tmp_path / 'again'), '--num-pictures', '0', '--no-progress',
            '--iou-metrics', 'mFscore', '--cfg-options'
        ] + _data_options(synthetic_cityscapes_root)).models[0].summary
    assert again['mFscore'] != summary['mFscore']
    assert again['mIoU'] == summary['mIoU']
    assert 'mDice' not in again and 'mBF@3px' in again


@pytest.mark.slow
def test_bad_metric_options(checkpoints, synthetic_cityscapes_root, tmp_path):
    base = [
        DEMO_BASELINE_CONFIG, checkpoints['baseline'], '--out-dir',
        str(tmp_path / 'out'), '--no-progress'
    ]
    data = ['--cfg-options'] + _data_options(synthetic_cityscapes_root)
    _expect_error(base + ['--bf-tolerance-ratios', '0.01'] + data,
                  'metric settings', 'per_image')
    _expect_error(
        base + ['--bf-protocol', 'per_image', '--bf-tolerance-ratios', '2'] +
        data, 'metric settings', 'bf_tolerance_ratios')
    with pytest.raises(SystemExit):  # argparse: not a choice
        load_tool()['main'](base + ['--iou-metrics', 'mBIoU'] + data)
