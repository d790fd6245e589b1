# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark one training step of a tiny model with and without the CBL.

Models (``--model``, default ``ocrnet``): the CPU demo model
(``configs/ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py``:
tiny HRNet + FCN/OCR cascade, 19 classes) and the same model with the OCR
head switched to ``CBLOCRHead``
(``configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py``),
with identical weights; ``--model mask2former`` / ``maskformer``: the tiny
Mask2Former / MaskFormer (ResNet-18 16-128 channels, 64-channel head, 20
queries; ``configs/mask2former/mask2former_r18-tiny_...``) against their
``cbl-`` twins (``CBLMask2FormerHead`` / ``CBLMaskFormerHead``).

Step: MMSeg's ``model.train_step(data, optim_wrapper)`` as the runner calls
it: data preprocessor, forward, the losses (plus the three CBL terms for the
CBL model), backward, SGD step, zero_grad.

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
    python tools/benchmarks/benchmark_cbl_train_step.py --model mask2former

Logic: :mod:`cblseg.benchmarks.train_step`.
"""
import argparse
import platform
import sys

import torch

import cblseg
from cblseg.apis.cbl_vs_baseline import MODEL_PAIRS
from cblseg.benchmarks.cli import add_quick, add_size, parse_with_quick
from cblseg.benchmarks.train_step import compare_train_steps, format_summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument(
        '--model',
        choices=list(MODEL_PAIRS),
        default='ocrnet',
        help='the tiny baseline/CBL pair (default: ocrnet, the CPU demo)')
    parser.add_argument(
        '--steps', type=int, default=30, help='timed steps per model')
    parser.add_argument(
        '--warmup', type=int, default=5, help='untimed steps per model')
    parser.add_argument('--batch-size', type=int, default=4)
    add_size(parser, (128, 256), 'image size')
    parser.add_argument(
        '--threads', type=int, default=1, help='torch.set_num_threads')
    add_quick(
        parser, 'smoke test: 2 timed steps after 1 warm-up, batch 2 '
        'at 64x128')
    return parse_with_quick(
        parser, argv, dict(steps=2, warmup=1, batch_size=2, size=(64, 128)))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    height, width = args.size
    print(f'python {platform.python_version()}, torch {torch.__version__}, '
          f'cblseg {cblseg.__version__}, {platform.processor() or "cpu"}, '
          f'{torch.get_num_threads()} thread(s)')
    print(f'--model {args.model}: batch {args.batch_size} x 3 x {height} x '
          f'{width}, {args.warmup} warm-up + {args.steps} timed steps per '
          'model, interleaved')
    result = compare_train_steps(
        args.model,
        batch=args.batch_size,
        size=args.size,
        warmup=args.warmup,
        steps=args.steps)
    format_summary(result)
    return 0


if __name__ == '__main__':
    sys.exit(main())
