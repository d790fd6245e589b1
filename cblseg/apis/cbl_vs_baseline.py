# Copyright (c) cblseg contributors. All rights reserved.
"""The controlled CBL-vs-baseline experiment behind
``tools/benchmarks/cbl_vs_baseline.py``.

The same model is trained with its MMSeg head (baseline) and with the CBL
head, for several seeds, on the same data and schedule; each trained model is
evaluated on the test split with the config's evaluator
(``BoundaryIoUMetric``), and the report gives mean and sample standard
deviation of mIoU, mBIoU and mBF per variant, the per-seed paired differences
(CBL minus baseline, same seed: same initialisation of the shared layers and
the same data order) and the training time per iteration.

Design choices:

* One fresh Python process per run (:func:`run_one` through
  :func:`main_run_one`): registries, random state and thread pools start
  clean, a crash loses one run, and ``--jobs`` can run several at once.
* Runs are ordered seed by seed, alternating baseline and CBL, so that a
  change in the machine's speed during the experiment (shared hosts vary by
  tens of percent) falls on both variants alike.
* Each run writes ``result.json`` into its own work dir. A rerun with the
  same settings reuses finished runs and resumes unfinished ones from their
  last checkpoint (``resume=True``); different settings in the same work dir
  are an error rather than a silent mix.
* Validation during training is switched off (``val_cfg=None``); the model
  is evaluated once, after training, by ``runner.test()``.
* ``--iters`` changes the schedule length: every parameter scheduler's
  ``begin`` and ``end`` are scaled by ``iters / max_iters`` (warm-up and
  decay keep their shares of the run; one left with no iteration is
  dropped), the checkpoint interval becomes half of it.
* Time per iteration is mmengine's ``train/time`` (``IterTimerHook``: data
  loading plus the training step), averaged after the first
  :data:`WARMUP_ITERS` iterations.
"""
import json
import math
import os
import os.path as osp
import statistics
import subprocess
import sys
import time
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

__all__ = [
    'DEFAULT_BASELINE_CONFIG', 'DEFAULT_CBL_CONFIG', 'DEFAULT_SEEDS',
    'MODEL_PAIRS', 'REPORTED_METRICS', 'WARMUP_ITERS', 'config_pair',
    'plan_runs', 'run_one', 'main_run_one', 'run_experiment', 'summarize_runs',
    'format_report'
]

