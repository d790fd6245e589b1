# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark one training step of OCRNet with and without the CBL.

Models: the CPU demo model
(``configs/ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py``:
tiny HRNet + FCN/OCR cascade, 19 classes) and the same model with the OCR
head switched to ``CBLOCRHead``
(``configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py``),
with identical weights.

Step: MMSeg's ``model.train_step(data, optim_wrapper)`` as the runner calls
it: data preprocessor, forward, the losses (cross-entropy; plus the three CBL
terms for the CBL model), backward, SGD step, zero_grad.

Data: one fixed batch of 4 synthetic Cityscapes street scenes at 128 x 256
(``cblseg.datasets.render_street_scene``, train ids, void regions as
ignore) with ``gt_edge_map`` from ``GenerateBoundary(dilation=0.02)``, as
the demo's train pipeline produces.

Timing: after warm-up steps, the two models' steps are interleaved (the order
alternates every round) so both see the same machine load; the script prints
the median step time of each, the ratio of the medians, the median of the
per-round ratios and the ratio of the fastest steps (the last two are steadier
when other jobs share the CPU). Torch runs with ``--threads`` threads
(default 1: tiny CPU models gain little from more, and a busy machine makes
multi-threaded timings erratic).

Example::

    python tools/benchmarks/benchmark_cbl_train_step.py
    python tools/benchmarks/benchmark_cbl_train_step.py --quick   # smoke test
"""
import argparse
import copy
import os.path as osp
import platform
import statistics
import sys
import time

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import cblseg
from cblseg.benchmarks.inputs import train_step_batch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
BASE_CONFIG = osp.join(
    REPO_ROOT,
    'configs/ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
CBL_CONFIG = osp.join(
    REPO_ROOT,
    'configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
TARGET_RATIO = 1.15


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--steps', type=int, default=30, help='timed steps per model')
    parser.add_argument(
        '--warmup', type=int, default=5, help='untimed steps per model')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(128, 256),
        metavar=('H', 'W'),
        help='image size')
    parser.add_argument(
        '--threads', type=int, default=1, help='torch.set_num_threads')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='smoke test: 2 timed steps after 1 warm-up, batch 2 at 64x128')
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.warmup, args.batch_size = 2, 1, 2
        args.size = (64, 128)
    return args


def build_model(config, size, state_dict=None):
    cfg = Config.fromfile(config)
    cfg.model.data_preprocessor.size = tuple(size)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if state_dict is not None:
        model.load_state_dict(state_dict, strict=True)
    model.train()
    optimizer = torch.optim.SGD(
        model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    return model, OptimWrapper(optimizer)


def time_step(model, optim_wrapper, data):
    start = time.perf_counter()
    log_vars = model.train_step(copy.deepcopy(data), optim_wrapper)
    elapsed = time.perf_counter() - start
    for key, value in log_vars.items():
        if not np.isfinite(value.item()):
            raise RuntimeError(f'non-finite {key} = {value.item()}')
    return elapsed, log_vars


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    # quiet: init_weights() logs every parameter at INFO
    MMLogger.get_instance('benchmark_cbl_train_step', log_level='WARNING')
    init_default_scope('mmseg')
    torch.manual_seed(0)
    height, width = args.size

    base, base_optim = build_model(BASE_CONFIG, args.size)
    cbl, cbl_optim = build_model(CBL_CONFIG, args.size, base.state_dict())
    models = {
        'OCRNet (OCRHead)': (base, base_optim),
        'OCRNet + CBL (CBLOCRHead)': (cbl, cbl_optim),
    }
    data = train_step_batch(args.batch_size, height, width)

    print(f'python {platform.python_version()}, torch {torch.__version__}, '
          f'cblseg {cblseg.__version__}, {platform.processor() or "cpu"}, '
          f'{torch.get_num_threads()} thread(s)')
    print(f'batch {args.batch_size} x 3 x {height} x {width}, '
          f'{args.warmup} warm-up + {args.steps} timed steps per model, '
          'interleaved')

    for _ in range(args.warmup):
        for model, optim_wrapper in models.values():
            time_step(model, optim_wrapper, data)

    times = {name: [] for name in models}
    last_log = {}
    names = list(models)
    for step in range(args.steps):
        order = names if step % 2 == 0 else names[::-1]
        for name in order:
            model, optim_wrapper = models[name]
            elapsed, last_log[name] = time_step(model, optim_wrapper, data)
            times[name].append(elapsed)

    base_name, cbl_name = names
    keys = sorted(k for k in last_log[cbl_name] if 'loss_cbl' in k)
    if len(keys) != 3:
        raise RuntimeError(f'expected 3 CBL losses, got {keys}')
    print('last CBL losses: ' +
          ', '.join(f'{k} {last_log[cbl_name][k].item():.4f}' for k in keys))
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name in names:
        print(f'{name:<28s} median {medians[name] * 1e3:8.1f} ms per step '
              f'(min {min(times[name]) * 1e3:.1f}, '
              f'max {max(times[name]) * 1e3:.1f})')
    ratio = medians[cbl_name] / medians[base_name]
    paired = statistics.median(
        c / b for c, b in zip(times[cbl_name], times[base_name]))
    print(f'ratio CBL / OCRNet (medians):           {ratio:.3f}x   '
          f'(target <= {TARGET_RATIO:.2f}x)')
    print(f'ratio CBL / OCRNet (median of rounds):  {paired:.3f}x')
    print(f'ratio CBL / OCRNet (minima):            '
          f'{min(times[cbl_name]) / min(times[base_name]):.3f}x')
    return 0


if __name__ == '__main__':
    sys.exit(main())
