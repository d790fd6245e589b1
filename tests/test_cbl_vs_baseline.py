# Copyright (c) cblseg contributors. All rights reserved.
"""The CBL-vs-baseline experiment: planning, schedule scaling, statistics,
the report, and the tool end to end (2 seeds x 2 variants, 2 iterations,
real training processes on synthetic data)."""
import json
import math
import os.path as osp
import runpy
import sys

import pytest
from mmengine.config import Config

from cblseg.apis.cbl_vs_baseline import (DEFAULT_BASELINE_CONFIG,
                                         DEFAULT_CBL_CONFIG, MODEL_PAIRS,
                                         _rescale_schedule, config_pair,
                                         format_report, plan_runs,
                                         run_experiment, summarize_runs)
from helpers import REPO_ROOT, run_tool

BASELINE = osp.join(REPO_ROOT, DEFAULT_BASELINE_CONFIG)
CBL = osp.join(REPO_ROOT, DEFAULT_CBL_CONFIG)
TOOL = osp.join(REPO_ROOT, 'tools/benchmarks/cbl_vs_baseline.py')


def _result(variant, seed, miou, sec):
    return dict(
        variant=variant,
        config=BASELINE if variant == 'baseline' else CBL,
        seed=seed,
        iters=None,
        max_iters=800,
        device='cpu',
        device_name='cpu',
        torch_threads=2,
        amp=False,
        cfg_options={},
        metrics=dict(
            aAcc=80.0, mIoU=miou, mBIoU=miou / 2, **{'mBF@3px': miou + 1}),
        sec_per_iter=sec,
        train_seconds=sec * 800,
        test_seconds=3.0)


def test_plan_alternates_variants_seed_by_seed(tmp_path):
    runs = plan_runs(BASELINE, CBL, [3, 1], str(tmp_path), iters=10)
    assert [(r['variant'], r['seed']) for r in runs] == [('baseline', 3),
                                                         ('cbl', 3),
                                                         ('baseline', 1),
                                                         ('cbl', 1)]
    assert runs[1]['work_dir'] == osp.join(str(tmp_path), 'cbl_seed3')
    assert all(r['iters'] == 10 for r in runs)


@pytest.mark.parametrize(
    'kwargs, match',
    [(dict(seeds=[1, 1]), 'distinct'), (dict(seeds=[]), 'non-empty'),
     (dict(iters=0), 'iters'), (dict(device='tpu'), 'device'),
     (dict(cbl_config='nope.py'), 'cbl config nope.py does not exist')])
def test_plan_rejects_bad_settings(tmp_path, kwargs, match):
    args = dict(
        baseline_config=BASELINE,
        cbl_config=CBL,
        seeds=[0, 1],
        work_dir=str(tmp_path))
    args.update(kwargs)
    with pytest.raises((ValueError, FileNotFoundError), match=match):
        plan_runs(**args)


