# Copyright (c) cblseg contributors. All rights reserved.
"""What tools/benchmarks/benchmark_metrics.py runs: the boundary metrics
(``BoundaryIoUMetric``'s per-image counts) against the CBL reference
method and a per-class OpenCV implementation, on one CPU thread, on a
synthetic Cityscapes-like ground truth (19 classes plus ignore regions)
and a prediction made from it, all metrics at the defaults (band radius
from dilation 0.02; F-score tolerances 1, 3, 5 px):

(a) ours: ``cblseg.evaluation.boundary_counts`` (torch, int64 inputs as
    MMSeg delivers them, scratch buffers reused as in the metric);
(b) the CBL reference method (:func:`.cbl_reference_counts`; Boundary IoU
    only);
(c) a per-class OpenCV implementation of all the metrics
    (:func:`.opencv_counts`);
(d) ours on CUDA, a batch of 8 such images, if a GPU is available;
(e) the offline tool (``cblseg.evaluation.offline.evaluate_folders``, PNG
    decoding included) on a folder of images, images/s with 1 and with
    ``nproc`` worker processes (:func:`offline_throughput`).

Every method's counts are asserted equal to ours before timing.
"""
import os
import os.path as osp
import statistics
import tempfile
import time
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

import cv2
import numpy as np
import torch
from PIL import Image

from cblseg.datasets.benchmark_labels import (synthetic_prediction,
                                              synthetic_street_label)
from cblseg.evaluation import boundary_counts, count_row_names
from cblseg.evaluation.offline import evaluate_folders
from cblseg.ops import radius_from_dilation
from cblseg.ops.boundary import ScratchBuffers
from cblseg.utils.benchmark_timing import cpu_name, time_cuda_ms, time_ms
from .peers import opencv_counts
from .reference_methods import IGNORE, NUM_CLASSES, cbl_reference_counts

__all__ = [
    'run_metric_benchmark', 'assert_counts_equal', 'write_folder',
    'offline_throughput', 'QUICK', 'DILATION', 'TOLERANCES'
]

DILATION = 0.02
TOLERANCES = (1, 3, 5)
# --quick: small sizes and few repeats, for a smoke test
QUICK = dict(
    size=(128, 256),
    repeats=3,
    reference_repeats=1,
    folder_images=4,
    folder_size=(64, 128))


def assert_counts_equal(ours: np.ndarray,
                        theirs: Mapping[str, np.ndarray],
                        what: str,
                        tolerances: Sequence[int] = TOLERANCES) -> None:
    """Raise AssertionError naming the first row of ``ours`` (``R x K``
    counts in :func:`count_row_names` order) that differs from the row of
    the same name in ``theirs`` (rows ``theirs`` lacks are not compared)."""
    for index, name in enumerate(count_row_names(tolerances)):
        if name in theirs and not np.array_equal(ours[index], theirs[name]):
            raise AssertionError(f'{what}: {name} differs:\n ours   '
                                 f'{ours[index]}\n theirs {theirs[name]}')


def write_folder(root: str, labels: List[np.ndarray],
                 preds: List[np.ndarray]) -> None:
    """PNG pairs in the layout the offline tool reads with
    ``dataset='cityscapes'``: ``root/gt/*_gtFine_labelTrainIds.png`` and
    ``root/pred/*_leftImg8bit.png``."""
    os.makedirs(osp.join(root, 'pred'), exist_ok=True)
    os.makedirs(osp.join(root, 'gt'), exist_ok=True)
    for index, (label, pred) in enumerate(zip(labels, preds)):
        Image.fromarray(label).save(
            osp.join(root, 'gt', f'img{index:04d}_gtFine_labelTrainIds.png'))
        Image.fromarray(pred).save(
            osp.join(root, 'pred', f'img{index:04d}_leftImg8bit.png'))


