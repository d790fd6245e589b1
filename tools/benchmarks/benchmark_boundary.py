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
equal work.

Example::

    python tools/benchmarks/benchmark_boundary.py
    python tools/benchmarks/benchmark_boundary.py --quick   # smoke test
"""
import argparse
import statistics

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from cblseg.ops import (label_to_boundary, label_to_boundary_torch,
                        radius_from_dilation)
from cblseg.datasets.benchmark_labels import synthetic_street_label
from cblseg.utils.benchmark_timing import cpu_name, time_cuda_ms, time_ms

IGNORE = 255
NUM_CLASSES = 19
DILATION = 0.02


# --------------------------------------------------------------------------
# Methods compared with ours
# --------------------------------------------------------------------------
def reference_cbl_boundary(label: np.ndarray, radius: int) -> np.ndarray:
    """The CBL reference method, from its description: 256-channel one-hot
    with torch, then per present class pad / erode ``radius`` times with a
    3x3 kernel / subtract, union, ignore -> 255."""
    height, width = label.shape
    gt = torch.from_numpy(label).long()
    classes = [int(c) for c in np.unique(label) if c != IGNORE]
    boundary = np.full((height, width), IGNORE, dtype=np.uint8)
    if not classes:
        return boundary
    one_hot = F.one_hot(gt, 256)[:, :, classes]
    kernel = np.ones((3, 3), dtype=np.uint8)
    bands = []
    for index in range(len(classes)):
        mask = np.asarray(one_hot[:, :, index].numpy(), dtype=np.uint8)
        padded = cv2.copyMakeBorder(
            mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        eroded = cv2.erode(padded, kernel, iterations=radius)
        bands.append((mask - eroded[1:height + 1, 1:width + 1])[None])
    boundary = np.concatenate(bands, axis=0).sum(axis=0)
    boundary = np.minimum(boundary, 1).astype(np.uint8)
    boundary[label == IGNORE] = IGNORE
    return boundary


def per_class_erosion_boundary(label: np.ndarray, radius: int) -> np.ndarray:
    """A fair per-class baseline: one erosion with a (2d + 1) square per
    present class, zeros outside the image, no 256-channel one-hot."""
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.uint8)
    boundary = np.zeros(label.shape, dtype=np.uint8)
    for cls in np.unique(label):
        if cls == IGNORE:
            continue
        mask = (label == cls).view(np.uint8)
        eroded = cv2.erode(
            mask, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
        boundary |= mask - eroded
    boundary[label == IGNORE] = IGNORE
    return boundary


# --------------------------------------------------------------------------
# Timing
# --------------------------------------------------------------------------


def row(name: str, shape: str, radius: int, ms: float, note: str = ''):
    print(f'{name:<44} {shape:>16} {radius:>4} {ms:>12.2f}  {note}')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Benchmark the label -> boundary op (see docstring).')
    parser.add_argument(
        '--size',
        type=int,
        nargs=2,
        default=(1024, 2048),
        metavar=('H', 'W'),
        help='label size for (a)-(c) and (e) (default: 1024 2048)')
    parser.add_argument(
        '--repeats',
        type=int,
        default=20,
        help='timed repeats of the fast methods (default: 20)')
    parser.add_argument(
        '--reference-repeats',
        type=int,
        default=2,
        help='timed runs of the slow reference method (default: 2)')
    parser.add_argument(
        '--batch', type=int, default=8, help='batch size for (d) and (e)')
    parser.add_argument(
        '--quick',
        action='store_true',
        help='small sizes and few repeats, for a smoke test')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.quick:
        args.size, args.repeats, args.reference_repeats = (128, 256), 3, 1
        args.batch = 2
    height, width = args.size
    small_h, small_w = max(8, height // 4), max(8, width // 4)
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    radius = radius_from_dilation(DILATION, height, width)
    small_radius = radius_from_dilation(DILATION, small_h, small_w)

    print(f'CPU: {cpu_name()}; 1 thread; torch {torch.__version__}, '
          f'OpenCV {cv2.__version__}, numpy {np.__version__}')
    print(f'synthetic street labels, {NUM_CLASSES} classes + ignore, '
          f'dilation {DILATION}')
    print()
    print(f'{"method":<44} {"label":>16} {"d":>4} {"ms/label":>12}')
    print('-' * 90)

    label = synthetic_street_label(height, width, seed=0)
    shape = f'{height}x{width}'

    # (a) ours
    ours = label_to_boundary(label, radius)
    ours_ms = statistics.median(
        time_ms(lambda: label_to_boundary(label, radius), args.repeats))
    row('(a) ours: label_to_boundary (numpy/OpenCV)', shape, radius, ours_ms,
        f'median of {args.repeats}')

    # (b) reference
    reference = reference_cbl_boundary(label, radius)
    assert np.array_equal(reference, ours), 'reference differs from ours'
    reference_ms = statistics.median(
        time_ms(
            lambda: reference_cbl_boundary(label, radius),
            args.reference_repeats,
            warmup=0))
    row('(b) CBL reference (256-ch one-hot + erode)', shape, radius,
        reference_ms, f'median of {args.reference_repeats}')

    # (c) per-class erosion
    per_class = per_class_erosion_boundary(label, radius)
    assert np.array_equal(per_class, ours), 'per-class differs from ours'
    per_class_repeats = max(3, args.repeats // 4)
    per_class_ms = statistics.median(
        time_ms(lambda: per_class_erosion_boundary(label, radius),
                per_class_repeats))
    row('(c) per-class cv2.erode (2d+1 kernel)', shape, radius, per_class_ms,
        f'median of {per_class_repeats}')

    # (d) torch on CPU, batch of smaller labels
    small_labels = np.stack([
        synthetic_street_label(small_h, small_w, seed=seed)
        for seed in range(args.batch)
    ])
    small_shape = f'{args.batch}x{small_h}x{small_w}'
    batch = torch.from_numpy(small_labels).long()
    torch_out = label_to_boundary_torch(batch, small_radius).numpy()
    small_reference = [
        reference_cbl_boundary(lbl, small_radius) for lbl in small_labels
    ]
    assert np.array_equal(torch_out, np.stack(small_reference)), \
        'torch op differs from the reference'
    torch_ms = statistics.median(
        time_ms(lambda: label_to_boundary_torch(batch, small_radius),
                args.repeats)) / args.batch
    row('(d) ours: label_to_boundary_torch, CPU', small_shape, small_radius,
        torch_ms, 'per label, int64 batch')
    small_reference_ms = statistics.median(
        time_ms(
            lambda: [
                reference_cbl_boundary(lbl, small_radius)
                for lbl in small_labels
            ],
            1,
            warmup=0)) / args.batch
    row('(d) CBL reference on the same labels', small_shape, small_radius,
        small_reference_ms, 'per label')

    # (e) torch on CUDA
    cuda_ms = None
    if torch.cuda.is_available():
        big_labels = np.stack([
            synthetic_street_label(height, width, seed=seed)
            for seed in range(args.batch)
        ])
        big_batch = torch.from_numpy(big_labels).long().cuda()
        cuda_out = label_to_boundary_torch(big_batch, radius).cpu().numpy()
        assert np.array_equal(
            cuda_out,
            np.stack([label_to_boundary(lbl, radius) for lbl in big_labels
                      ])), 'CUDA torch op differs from ours'
        cuda_ms = statistics.median(
            time_cuda_ms(lambda: label_to_boundary_torch(big_batch, radius),
                         args.repeats)) / args.batch
        row('(e) ours: label_to_boundary_torch, CUDA', f'{args.batch}x{shape}',
            radius, cuda_ms, f'per label, {torch.cuda.get_device_name()}')
    print()
    print('all methods produced identical boundary maps')
    print(f'ratio (b) reference / (a) ours: '
          f'{reference_ms / ours_ms:8.1f}x   (target >= 100x)')
    print(f'ratio (c) per-class erosion / (a) ours: '
          f'{per_class_ms / ours_ms:8.1f}x')
    print(f'ratio (d) reference / torch op on CPU: '
          f'{small_reference_ms / torch_ms:8.1f}x   (target >= 20x)')
    print(f'(a) ours: {ours_ms:.2f} ms per {shape} label '
          f'(target <= 15 ms at 1024x2048)')
    if cuda_ms is None:
        print('(e) CUDA: skipped, torch.cuda.is_available() is False')


if __name__ == '__main__':
    main()
