# Copyright (c) cblseg contributors. All rights reserved.
"""What tools/benchmarks/benchmark_bf_per_image.py runs: the per-image
boundary F-score (``bf_protocol='per_image'``, the GSCNN / SegFix
protocol) against a per-class implementation built like the published
evaluation code, on one CPU thread, on one synthetic Cityscapes-like
ground truth and a prediction made from it (ignore regions filled with
class 0), at GSCNN's tolerance ratios:

(a) ours: ``cblseg.evaluation.functional.per_image_boundary_counts``;
(b) per class as GSCNN / openseg (:func:`.per_class_bf_counts`).

The counts of (b) are asserted equal to ours before timing.
"""
import statistics
from typing import Callable, Dict, Tuple

import cv2
import numpy as np

from cblseg.datasets.benchmark_labels import (synthetic_prediction,
                                              synthetic_street_label)
from cblseg.evaluation.functional import (GSCNN_TOLERANCE_RATIOS,
                                          per_image_boundary_counts,
                                          tolerance_pixels)
from cblseg.utils.benchmark_timing import cpu_name, time_ms
from .reference_methods import IGNORE, NUM_CLASSES, per_class_bf_counts

__all__ = ['run_bf_benchmark', 'bf_case', 'QUICK']

# --quick: small size and few repeats, for a smoke test
QUICK = dict(size=(128, 256), repeats=2)


def bf_case(height: int,
            width: int,
            seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """The benchmark's ``(pred, label)``: a synthetic street label and a
    prediction with moved boundaries, ignore filled with class 0 and a few
    wrong blobs."""
    label = synthetic_street_label(height, width, seed=seed)
    return synthetic_prediction(label, seed=seed, fill_ignore=0), label


def run_bf_benchmark(size: Tuple[int, int] = (1024, 2048),
                     repeats: int = 5,
                     log: Callable[[str], None] = print) -> Dict[str, float]:
    """Check, time and print (a) and (b); return the median wall and CPU
    ms of each (``ours``, ``ours_cpu``, ``per_class``, ``per_class_cpu``).

    Raises:
        AssertionError: If the counts of (b) differ from ours.
    """
    height, width = size
    cv2.setNumThreads(1)
    ratios = GSCNN_TOLERANCE_RATIOS
    radii = [tolerance_pixels(r, height, width) for r in ratios]
    log(f'CPU: {cpu_name()}; 1 thread; OpenCV {cv2.__version__}, numpy '
        f'{np.__version__}')
    log(f'synthetic street scene {height}x{width}, {NUM_CLASSES} classes + '
        f'ignore; tolerance ratios {ratios} = {radii} px')
    pred, label = bf_case(height, width)

    def ours():
        return per_image_boundary_counts(pred, label, NUM_CLASSES, ratios,
                                         IGNORE)

    def theirs():
        return per_class_bf_counts(pred, label, ratios)

    ours_counts, theirs_counts = ours(), theirs()
    if not np.array_equal(ours_counts, theirs_counts):
        raise AssertionError(f'counts differ:\n ours\n{ours_counts}\n per '
                             f'class\n{theirs_counts}')
    log('both methods produced identical counts')
    # CPU time too: on a shared machine the wall clock also counts waiting
    ours_cpu, theirs_cpu = [], []
    ours_ms = statistics.median(time_ms(ours, repeats, cpu_times=ours_cpu))
    theirs_ms = statistics.median(
        time_ms(theirs, repeats, cpu_times=theirs_cpu))
    ours_cpu_ms = statistics.median(ours_cpu)
    theirs_cpu_ms = statistics.median(theirs_cpu)
    log(f'{"method":<42} {"wall ms":>10} {"CPU ms":>10}')
    log(f'{"(a) ours, per_image_boundary_counts":<42} {ours_ms:10.1f} '
        f'{ours_cpu_ms:10.1f}')
    log(f'{"(b) per class, seg2bmap + cv2.dilate":<42} {theirs_ms:10.1f} '
        f'{theirs_cpu_ms:10.1f}')
    log(f'ratio (b) / (a): {theirs_ms / ours_ms:.1f}x wall clock, '
        f'{theirs_cpu_ms / ours_cpu_ms:.1f}x CPU time')
    return dict(
        ours=ours_ms,
        ours_cpu=ours_cpu_ms,
        per_class=theirs_ms,
        per_class_cpu=theirs_cpu_ms)