def offline_throughput(root: str, num_images: int,
                       nproc: int) -> Tuple[Dict[int, float], dict, dict]:
    """``evaluate_folders`` on ``root`` (see :func:`write_folder`) with 1
    and ``nproc`` processes, best of two runs each (the machine may be
    shared with other jobs).

    Returns:
        tuple: images/s, CPU seconds of all processes of the best run, and
        the report's counts, each per process count.

    Raises:
        AssertionError: If a report misses images.
    """
    throughput, cpu, counts = {}, {}, {}
    for procs in sorted({1, nproc}):
        best, cpu_seconds = float('inf'), 0.0
        for _ in range(2):
            before = os.times()
            start = time.perf_counter()
            report = evaluate_folders(
                osp.join(root, 'pred'),
                osp.join(root, 'gt'),
                dataset='cityscapes',
                nproc=procs,
                progress=False)
            seconds = time.perf_counter() - start
            after = os.times()
            assert report['num_images'] == num_images, report
            if seconds < best:
                best = seconds
                cpu_seconds = sum(after[:4]) - sum(before[:4])
        counts[procs] = report['counts']
        throughput[procs] = num_images / best
        cpu[procs] = cpu_seconds
    return throughput, cpu, counts


def _cuda_ms(height: int, width: int, radius: int, repeats: int) -> float:
    """(d): ms per image of ``boundary_counts`` on a CUDA batch of 8,
    after checking its counts against the CPU's."""
    batch = 8
    labels = [
        synthetic_street_label(height, width, seed=s) for s in range(batch)
    ]
    preds = [synthetic_prediction(lbl, seed=s) for s, lbl in enumerate(labels)]
    gts = torch.from_numpy(np.stack(labels)).long().cuda()
    prs = torch.from_numpy(np.stack(preds)).long().cuda()
    scratch = ScratchBuffers()

    def counts():
        return boundary_counts(
            prs, gts, NUM_CLASSES, radius, IGNORE, TOLERANCES, scratch=scratch)

    cuda_counts = counts()
    for index in range(batch):
        expected = boundary_counts(
            torch.from_numpy(preds[index]).long(),
            torch.from_numpy(labels[index]).long(), NUM_CLASSES, radius,
            IGNORE, TOLERANCES).counts[0]
        assert torch.equal(cuda_counts.counts[index].cpu(), expected), \
            'CUDA counts differ from CPU counts'
    return statistics.median(time_cuda_ms(counts, repeats)) / batch


