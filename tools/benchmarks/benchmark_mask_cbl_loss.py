# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark the mask-classification CBL against the authors' structure.

Times forward + backward (w.r.t. mask features, mask embeddings and class
logits) of

(a) ours: ``mask_conditional_boundary_loss(..., reference_quirks=True)``;
(b) ``cblseg.benchmarks.mask_cbl.authors_mask_cbl``: the loss computed
    the way the authors' Mask2Former criterion does (per-class depthwise
    neighbour sums of the D-channel mask features, per-image loops),

checks that both give the same values and gradients, and prints the ratio.
Inputs: ADE20K-like labels (K = 150, B = 2, 512 x 512, boundaries from
``GenerateBoundary(dilation=0.02)``), mask features 2 x 256 x 128 x 128,
Q = 100 queries (see ``make_mask_inputs``). Logic:
:mod:`cblseg.benchmarks.mask_cbl`.

Example::

    python tools/benchmarks/benchmark_mask_cbl_loss.py
    python tools/benchmarks/benchmark_mask_cbl_loss.py --quick  # smoke test
    python tools/benchmarks/benchmark_mask_cbl_loss.py --device cuda
"""
import argparse

import torch

from cblseg.benchmarks.cli import (add_device, add_quick, add_repeats,
                                   add_threads)
from cblseg.benchmarks.mask_cbl import (MASK_FULL_SIZE, MASK_QUICK_SIZE,
                                        run_mask_cbl_benchmark)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark the mask-classification CBL (fwd + bwd)')
    add_quick(parser,
              'small sizes (D=32, 32x32 features, Q=10, K=20): smoke test')
    add_device(parser)
    add_repeats(parser, 5, 'timed runs of ours')
    add_threads(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    run_mask_cbl_benchmark(
        torch.device(args.device),
        MASK_QUICK_SIZE if args.quick else MASK_FULL_SIZE,
        args.repeats,
        base_repeats=1 if args.quick else None,
        quick=args.quick)


if __name__ == '__main__':
    main()
