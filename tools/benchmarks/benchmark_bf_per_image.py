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
printed.

Example::

    python tools/benchmarks/benchmark_bf_per_image.py
    python tools/benchmarks/benchmark_bf_per_image.py --quick   # smoke test
"""
import argparse
import statistics

import cv2
import numpy as np

from cblseg.datasets.benchmark_labels import synthetic_street_label
from cblseg.evaluation.functional import (GSCNN_TOLERANCE_RATIOS,
                                          per_image_boundary_counts,
                                          tolerance_pixels)
from cblseg.utils.benchmark_timing import cpu_name, time_ms

IGNORE = 255
NUM_CLASSES = 19


def synthetic_prediction(label: np.ndarray, seed: int) -> np.ndarray:
    """Boundaries moved by a 4x nearest down/up-sampling, ignore filled,
    a few wrong blobs."""
    height, width = label.shape
    rng = np.random.default_rng(seed)
    small = cv2.resize(
        label, (max(1, width // 4), max(1, height // 4)),
        interpolation=cv2.INTER_NEAREST)
    pred = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    pred[pred == IGNORE] = 0
    for _ in range(12):
        centre = (int(rng.integers(width)), int(rng.integers(height)))
        axes = (int(rng.integers(1, max(2, width // 40))),
                int(rng.integers(1, max(2, height // 20))))
        cv2.ellipse(pred, centre, axes, 0, 0, 360,
                    int(rng.integers(NUM_CLASSES)), -1)
    return pred


def _boundary(mask: np.ndarray) -> np.ndarray:
    """1-px boundary: differs from the right, lower or lower-right
    neighbour inside the image."""
    out = np.zeros_like(mask)
    out[:, :-1] |= mask[:, :-1] != mask[:, 1:]
    out[:-1, :] |= mask[:-1, :] != mask[1:, :]
    out[:-1, :-1] |= mask[:-1, :-1] != mask[1:, 1:]
    return out


def _disk(radius: int) -> np.ndarray:
    yy, xx = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    return (yy * yy + xx * xx <= radius * radius).astype(np.uint8)


def per_class_counts(pred: np.ndarray, gt: np.ndarray, ratios) -> np.ndarray:
    """(b): the counts of ``per_image_boundary_counts`` class by class."""
    radii = [tolerance_pixels(r, *gt.shape) for r in ratios]
    disks = [_disk(r) for r in radii]
    ignored = gt == IGNORE
    counts = np.zeros((2 + 2 * len(ratios), NUM_CLASSES), dtype=np.int64)
    for c in range(NUM_CLASSES):
        pred_b = _boundary((pred == c) & ~ignored)
        gt_b = _boundary((gt == c) & ~ignored)
        counts[0, c], counts[1, c] = pred_b.sum(), gt_b.sum()
        if not counts[0, c] or not counts[1, c]:
            continue
        for t, disk in enumerate(disks):
            gt_dil = cv2.dilate(gt_b.view(np.uint8), disk).view(bool)
            pred_dil = cv2.dilate(pred_b.view(np.uint8), disk).view(bool)
            counts[2 + 2 * t, c] = (pred_b & gt_dil).sum()
            counts[3 + 2 * t, c] = (gt_b & pred_dil).sum()
    return counts


def parse_args():
    parser = argparse.ArgumentParser(
        description='Benchmark the per-image boundary F-score (see '
        'docstring).')
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(1024, 2048),
        metavar=('H', 'W'),
        help='image size (default: 1024 2048)')
    parser.add_argument(
        '--repeats', type=int, default=5, help='timed repeats (default: 5)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='small size and few repeats, for a smoke test')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.quick:
        args.size, args.repeats = (128, 256), 2
    height, width = args.size
    cv2.setNumThreads(1)
    ratios = GSCNN_TOLERANCE_RATIOS
    radii = [tolerance_pixels(r, height, width) for r in ratios]
    print(f'CPU: {cpu_name()}; 1 thread; OpenCV {cv2.__version__}, numpy '
          f'{np.__version__}')
    print(f'synthetic street scene {height}x{width}, {NUM_CLASSES} classes + '
          f'ignore; tolerance ratios {ratios} = {radii} px')
    label = synthetic_street_label(height, width, seed=0)
    pred = synthetic_prediction(label, seed=0)
    ours = per_image_boundary_counts(pred, label, NUM_CLASSES, ratios, IGNORE)
    theirs = per_class_counts(pred, label, ratios)
    if not np.array_equal(ours, theirs):
        raise AssertionError(f'counts differ:\n ours\n{ours}\n per class\n'
                             f'{theirs}')
    print('both methods produced identical counts')
    # CPU time too: on a shared machine the wall clock also counts waiting
    ours_cpu, theirs_cpu = [], []
    ours_ms = statistics.median(
        time_ms(
            lambda: per_image_boundary_counts(pred, label, NUM_CLASSES, ratios,
                                              IGNORE),
            args.repeats,
            cpu_times=ours_cpu))
    theirs_ms = statistics.median(
        time_ms(
            lambda: per_class_counts(pred, label, ratios),
            args.repeats,
            cpu_times=theirs_cpu))
    print(f'{"method":<42} {"wall ms":>10} {"CPU ms":>10}')
    print(f'{"(a) ours, per_image_boundary_counts":<42} {ours_ms:10.1f} '
          f'{statistics.median(ours_cpu):10.1f}')
    print(f'{"(b) per class, seg2bmap + cv2.dilate":<42} {theirs_ms:10.1f} '
          f'{statistics.median(theirs_cpu):10.1f}')
    print(
        f'ratio (b) / (a): {theirs_ms / ours_ms:.1f}x wall clock, '
        f'{statistics.median(theirs_cpu) / statistics.median(ours_cpu):.1f}x '
        'CPU time')


if __name__ == '__main__':
    main()
