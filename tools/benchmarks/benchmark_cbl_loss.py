# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark the Conditional Boundary Loss against a per-class baseline.

Times forward + backward of

(a) ours: ``cblseg.models.losses.conditional_boundary_loss`` (default mode);
(b) a baseline built the way the CBL reference (``New_ER5OCRHead`` in
    dywu98/CBL-Conditional-Boundary-Loss) computes the loss: 256-channel
    ``F.one_hot`` of the labels; for every class present, depthwise k x k
    convolutions of the class-masked features and masks (the neighbour sums
    and counts); for the context term, a loop over images and window offsets
    on the gathered boundary positions with ``F.cosine_similarity`` and
    ``F.mse_loss``. It computes our default definition (class 0 counts,
    border pixels use their in-map neighbours, ignore-labelled neighbours
    are left out), so the script first asserts that (a) and (b) give the
    same loss values and feature gradients.

Inputs: B = 2 synthetic Cityscapes street scenes
(``cblseg.datasets.render_street_scene``, official id -> trainId LUT) at
512 x 1024, boundaries from ``GenerateBoundary(dilation=0.02)``, features
(B, 512, 128, 256) (the crop at 1/4), K = 19 logits that are right at about
80 % of the pixels, a random 1 x 1 classifier.

Logic: :mod:`cblseg.benchmarks.cbl_baseline`.

Example::

    python tools/benchmarks/benchmark_cbl_loss.py
    python tools/benchmarks/benchmark_cbl_loss.py --quick   # smoke test
    python tools/benchmarks/benchmark_cbl_loss.py --device cuda --repeats 20
"""
import argparse
from typing import List

import torch

from cblseg.benchmarks.cbl_baseline import (FULL_SIZE, QUICK_SIZE,
                                            run_cbl_loss_benchmark)
from cblseg.benchmarks.cli import (add_device, add_quick, add_repeats,
                                   add_threads)
from cblseg.utils.benchmark_timing import cpu_name


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark the Conditional Boundary Loss (fwd + bwd)')
    add_quick(parser, 'small sizes (C=32, 32x64 features), for a smoke test')
    add_device(parser, ('auto', 'cpu', 'cuda'), 'auto',
               'auto: CPU, plus CUDA if available')
    add_repeats(
        parser, None, 'timed runs of ours (default 5, quick 2); the '
        'baseline runs max(1, repeats // 5) times')
    add_threads(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    size = QUICK_SIZE if args.quick else FULL_SIZE
    repeats = args.repeats or (2 if args.quick else 5)
    print(f'CPU: {cpu_name()}; {torch.get_num_threads()} thread(s); '
          f'torch {torch.__version__}')
    devices: List[torch.device] = []
    if args.device in ('auto', 'cpu'):
        devices.append(torch.device('cpu'))
    if args.device == 'cuda' or (args.device == 'auto'
                                 and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise SystemExit('--device cuda: CUDA is not available')
        devices.append(torch.device('cuda'))
    elif args.device == 'auto':
        print('[cuda] skipped: torch.cuda.is_available() is False')
    for device in devices:
        run_cbl_loss_benchmark(device, size, repeats, quick=args.quick)


if __name__ == '__main__':
    main()