@pytest.mark.parametrize('iters', [2, 400, 4000])
def test_rescale_schedule_keeps_shares(iters):
    cfg = Config.fromfile(BASELINE)
    _rescale_schedule(cfg, iters)
    assert cfg.train_cfg.max_iters == iters
    *warmup, poly = cfg.param_scheduler
    assert poly.type == 'PolyLR' and poly.end == iters
    assert poly.begin == round(50 * iters / 800)
    if iters == 2:
        assert warmup == []  # 0.125 iterations of warm-up: dropped
    else:
        assert warmup[0].begin == 0 and warmup[0].end == poly.begin
    assert cfg.default_hooks.checkpoint.interval == max(1, iters // 2)


def test_summary_statistics_and_report():
    results = [
        _result('baseline', 0, 20.0, 0.50),
        _result('cbl', 0, 21.0, 0.55),
        _result('baseline', 1, 22.0, 0.50),
        _result('cbl', 1, 22.5, 0.55),
        _result('baseline', 2, 24.0, 0.50),
        _result('cbl', 2, 23.0, 0.55),
    ]
    summary = summarize_runs(results)
    base = summary['variants']['baseline']['mIoU']
    assert base['mean'] == pytest.approx(22.0)
    assert base['std'] == pytest.approx(2.0)  # sample std (n - 1)
    diff = summary['paired_difference']['mIoU']
    assert diff['values'] == pytest.approx([1.0, 0.5, -1.0])
    assert diff['mean'] == pytest.approx(1 / 6)
    assert diff['cbl_better'] == 2
    assert summary['time_ratio'] == pytest.approx(1.1)
    assert summary['seeds'] == [0, 1, 2]
    report = format_report(summary)
    assert '| baseline | 22.00 ± 2.00 |' in report
    # paired t: mean / (sample std / sqrt(n)), sample std sqrt(39 / 36)
    assert diff['t'] == pytest.approx((1 / 6) / math.sqrt(39 / 36 / 3))
    assert '(t = 0.28, 2/3 seeds up)' in report
    assert '×1.100' in report
    assert report.count('\n| cbl | ') == 4  # the summary and 3 runs
    json.dumps(summary)  # serialisable as written by the tool


def test_summary_one_seed_has_no_std():
    summary = summarize_runs(
        [_result('baseline', 0, 20.0, 0.5),
         _result('cbl', 0, 21.0, 0.5)])
    assert math.isnan(summary['variants']['cbl']['mIoU']['std'])
    assert '| cbl | 21.00 |' in format_report(summary)


def test_summary_needs_both_variants():
    with pytest.raises(ValueError, match='no cbl run'):
        summarize_runs([_result('baseline', 0, 20.0, 0.5)])


@pytest.mark.slow
def test_tool_end_to_end_reuses_finished_runs(synthetic_cityscapes_root,
                                              tmp_path):
    work_dir = str(tmp_path / 'experiment')
    options = [
        f'train_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        f'test_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.dataset.indices=2'
    ]
    args = [
        sys.executable, TOOL, '--iters', '2', '--seeds', '0', '1',
        '--work-dir', work_dir, '--jobs', '2', '--threads', '1',
        '--cfg-options'
    ] + options
    proc = run_tool(args)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert proc.stdout.count('[done ') == 4, proc.stdout
    summary = json.load(open(osp.join(work_dir, 'report.json')))
    assert summary['seeds'] == [0, 1]
    assert summary['settings']['max_iters'] == 2
    for variant in ('baseline', 'cbl'):
        entry = summary['variants'][variant]
        for key in ('mIoU', 'mBIoU', 'mBF@3px', 'aAcc', 'sec_per_iter'):
            assert entry[key]['n'] == 2
            assert all(math.isfinite(v) for v in entry[key]['values'])
        for seed in (0, 1):
            run_dir = osp.join(work_dir, f'{variant}_seed{seed}')
            # the trained model is kept for tools/analysis/compare_models.py
            assert osp.isfile(osp.join(run_dir, 'iter_2.pth'))
    # CBL changes the training, not the evaluation: the variants differ
    runs = {(r['variant'], r['seed']): r for r in summary['runs']}
    assert runs[('cbl', 0)]['metrics'] != runs[('baseline', 0)]['metrics']
    assert open(osp.join(work_dir, 'report.md')).read() in proc.stdout

    # The same runs again: nothing is retrained.
    specs = [
        json.load(
            open(osp.join(work_dir, f'{variant}_seed{seed}', 'spec.json')))
        for seed in (0, 1) for variant in ('baseline', 'cbl')
    ]
    lines = []
    again = run_experiment(specs, jobs=2, log=lines.append)
    assert [r['metrics'] for r in again
            ] == [runs[(s['variant'], s['seed'])]['metrics'] for s in specs]
    assert len(lines) == 4 and all(x.startswith('[reused] ') for x in lines)
    # Other settings in the same work dir: an error, not a mix.
    specs[0]['iters'] = 3
    with pytest.raises(ValueError, match='other settings.*another --work-dir'):
        run_experiment(specs)


@pytest.mark.slow  # a sweep: every config resolves its mmseg:: bases
@pytest.mark.parametrize('model', list(MODEL_PAIRS))
def test_model_flag_pairs_are_baseline_and_cbl_twin(model):
    """--model NAME: a baseline and its cbl- twin, whose heads are the
    baseline's MMSeg heads with CBL."""
    baseline, cbl = (osp.join(REPO_ROOT, p) for p in config_pair(model))
    assert osp.basename(cbl) == 'cbl-' + osp.basename(baseline)
    assert osp.basename(baseline).startswith(model)
    base_head = Config.fromfile(baseline).model.decode_head
    cbl_head = Config.fromfile(cbl).model.decode_head
    last = (lambda h: h[-1] if isinstance(h, list) else h)
    assert last(cbl_head).type == 'CBL' + last(base_head).type


def test_model_flag_unknown_name():
    with pytest.raises(ValueError, match="unknown model 'segformer'"):
        config_pair('segformer')
    tool = runpy.run_path(TOOL)
    assert tool['parse_args']([]).model == 'ocrnet'
    with pytest.raises(SystemExit):
        tool['parse_args'](['--model', 'segformer'])


@pytest.mark.slow
def test_tool_mask2former_pair_end_to_end(synthetic_cityscapes_root, tmp_path):
    """--model mask2former trains the tiny Mask2Former with
    Mask2FormerHead and with CBLMask2FormerHead (one seed, one
    iteration) and reports both."""
    work_dir = str(tmp_path / 'experiment')
    options = [
        f'train_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        f'test_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.dataset.indices=1'
    ]
    proc = run_tool([
        sys.executable, TOOL, '--model', 'mask2former', '--iters', '1',
        '--seeds', '0', '--work-dir', work_dir, '--jobs', '2', '--threads',
        '1', '--cfg-options'
    ] + options)
    assert proc.returncode == 0, proc.stdout[-3000:]
    summary = json.load(open(osp.join(work_dir, 'report.json')))
    settings = summary['settings']
    assert (osp.basename(settings['baseline_config']),
            osp.basename(settings['cbl_config'])) == tuple(
                osp.basename(path) for path in config_pair('mask2former'))
    assert [(r['variant'], r['seed'])
            for r in summary['runs']] == [('baseline', 0), ('cbl', 0)]
    for variant in ('baseline', 'cbl'):
        entry = summary['variants'][variant]
        assert math.isfinite(entry['mIoU']['values'][0])
