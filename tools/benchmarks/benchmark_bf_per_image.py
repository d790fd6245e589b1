# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark the per-image boundary F-score (``bf_protocol='per_image'``,
the GSCNN / SegFix protocol) against a per-class implementation built like
the published evaluation code.

On one CPU thread, one synthetic Cityscapes-like ground truth (19 classes
plus ignore regions) and a prediction made from it (as in
``benchmark_metrics.py``), at GSCNN's tolerance ratios (3, 5, 9, 12 px at
1024 x 2048):

(a) ours: ``cblseg.evaluation.functional.per_image_boundary_counts``: every
    class's 1-px boundary from the differing neighbour pairs at once, then
    per class one exact Euclidean distance transform per side (OpenCV) on
    the bounding box of its boundaries, all tolerances read from it;
(b) per class as GSCNN's ``utils/f_boundary.py`` / openseg's
    ``F1_running_score.py`` work (re-implemented here from their
    description): the two class masks with the ignore pixels cleared, their
    ``seg2bmap`` boundaries, and per tolerance one ``cv2.dilate`` of each
    boundary with a disk (what openseg runs; GSCNN uses scikit-image's
    slower ``binary_dilation``).

The counts of (b) are asserted equal to ours before timing; the ratio is
printed. Logic: :mod:`cblseg.benchmarks.bf_benchmark`.

Example::

    python tools/benchmarks/benchmark_bf_per_image.py
    python tools/benchmarks/benchmark_bf_per_image.py --quick   # smoke test
"""
import argparse

from cblseg.benchmarks.bf_benchmark import QUICK, run_bf_benchmark
from cblseg.benchmarks.cli import (add_quick, add_repeats, add_size,
                                   parse_with_quick)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark the per-image boundary F-score (see '
        'docstring).')
    add_size(parser, (1024, 2048))
    add_repeats(parser, 5)
    add_quick(parser, 'small size and few repeats, for a smoke test')
    return parse_with_quick(parser, argv, QUICK)


def main(argv=None):
    args = parse_args(argv)
    run_bf_benchmark(tuple(args.size), repeats=args.repeats)


if __name__ == '__main__':
    main()
