# Copyright (c) cblseg contributors. All rights reserved.
"""Controlled experiment: the same model trained with and without CBL, for
several seeds, on the embedded synthetic Cityscapes-layout data.

Default: the CPU demo pair (tiny-HRNet OCRNet with ``OCRHead`` vs
``CBLOCRHead``); ``--model mask2former`` / ``--model maskformer`` choose the
tiny Mask2Former / MaskFormer pair (``Mask2FormerHead`` vs
``CBLMask2FormerHead``, ...). 800 iterations, seeds 0 1 2, on the CPU, two
single-threaded runs at a time; about an hour on 2 cores. Prints and writes
``report.md`` and ``report.json`` to the work dir (default
``work_dirs/cbl_vs_baseline``); a rerun reuses finished runs and resumes
interrupted ones. Logic and design: :mod:`cblseg.apis.cbl_vs_baseline`;
results: ``docs/model_zoo.md``.

Examples::

    python tools/benchmarks/cbl_vs_baseline.py
    python tools/benchmarks/cbl_vs_baseline.py --iters 4000 --seeds 0 1 2 3 4
    python tools/benchmarks/cbl_vs_baseline.py --model mask2former \\
        --work-dir work_dirs/cbl_vs_baseline_mask2former
    python tools/benchmarks/cbl_vs_baseline.py --device cuda --iters 8000 \\
        --work-dir work_dirs/cbl_vs_baseline_gpu
    python tools/benchmarks/cbl_vs_baseline.py \\
        --baseline-config configs/deeplabv3/X.py --cbl-config configs/cbl/Y.py
"""
import argparse
import json
import os.path as osp
import sys

try:
    from mmengine.config import DictAction

    from cblseg.apis.cbl_vs_baseline import (DEFAULT_SEEDS, MODEL_PAIRS,
                                             config_pair, format_report,
                                             plan_runs, run_experiment,
                                             summarize_runs)
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python.')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train the same model with and without CBL for several '
        'seeds and report mean/std of mIoU, mBIoU, mBF and time per iter.')
    parser.add_argument(
        '--model',
        choices=list(MODEL_PAIRS),
        default='ocrnet',
        help='the tiny baseline/CBL config pair to train (default: ocrnet, '
        'the CPU demo)')
    parser.add_argument(
        '--baseline-config',
        help="another baseline config (default: --model's)")
    parser.add_argument(
        '--cbl-config', help="another CBL config (default: --model's)")
    parser.add_argument(
        '--seeds', type=int, nargs='+', default=list(DEFAULT_SEEDS))
    parser.add_argument(
        '--iters',
        type=int,
        default=None,
        help="schedule length (default: the config's max_iters)")
    parser.add_argument('--work-dir', default='work_dirs/cbl_vs_baseline')
    parser.add_argument(
        '--device',
        choices=['cpu', 'cuda'],
        default='cpu',
        help='cuda trains each run on the first visible GPU')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision (CUDA only)')
    parser.add_argument(
        '--jobs',
        type=int,
        default=None,
        help='runs trained at the same time (default: 2 on cpu, 1 on cuda)')
    parser.add_argument(
        '--threads',
        type=int,
        default=None,
        help='torch threads per run (default: 1 on cpu, torch\'s own '
        'choice on cuda)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides applied to both configs, xxx=yyy')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    baseline_config, cbl_config = config_pair(args.model)
    args.baseline_config = args.baseline_config or baseline_config
    args.cbl_config = args.cbl_config or cbl_config
    # On CPU, single-threaded runs side by side: intra-op threads gain little
    # on these tiny models and slow down many-fold when the cores are shared.
    on_cpu = args.device == 'cpu'
    if args.jobs is None:
        args.jobs = 2 if on_cpu else 1
    if args.threads is None and on_cpu:
        args.threads = 1
    try:
        runs = plan_runs(
            args.baseline_config,
            args.cbl_config,
            args.seeds,
            args.work_dir,
            iters=args.iters,
            device=args.device,
            amp=args.amp,
            cfg_options=dict(args.cfg_options or {}))
        results = run_experiment(
            runs,
            jobs=args.jobs,
            threads=args.threads,
            log=lambda line: print(line, flush=True))
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        sys.exit(f'cbl_vs_baseline: {err}')
    summary = summarize_runs(results)
    report = format_report(summary)
    with open(osp.join(args.work_dir, 'report.md'), 'w') as f:
        f.write(report)
    with open(osp.join(args.work_dir, 'report.json'), 'w') as f:
        json.dump(summary, f, indent=2)
    print(report)
    print(f'written: {osp.join(args.work_dir, "report.md")} and report.json')


if __name__ == '__main__':
    main()
