# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark the label -> boundary op against the CBL reference method.

Measures, on one CPU thread, on synthetic Cityscapes-like label maps (19
classes, ignore regions, blobs / polygons / poles):

(a) ``cblseg.ops.label_to_boundary`` (numpy / OpenCV), median ms per label;
(b) the CBL reference method (re-implemented from its description): one-hot
    the label into 256 channels with ``F.one_hot``, then per present class
    pad one pixel of zeros, ``cv2.erode`` ``d`` times with a 3x3 kernel,
    subtract, union;
(c) an efficient per-class erosion (one ``cv2.erode`` with a
    ``(2d + 1) x (2d + 1)`` kernel per present class, no 256-channel one-hot);
(d) ``cblseg.ops.label_to_boundary_torch`` on CPU on a batch of 8 smaller
    labels, against (b) on the same labels;
(e) ``label_to_boundary_torch`` on CUDA on a batch of 8 full-size labels, if
    a GPU is available.

Every method's output is asserted equal to (a) first, so the timings compare
equal work. Logic: :mod:`cblseg.benchmarks.boundary_benchmark`.

Example::

    python tools/benchmarks/benchmark_boundary.py
    python tools/benchmarks/benchmark_boundary.py --quick   # smoke test
"""
import argparse

from cblseg.benchmarks.boundary_benchmark import QUICK, run_boundary_benchmark
from cblseg.benchmarks.cli import (add_quick, add_repeats, add_size,
                                   parse_with_quick)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark the label -> boundary op (see docstring).')
    add_size(parser, (1024, 2048),
             'label size for (a)-(c) and (e) (default: 1024 2048)')
    add_repeats(parser, 20, 'timed repeats of the fast methods (default: 20)')
    add_repeats(parser, 2,
                'timed runs of the slow reference method (default: 2)',
                '--reference-repeats')
    parser.add_argument(
        '--batch', type=int, default=8, help='batch size for (d) and (e)')
    add_quick(parser)
    return parse_with_quick(parser, argv, QUICK)


def main(argv=None):
    args = parse_args(argv)
    run_boundary_benchmark(
        tuple(args.size),
        repeats=args.repeats,
        reference_repeats=args.reference_repeats,
        batch=args.batch)


if __name__ == '__main__':
    main()