def run_metric_benchmark(size: Tuple[int, int] = (1024, 2048),
                         repeats: int = 20,
                         reference_repeats: int = 1,
                         folder_images: int = 64,
                         folder_size: Tuple[int, int] = (512, 1024),
                         nproc: int = 2,
                         log: Callable[[str], None] = print) -> dict:
    """Check, time and print (a)-(e); return the medians (``ours``,
    ``reference``, ``per_class``, ``cuda`` (None without a GPU), ms per
    image) and ``throughput`` (images/s per process count).

    Raises:
        AssertionError: If a method's counts differ from ours.
    """
    height, width = size
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    radius = radius_from_dilation(DILATION, height, width)

    def row(name: str, shape: str, ms: float, note: str = ''):
        log(f'{name:<52} {shape:>14} {ms:>11.2f}  {note}')

    log(f'CPU: {cpu_name()}; 1 thread; torch {torch.__version__}, '
        f'OpenCV {cv2.__version__}, numpy {np.__version__}')
    log(f'synthetic street scene {height}x{width}, {NUM_CLASSES} classes + '
        f'ignore; band radius d = {radius} (dilation {DILATION}), '
        f'F-score tolerances {TOLERANCES} px')
    log('')
    log(f'{"method":<52} {"image":>14} {"ms/image":>11}')
    log('-' * 96)
    shape = f'{height}x{width}'
    label = synthetic_street_label(height, width, seed=0)
    pred = synthetic_prediction(label, seed=0)
    gt_tensor = torch.from_numpy(label).long()  # as PackSegInputs delivers
    pred_tensor = torch.from_numpy(pred).long()  # as the model predicts
    scratch = ScratchBuffers()

    def ours_fn(scratch=scratch):
        return boundary_counts(
            pred_tensor,
            gt_tensor,
            NUM_CLASSES,
            radius,
            IGNORE,
            TOLERANCES,
            scratch=scratch)

    ours_counts = ours_fn().counts[0].numpy()
    first_ms = time_ms(lambda: ours_fn(None), 1, warmup=0)[0]
    ours_cpu = []
    ours_times = time_ms(ours_fn, repeats, cpu_times=ours_cpu)
    ours_ms = statistics.median(ours_times)
    row(
        '(a) ours: boundary_counts, torch CPU', shape, ours_ms,
        f'median of {repeats} (min {min(ours_times):.1f}; CPU time '
        f'{statistics.median(ours_cpu):.1f}; fresh buffers {first_ms:.1f})')

    # (b) the CBL reference
    reference = cbl_reference_counts(pred, label, radius)
    assert_counts_equal(ours_counts, reference, 'CBL reference')
    reference_ms = statistics.median(
        time_ms(
            lambda: cbl_reference_counts(pred, label, radius),
            reference_repeats,
            warmup=0))
    row('(b) CBL reference: 256-ch one-hot + 3x3 erode x d', shape,
        reference_ms, f'median of {reference_repeats}; BIoU only')

    # (c) per-class OpenCV
    per_class = opencv_counts(pred, label, radius)
    assert_counts_equal(ours_counts, per_class, 'per-class OpenCV')
    per_class_repeats = max(3, repeats // 4)
    per_class_ms = statistics.median(
        time_ms(lambda: opencv_counts(pred, label, radius), per_class_repeats))
    row('(c) per-class OpenCV (erode/dilate per class)', shape, per_class_ms,
        f'median of {per_class_repeats}; all metrics')

    # (d) CUDA
    cuda_ms = None
    if torch.cuda.is_available():
        cuda_ms = _cuda_ms(height, width, radius, repeats)
        row('(d) ours: boundary_counts, CUDA, batch of 8', shape, cuda_ms,
            f'per image, {torch.cuda.get_device_name()}')

    # (e) offline tool throughput
    folder_h, folder_w = folder_size
    labels = [
        synthetic_street_label(folder_h, folder_w, seed=100 + s)
        for s in range(folder_images)
    ]
    preds = [
        synthetic_prediction(lbl, seed=100 + s) for s, lbl in enumerate(labels)
    ]
    with tempfile.TemporaryDirectory() as root:
        write_folder(root, labels, preds)
        throughput, cpu, counts = offline_throughput(root, folder_images,
                                                     nproc)
    for procs in sorted(throughput):
        row(
            f'(e) offline tool, --nproc {procs}', f'{folder_h}x{folder_w}',
            1e3 / throughput[procs], f'{throughput[procs]:.1f} images/s over '
            f'{folder_images} PNG pairs (best of 2; '
            f'{cpu[procs]:.2f} s CPU in all processes)')
    assert all(c == counts[1] for c in counts.values()), \
        'offline counts depend on nproc'

    log('')
    log('all methods produced identical counts')
    log(f'ratio (b) CBL reference / (a) ours: '
        f'{reference_ms / ours_ms:8.1f}x   (target >= 50x)')
    log(f'ratio (c) per-class OpenCV / (a) ours: '
        f'{per_class_ms / ours_ms:8.1f}x')
    if nproc != 1:
        log(f'ratio (e) offline throughput --nproc {nproc} / --nproc 1:'
            f' {throughput[nproc] / throughput[1]:5.2f}x   '
            f'({os.cpu_count()} CPUs visible)')
    log(f'(a) ours: {ours_ms:.1f} ms per {shape} image, all metrics '
        f'(target <= 60 ms at 1024x2048; CPU time '
        f'{statistics.median(ours_cpu):.1f} ms)')
    if cuda_ms is None:
        log('(d) CUDA: skipped, torch.cuda.is_available() is False')
    return dict(
        ours=ours_ms,
        reference=reference_ms,
        per_class=per_class_ms,
        cuda=cuda_ms,
        throughput=throughput)
