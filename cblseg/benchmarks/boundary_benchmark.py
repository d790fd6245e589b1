# Copyright (c) cblseg contributors. All rights reserved.
"""What tools/benchmarks/benchmark_boundary.py runs: the label -> boundary
op against the CBL reference method, on one CPU thread, on synthetic
Cityscapes-like label maps (19 classes, ignore regions):

(a) ``cblseg.ops.label_to_boundary`` (numpy / OpenCV);
(b) the CBL reference method (:func:`.reference_cbl_boundary`);
(c) an efficient per-class erosion (:func:`.per_class_erosion_boundary`);
(d) ``cblseg.ops.label_to_boundary_torch`` on CPU on a batch of smaller
    labels, against (b) on the same labels;
(e) ``label_to_boundary_torch`` on CUDA on a batch of full-size labels, if
    a GPU is available.

Every method's output is asserted equal to (a) first, so the timings compare
equal work.
"""
import statistics
from typing import Callable, Dict, Optional, Tuple

import cv2
import numpy as np
import torch

from cblseg.datasets.benchmark_labels import synthetic_street_label
from cblseg.ops import (label_to_boundary, label_to_boundary_torch,
                        radius_from_dilation)
from cblseg.utils.benchmark_timing import cpu_name, time_cuda_ms, time_ms
from .reference_methods import (NUM_CLASSES, per_class_erosion_boundary,
                                reference_cbl_boundary)

__all__ = ['run_boundary_benchmark', 'DILATION', 'QUICK']

DILATION = 0.02
# --quick: small sizes and few repeats, for a smoke test
QUICK = dict(size=(128, 256), repeats=3, reference_repeats=1, batch=2)


def run_boundary_benchmark(
        size: Tuple[int, int] = (1024, 2048),
        repeats: int = 20,
        reference_repeats: int = 2,
        batch: int = 8,
        log: Callable[[str], None] = print) -> Dict[str, Optional[float]]:
    """Check, time and print (a)-(e); return the medians in ms per label
    (``ours``, ``reference``, ``per_class``, ``torch_cpu``,
    ``reference_small``, ``cuda`` (None without a GPU)).

    Raises:
        AssertionError: If a method's boundary map differs from ours.
    """
    height, width = size
    small_h, small_w = max(8, height // 4), max(8, width // 4)
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    radius = radius_from_dilation(DILATION, height, width)
    small_radius = radius_from_dilation(DILATION, small_h, small_w)

    def row(name: str, shape: str, d: int, ms: float, note: str = ''):
        log(f'{name:<44} {shape:>16} {d:>4} {ms:>12.2f}  {note}')

    log(f'CPU: {cpu_name()}; 1 thread; torch {torch.__version__}, '
        f'OpenCV {cv2.__version__}, numpy {np.__version__}')
    log(f'synthetic street labels, {NUM_CLASSES} classes + ignore, '
        f'dilation {DILATION}')
    log('')
    log(f'{"method":<44} {"label":>16} {"d":>4} {"ms/label":>12}')
    log('-' * 90)

    label = synthetic_street_label(height, width, seed=0)
    shape = f'{height}x{width}'

    # (a) ours
    ours = label_to_boundary(label, radius)
    ours_ms = statistics.median(
        time_ms(lambda: label_to_boundary(label, radius), repeats))
    row('(a) ours: label_to_boundary (numpy/OpenCV)', shape, radius, ours_ms,
        f'median of {repeats}')

    # (b) reference
    reference = reference_cbl_boundary(label, radius)
    assert np.array_equal(reference, ours), 'reference differs from ours'
    reference_ms = statistics.median(
        time_ms(
            lambda: reference_cbl_boundary(label, radius),
            reference_repeats,
            warmup=0))
    row('(b) CBL reference (256-ch one-hot + erode)', shape, radius,
        reference_ms, f'median of {reference_repeats}')

    # (c) per-class erosion
    per_class = per_class_erosion_boundary(label, radius)
    assert np.array_equal(per_class, ours), 'per-class differs from ours'
    per_class_repeats = max(3, repeats // 4)
    per_class_ms = statistics.median(
        time_ms(lambda: per_class_erosion_boundary(label, radius),
                per_class_repeats))
    row('(c) per-class cv2.erode (2d+1 kernel)', shape, radius, per_class_ms,
        f'median of {per_class_repeats}')

    # (d) torch on CPU, batch of smaller labels
    small_labels = np.stack([
        synthetic_street_label(small_h, small_w, seed=seed)
        for seed in range(batch)
    ])
    small_shape = f'{batch}x{small_h}x{small_w}'
    labels = torch.from_numpy(small_labels).long()
    torch_out = label_to_boundary_torch(labels, small_radius).numpy()
    small_reference = [
        reference_cbl_boundary(lbl, small_radius) for lbl in small_labels
    ]
    assert np.array_equal(torch_out, np.stack(small_reference)), \
        'torch op differs from the reference'
    torch_ms = statistics.median(
        time_ms(lambda: label_to_boundary_torch(labels, small_radius),
                repeats)) / batch
    row('(d) ours: label_to_boundary_torch, CPU', small_shape, small_radius,
        torch_ms, 'per label, int64 batch')
    small_reference_ms = statistics.median(
        time_ms(
            lambda: [
                reference_cbl_boundary(lbl, small_radius)
                for lbl in small_labels
            ],
            1,
            warmup=0)) / batch
    row('(d) CBL reference on the same labels', small_shape, small_radius,
        small_reference_ms, 'per label')

    # (e) torch on CUDA
    cuda_ms = None
    if torch.cuda.is_available():
        big_labels = np.stack([
            synthetic_street_label(height, width, seed=seed)
            for seed in range(batch)
        ])
        big_batch = torch.from_numpy(big_labels).long().cuda()
        cuda_out = label_to_boundary_torch(big_batch, radius).cpu().numpy()
        assert np.array_equal(
            cuda_out,
            np.stack([label_to_boundary(lbl, radius) for lbl in big_labels
                      ])), 'CUDA torch op differs from ours'
        cuda_ms = statistics.median(
            time_cuda_ms(lambda: label_to_boundary_torch(big_batch, radius),
                         repeats)) / batch
        row('(e) ours: label_to_boundary_torch, CUDA', f'{batch}x{shape}',
            radius, cuda_ms, f'per label, {torch.cuda.get_device_name()}')
    log('')
    log('all methods produced identical boundary maps')
    log(f'ratio (b) reference / (a) ours: '
        f'{reference_ms / ours_ms:8.1f}x   (target >= 100x)')
    log(f'ratio (c) per-class erosion / (a) ours: '
        f'{per_class_ms / ours_ms:8.1f}x')
    log(f'ratio (d) reference / torch op on CPU: '
        f'{small_reference_ms / torch_ms:8.1f}x   (target >= 20x)')
    log(f'(a) ours: {ours_ms:.2f} ms per {shape} label '
        f'(target <= 15 ms at 1024x2048)')
    if cuda_ms is None:
        log('(e) CUDA: skipped, torch.cuda.is_available() is False')
    return dict(
        ours=ours_ms,
        reference=reference_ms,
        per_class=per_class_ms,
        torch_cpu=torch_ms,
        reference_small=small_reference_ms,
        cuda=cuda_ms)
