# Copyright (c) cblseg contributors. All rights reserved.
"""Benchmark the boundary metrics (``BoundaryIoUMetric``'s per-image counts)
against the CBL reference method and a per-class OpenCV implementation.

On one CPU thread, one synthetic Cityscapes-like 1024 x 2048 ground truth
(19 classes plus ignore regions) and a prediction made from it (boundaries
moved by a 4x down/up-sampling, ignore regions filled with classes, a few
wrong blobs), all metrics at the defaults (band radius from dilation 0.02,
i.e. d = 46; F-score tolerances 1, 3, 5 px):

(a) ours: ``cblseg.evaluation.boundary_counts`` (torch, what the metric runs
    per image; int64 inputs as MMSeg delivers them, scratch buffers reused
    as in the metric), median ms;
(b) the CBL reference method (re-implemented from its description, biou.py):
    ground truth and prediction each one-hot into 256 channels with torch,
    each present class padded and eroded ``d`` times with a 3x3 kernel by
    OpenCV, then the per-class Boundary IoU counts. Only so that the counts
    can be compared, the ignore pixels are set in each ground-truth class
    mask before its erosion (our ignore rule; same cost);
(c) an efficient per-class OpenCV implementation of all the metrics: region
    counts with ``np.bincount``, per present class one ``cv2.erode`` with a
    ``(2d + 1)`` square for each band, one 3x3 erosion for each contour and
    one ``cv2.dilate`` per tolerance and side for the F-score;
(d) ours on CUDA, a batch of 8 such images, if a GPU is available;
(e) the offline tool (``cblseg.evaluation.offline.evaluate_folders``, PNG
    decoding included) on a folder of images, images/s with 1 and with
    ``--nproc`` worker processes.

Every method's counts are asserted equal to ours before timing. Logic:
:mod:`cblseg.benchmarks.metric_benchmark`.

Example::

    python tools/benchmarks/benchmark_metrics.py
    python tools/benchmarks/benchmark_metrics.py --quick   # smoke test
"""
import argparse

from cblseg.benchmarks.cli import (add_quick, add_repeats, add_size,
                                   parse_with_quick)
from cblseg.benchmarks.metric_benchmark import QUICK, run_metric_benchmark


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Benchmark the boundary metrics (see docstring).')
    add_size(parser, (1024, 2048))
    add_repeats(parser, 20, 'timed repeats of ours (default: 20)')
    add_repeats(parser, 1, 'timed runs of the CBL reference (default: 1)',
                '--reference-repeats')
    parser.add_argument(
        '--folder-images',
        type=int,
        default=64,
        help='images for the offline-tool throughput (default: 64)')
    add_size(parser, (512, 1024), 'their size (default: 512 1024)',
             '--folder-size')
    parser.add_argument(
        '--nproc',
        type=int,
        default=2,
        help='worker processes for the throughput comparison (default: 2)')
    add_quick(parser)
    return parse_with_quick(parser, argv, QUICK)


def main(argv=None):
    args = parse_args(argv)
    run_metric_benchmark(
        tuple(args.size),
        repeats=args.repeats,
        reference_repeats=args.reference_repeats,
        folder_images=args.folder_images,
        folder_size=tuple(args.folder_size),
        nproc=args.nproc)


if __name__ == '__main__':
    main()