DEFAULT_BASELINE_CONFIG = (
    'configs/ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
DEFAULT_CBL_CONFIG = (
    'configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
# tools/benchmarks/cbl_vs_baseline.py --model NAME: the tiny CPU models on
# the synthetic Cityscapes-layout data, baseline and CBL twin.
_TINY = '1xb4-800_synthetic-cityscapes-128x256.py'
MODEL_PAIRS = OrderedDict(
    ocrnet=(DEFAULT_BASELINE_CONFIG, DEFAULT_CBL_CONFIG),
    mask2former=(f'configs/mask2former/mask2former_r18-tiny_{_TINY}',
                 f'configs/cbl/cbl-mask2former_r18-tiny_{_TINY}'),
    maskformer=(f'configs/maskformer/maskformer_r18-tiny_{_TINY}',
                f'configs/cbl/cbl-maskformer_r18-tiny_{_TINY}'),
)
DEFAULT_SEEDS = (0, 1, 2)
REPORTED_METRICS = ('mIoU', 'mBIoU', 'mBF@3px', 'aAcc')
WARMUP_ITERS = 5
VARIANTS = ('baseline', 'cbl')
RESULT_FILE = 'result.json'


def _spec_key(spec: dict) -> dict:
    """What must match for a finished run to be reused."""
    return {
        k: spec[k]
        for k in ('config', 'seed', 'iters', 'device', 'amp', 'cfg_options')
    }


def config_pair(model: str) -> tuple:
    """``(baseline config, CBL config)`` of a :data:`MODEL_PAIRS` name,
    relative to the repository root."""
    if model not in MODEL_PAIRS:
        raise ValueError(f'unknown model {model!r}: choose one of '
                         f'{", ".join(MODEL_PAIRS)}')
    return MODEL_PAIRS[model]


def plan_runs(baseline_config: str,
              cbl_config: str,
              seeds: Sequence[int],
              work_dir: str,
              iters: Optional[int] = None,
              device: str = 'cpu',
              amp: bool = False,
              cfg_options: Optional[dict] = None) -> List[dict]:
    """The runs of an experiment, seed by seed, baseline before CBL.

    Returns:
        list[dict]: One spec per run with ``variant``, ``config`` (absolute
        path), ``seed``, ``iters``, ``device``, ``amp``, ``cfg_options`` and
        ``work_dir``.
    """
    if len(set(seeds)) != len(seeds) or not seeds:
        raise ValueError(f'seeds must be distinct and non-empty, got {seeds}')
    if iters is not None and iters < 1:
        raise ValueError(f'iters must be >= 1, got {iters}')
    if device not in ('cpu', 'cuda'):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    configs = dict(baseline=baseline_config, cbl=cbl_config)
    for variant, config in configs.items():
        if not osp.isfile(config):
            raise FileNotFoundError(
                f'{variant} config {config} does not exist: pass an existing '
                'config file (run from the repository root for the defaults)')
    runs = []
    for seed in seeds:
        for variant in VARIANTS:
            runs.append(
                dict(
                    variant=variant,
                    config=osp.abspath(configs[variant]),
                    seed=int(seed),
                    iters=iters,
                    device=device,
                    amp=bool(amp),
                    cfg_options=dict(cfg_options or {}),
                    work_dir=osp.abspath(
                        osp.join(work_dir, f'{variant}_seed{seed}'))))
    return runs


def _rescale_schedule(cfg, iters: int) -> None:
    old_max = cfg.train_cfg.max_iters
    schedulers = cfg.get('param_scheduler', None) or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    # Proportional, so that warm-up and decay keep their shares of the run;
    # a scheduler left with no iteration (a warm-up in a tiny run) is dropped.
    scaled = []
    for scheduler in schedulers:
        begin = round(scheduler.get('begin', 0) * iters / old_max)
        end = round(scheduler.get('end', old_max) * iters / old_max)
        if end > begin:
            scaled.append(dict(scheduler, begin=begin, end=end))
    cfg.param_scheduler = scaled
    cfg.train_cfg.max_iters = iters
    hooks = cfg.default_hooks
    if 'checkpoint' in hooks:
        hooks.checkpoint.interval = max(1, iters // 2)
    if 'logger' in hooks:
        hooks.logger.interval = max(1, min(hooks.logger.interval, iters))


def _mean_after_warmup(values: Sequence[float]) -> float:
    values = list(values)
    kept = values[WARMUP_ITERS:] if len(values) > 2 * WARMUP_ITERS else values
    return float(sum(kept) / len(kept)) if kept else float('nan')


def run_one(spec: dict) -> dict:
    """Train and test one run in this process; write and return its result.

    Args:
        spec (dict): One entry of :func:`plan_runs`.

    Returns:
        dict: ``spec`` plus ``metrics`` (the test evaluator's summary),
        ``sec_per_iter``, ``data_sec_per_iter``, ``train_seconds``,
        ``test_seconds``, ``torch_threads`` and ``device_name``.
    """
    from argparse import Namespace

    import torch
    from mmengine.runner import Runner

    from cblseg.apis.runner_setup import prepare_cfg
    from cblseg.utils.benchmark_timing import cpu_name

    # What tools/train.py does with CONFIG --work-dir --cfg-options [--amp].
    cfg = prepare_cfg(
        Namespace(
            config=spec['config'],
            work_dir=spec['work_dir'],
            cfg_options=spec['cfg_options'] or None,
            launcher='none',
            amp=spec['amp']),
        splits=('train', 'test'))
    cfg.randomness = dict(seed=spec['seed'], deterministic=False)
    cfg.resume = True
    cfg.load_from = None
    if spec['iters'] is not None:
        _rescale_schedule(cfg, spec['iters'])
    # Evaluated once after training (runner.test()), not during it.
    cfg.val_dataloader = None
    cfg.val_cfg = None
    cfg.val_evaluator = None
    cfg.default_hooks.pop('visualization', None)

    runner = Runner.from_cfg(cfg)
    start = time.perf_counter()
    runner.train()
    train_seconds = time.perf_counter() - start
    hub = runner.message_hub
    iter_times = hub.get_scalar('train/time').data[0].tolist() if (
        'train/time' in hub.log_scalars) else []
    data_times = hub.get_scalar('train/data_time').data[0].tolist() if (
        'train/data_time' in hub.log_scalars) else []
    start = time.perf_counter()
    metrics = runner.test()
    test_seconds = time.perf_counter() - start

    on_cuda = spec['device'] == 'cuda' and torch.cuda.is_available()
    result = dict(spec)
    result.update(
        max_iters=int(cfg.train_cfg.max_iters),
        metrics={
            k: float(v)
            for k, v in metrics.items()
        },
        sec_per_iter=_mean_after_warmup(iter_times),
        data_sec_per_iter=_mean_after_warmup(data_times),
        timed_iters=len(iter_times),
        train_seconds=train_seconds,
        test_seconds=test_seconds,
        torch_threads=torch.get_num_threads(),
        device_name=(torch.cuda.get_device_name() if on_cuda else cpu_name()))
    with open(osp.join(spec['work_dir'], RESULT_FILE), 'w') as f:
        json.dump(result, f, indent=2)
    return result


def main_run_one(spec_path: str) -> None:
    """Entry point of a run's child process: ``spec_path`` is a JSON spec."""
    with open(spec_path) as f:
        spec = json.load(f)
    threads = os.environ.get('CBLSEG_RUN_THREADS')
    if threads:
        import torch
        torch.set_num_threads(int(threads))
    run_one(spec)


def _finished_result(spec: dict) -> Optional[dict]:
    path = osp.join(spec['work_dir'], RESULT_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        result = json.load(f)
    if _spec_key(result) != _spec_key(spec):
        raise ValueError(
            f'{path} is a run with other settings ({_spec_key(result)}) than '
            f'requested ({_spec_key(spec)}): use another --work-dir or delete '
            'that directory')
    return result


def _launch(spec: dict, threads: Optional[int]) -> subprocess.Popen:
    os.makedirs(spec['work_dir'], exist_ok=True)
    spec_path = osp.join(spec['work_dir'], 'spec.json')
    with open(spec_path, 'w') as f:
        json.dump(spec, f, indent=2)
    env = dict(os.environ)
    if spec['device'] == 'cpu':
        env['CUDA_VISIBLE_DEVICES'] = ''
    if threads:
        env['OMP_NUM_THREADS'] = str(threads)
        env['CBLSEG_RUN_THREADS'] = str(threads)
    log = open(osp.join(spec['work_dir'], 'run.log'), 'a')
    code = ('import sys; from cblseg.apis.cbl_vs_baseline import '
            'main_run_one; main_run_one(sys.argv[1])')
    process = subprocess.Popen([sys.executable, '-c', code, spec_path],
                               stdout=log,
                               stderr=subprocess.STDOUT,
                               env=env)
    process.log_file = log
    return process


def _describe(result: dict) -> str:
    m = result['metrics']
    shown = ' '.join(f'{k} {m[k]:.2f}' for k in REPORTED_METRICS if k in m)
    return (f"{result['variant']} seed {result['seed']}: {shown}, "
            f"{result['sec_per_iter']:.3f} s/iter")


def run_experiment(runs: List[dict],
                   jobs: int = 1,
                   threads: Optional[int] = None,
                   log=print) -> List[dict]:
    """Run (or reuse) every run of :func:`plan_runs`, ``jobs`` at a time.

    Raises:
        RuntimeError: A run failed; names its log. Finished runs are kept
        and reused by the next call.
    """
    if jobs < 1:
        raise ValueError(f'jobs must be >= 1, got {jobs}')
    results: Dict[int, dict] = {}
    pending = []
    for index, spec in enumerate(runs):
        finished = _finished_result(spec)
        if finished is not None:
            results[index] = finished
            log(f'[reused] {_describe(finished)}')
        else:
            pending.append(index)
    running: Dict[int, subprocess.Popen] = {}
    started: Dict[int, float] = {}
    failure = None
    while (pending or running) and failure is None:
        while pending and len(running) < jobs:
            index = pending.pop(0)
            spec = runs[index]
            log(f"[start] {spec['variant']} seed {spec['seed']} "
                f"({spec['work_dir']})")
            running[index] = _launch(spec, threads)
            started[index] = time.perf_counter()
        time.sleep(0.5)
        for index, process in list(running.items()):
            if process.poll() is None:
                continue
            process.log_file.close()
            del running[index]
            spec = runs[index]
            log_path = osp.join(spec['work_dir'], 'run.log')
            if process.returncode != 0:
                failure = (f"{spec['variant']} seed {spec['seed']} failed "
                           f'(exit {process.returncode}); see {log_path}. '
                           'Rerun the same command to resume.')
                break
            results[index] = _finished_result(spec)
            minutes = (time.perf_counter() - started[index]) / 60
            log(f'[done {len(results)}/{len(runs)}, {minutes:.1f} min] '
                f'{_describe(results[index])}')
    if failure is not None:
        for process in running.values():
            process.terminate()
            process.wait()
            process.log_file.close()
        raise RuntimeError(failure)
    return [results[i] for i in range(len(runs))]


def _mean_std(values: Sequence[float]) -> dict:
    values = [float(v) for v in values]
    return dict(
        mean=statistics.fmean(values),
        std=statistics.stdev(values) if len(values) > 1 else float('nan'),
        n=len(values),
        values=values)


def _paired_t(stat: dict) -> float:
    """Paired t statistic ``mean / (std / sqrt(n))``; NaN for n < 2."""
    if stat['n'] < 2:
        return float('nan')
    if stat['std'] == 0:
        return math.copysign(math.inf, stat['mean']) if stat['mean'] else 0.0
    return stat['mean'] / (stat['std'] / math.sqrt(stat['n']))


def summarize_runs(results: List[dict],
                   metrics: Sequence[str] = REPORTED_METRICS) -> dict:
    """Mean and sample standard deviation per variant, and the paired
    (same seed) differences CBL minus baseline.

    Returns:
        dict: ``variants`` -> variant -> metric (and ``sec_per_iter``) ->
        ``{mean, std, n, values}``; ``paired_difference`` -> metric ->
        ``{mean, std, n, values, cbl_better, t}`` (``t``: the paired t
        statistic, to be read against Student's t with ``n - 1`` degrees of
        freedom, e.g. 4.30 for a two-sided 5% test with 3 seeds);
        ``time_ratio`` (CBL over baseline mean seconds per iteration);
        ``seeds``; ``settings``.
    """
    by_variant = OrderedDict((v, []) for v in VARIANTS)
    for result in results:
        by_variant[result['variant']].append(result)
    for variant, runs in by_variant.items():
        if not runs:
            raise ValueError(f'no {variant} run among the results')
    keys = [m for m in metrics if m in results[0]['metrics']]
    summary = OrderedDict(variants=OrderedDict())
    for variant, runs in by_variant.items():
        entry = OrderedDict()
        for key in keys:
            entry[key] = _mean_std([r['metrics'][key] for r in runs])
        entry['sec_per_iter'] = _mean_std([r['sec_per_iter'] for r in runs])
        summary['variants'][variant] = entry
    baseline = {r['seed']: r for r in by_variant['baseline']}
    cbl = {r['seed']: r for r in by_variant['cbl']}
    seeds = sorted(set(baseline) & set(cbl))
    paired = OrderedDict()
    for key in keys:
        diffs = [
            cbl[s]['metrics'][key] - baseline[s]['metrics'][key] for s in seeds
        ]
        paired[key] = _mean_std(diffs) if diffs else None
        if diffs:
            paired[key]['cbl_better'] = sum(d > 0 for d in diffs)
            paired[key]['t'] = _paired_t(paired[key])
    summary['paired_difference'] = paired
    summary['time_ratio'] = (
        summary['variants']['cbl']['sec_per_iter']['mean'] /
        summary['variants']['baseline']['sec_per_iter']['mean'])
    summary['seeds'] = seeds
    first = results[0]
    summary['settings'] = OrderedDict(
        baseline_config=by_variant['baseline'][0]['config'],
        cbl_config=by_variant['cbl'][0]['config'],
        max_iters=first['max_iters'],
        device=first['device'],
        device_name=first['device_name'],
        torch_threads=first['torch_threads'],
        amp=first['amp'],
        cfg_options=first['cfg_options'])
    summary['runs'] = [
        OrderedDict(
            variant=r['variant'],
            seed=r['seed'],
            metrics=r['metrics'],
            sec_per_iter=r['sec_per_iter'],
            train_seconds=r['train_seconds'],
            test_seconds=r['test_seconds']) for r in results
    ]
    return summary


def _fmt(stat: Optional[dict], digits: int = 2) -> str:
    if stat is None:
        return 'n/a'
    if stat['n'] < 2:
        return f"{stat['mean']:.{digits}f}"
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def format_report(summary: dict) -> str:
    """The summary as Markdown: settings, mean ± std per variant, paired
    differences, and every run."""
    settings = summary['settings']
    keys = [k for k in summary['variants']['baseline'] if k != 'sec_per_iter']
    rel = [osp.relpath(settings[k]) for k in ('baseline_config', 'cbl_config')]
    lines = [
        '# CBL vs baseline', '', f'- baseline: `{rel[0]}`',
        f'- CBL: `{rel[1]}`', f"- {settings['max_iters']} iterations, seeds "
        f"{', '.join(str(s) for s in summary['seeds'])}, "
        f"{settings['device']} ({settings['device_name']}, "
        f"torch threads per run: {settings['torch_threads']})"
        f"{', AMP' if settings['amp'] else ''}"
    ]
    if settings['cfg_options']:
        lines.append(f"- config overrides: `{settings['cfg_options']}`")
    lines += [
        '', 'Mean ± sample standard deviation over seeds:', '',
        '| variant | ' + ' | '.join(keys) + ' | s/iter |',
        '|---' * (len(keys) + 2) + '|'
    ]
    for variant, entry in summary['variants'].items():
        cells = [_fmt(entry[k]) for k in keys]
        cells.append(_fmt(entry['sec_per_iter'], 3))
        lines.append(f'| {variant} | ' + ' | '.join(cells) + ' |')
    diff_cells = []
    for key in keys:
        stat = summary['paired_difference'][key]
        text = _fmt(stat)
        if stat is not None:
            text += (f" (t = {stat['t']:.2f}, {stat['cbl_better']}/"
                     f"{stat['n']} seeds up)")
        diff_cells.append(text)
    lines.append('| CBL − baseline (paired by seed) | ' +
                 ' | '.join(diff_cells) + f" | ×{summary['time_ratio']:.3f} |")
    lines += [
        '', 'Runs:', '',
        '| variant | seed | ' + ' | '.join(keys) + ' | s/iter | train min |',
        '|---' * (len(keys) + 4) + '|'
    ]
    for run in summary['runs']:
        cells = [f"{run['metrics'][k]:.2f}" for k in keys]
        lines.append(f"| {run['variant']} | {run['seed']} | " +
                     ' | '.join(cells) + f" | {run['sec_per_iter']:.3f} | "
                     f"{run['train_seconds'] / 60:.1f} |")
    return '\n'.join(lines) + '\n'
