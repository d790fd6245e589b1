# Copyright (c) cblseg contributors. All rights reserved.
"""Offline evaluation of a folder of predicted index PNGs against a folder of
ground-truth index PNGs with the metrics of ``BoundaryIoUMetric``.

Files are matched by name: a prediction ``<key><pred_suffix>`` goes with the
ground truth ``<key><gt_suffix>`` (both folders are searched recursively),
e.g. for Cityscapes ``aachen_000000_000019_leftImg8bit.png`` (what MMSeg's
``output_dir`` / ``tools/test.py --out`` writes) with
``aachen_000000_000019_gtFine_labelTrainIds.png``. Unmatched, duplicated,
unreadable and invalid files are listed in the report instead of stopping
the run. Images are counted in ``nproc`` worker processes; the per-image
counts are integers, so the result does not depend on ``nproc`` or order.

Used by ``tools/eval_boundary.py``.
"""
import json
import os
import os.path as osp
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from PIL import Image

from cblseg.datasets.dataset_meta import dataset_metainfo, reduce_zero_label
from cblseg.ops import check_radius_options, resolve_radius
from cblseg.ops.boundary import ScratchBuffers
from cblseg.utils import single_opencv_thread_for_fork
from .functional.boundary_counts import (boundary_counts, check_tolerances,
                                         count_row_names)
from .functional.boundary_fscore_per_image import (GSCNN_TOLERANCE_RATIOS,
                                                   check_tolerance_ratios,
                                                   per_image_boundary_counts)
from .metrics.boundary_iou_metric import (BF_PROTOCOLS, DEFAULT_TOLERANCES,
                                          add_per_image_scores, class_table,
                                          json_float, per_class_dict,
                                          summarize_counts)

__all__ = [
    'DATASET_PRESETS', 'dataset_preset', 'PairScan', 'find_pairs',
    'read_index_png', 'evaluate_folders', 'format_report', 'write_report'
]

#: File name endings of the supported datasets, as MMSeg's dataset classes
#: and ``tools/test.py --out`` name the files; the classes and
#: ``reduce_zero_label`` come from MMSeg's dataset (:func:`dataset_preset`).
DATASET_PRESETS = {
    # gtFine/<split>/<city>/<key>_gtFine_labelTrainIds.png
    'cityscapes':
    dict(
        gt_suffix='_gtFine_labelTrainIds.png', pred_suffix='_leftImg8bit.png'),
    # VOC2012/SegmentationClass/<key>.png
    'voc':
    dict(gt_suffix='.png', pred_suffix='.png'),
    # ADEChallengeData2016/annotations/<split>/<key>.png (0 = other)
    'ade20k':
    dict(gt_suffix='.png', pred_suffix='.png'),
    # VOC2010/SegmentationClassContext/<key>.png (0 = background, a class
    # of the 60-class set, ignored by the 59-class set)
    'pascal_context':
    dict(gt_suffix='.png', pred_suffix='.png'),
    'pascal_context_59':
    dict(gt_suffix='.png', pred_suffix='.png'),
}


def dataset_preset(dataset: str) -> Dict:
    """File suffixes (:data:`DATASET_PRESETS`) with the classes and
    ``reduce_zero_label`` of MMSeg's dataset class
    (:func:`~cblseg.datasets.dataset_meta.dataset_metainfo`).

    Returns:
        dict: ``classes``, ``reduce_zero_label``, ``gt_suffix``,
        ``pred_suffix``.
    """
    if dataset not in DATASET_PRESETS:
        raise ValueError(f'unknown dataset {dataset!r}; choose from '
                         f'{sorted(DATASET_PRESETS)}')
    meta = dataset_metainfo(dataset)
    return dict(
        DATASET_PRESETS[dataset],
        classes=meta['classes'],
        reduce_zero_label=meta['reduce_zero_label'])


# Modes of single-channel index PNGs.
_INDEX_MODES = ('1', 'L', 'P', 'I', 'I;16', 'I;16B', 'I;16L')


@dataclass
class PairScan:
    """Files found in the two folders.

    Attributes:
        pairs (list): ``(key, prediction path, ground-truth path)``, sorted.
        unmatched_predictions (list): Predictions without ground truth.
        unmatched_ground_truth (list): Ground truth without a prediction.
        duplicates (list): Files whose key occurs more than once in the same
            folder (left out: which one is meant is ambiguous).
    """
    pairs: List[Tuple[str, str, str]] = field(default_factory=list)
    unmatched_predictions: List[str] = field(default_factory=list)
    unmatched_ground_truth: List[str] = field(default_factory=list)
    duplicates: List[str] = field(default_factory=list)


def _scan(root: str, suffix: str) -> Tuple[Dict[str, str], List[str]]:
    found: Dict[str, List[str]] = {}
    for directory, _, filenames in os.walk(root, followlinks=True):
        for filename in filenames:
            if filename.endswith(suffix) and len(filename) > len(suffix):
                key = filename[:-len(suffix)]
                found.setdefault(key, []).append(osp.join(directory, filename))
    unique = {key: paths[0] for key, paths in found.items() if len(paths) == 1}
    duplicates = sorted(path for paths in found.values() if len(paths) > 1
                        for path in paths)
    return unique, duplicates


def find_pairs(pred_dir: str, gt_dir: str, pred_suffix: str,
               gt_suffix: str) -> PairScan:
    """Match ``<key><pred_suffix>`` files under ``pred_dir`` with
    ``<key><gt_suffix>`` files under ``gt_dir`` (recursively)."""
    for name, directory in (('prediction', pred_dir), ('ground-truth',
                                                       gt_dir)):
        if not osp.isdir(directory):
            raise FileNotFoundError(
                f'{name} folder {directory!r} does not exist')
    preds, pred_duplicates = _scan(pred_dir, pred_suffix)
    gts, gt_duplicates = _scan(gt_dir, gt_suffix)
    keys = sorted(set(preds) & set(gts))
    return PairScan(
        pairs=[(key, preds[key], gts[key]) for key in keys],
        unmatched_predictions=sorted(preds[k] for k in set(preds) - set(gts)),
        unmatched_ground_truth=sorted(gts[k] for k in set(gts) - set(preds)),
        duplicates=pred_duplicates + gt_duplicates)


def read_index_png(path: str) -> np.ndarray:
    """Read a single-channel index PNG (``L``, ``P``, ``I``... modes: the
    pixel values are the labels, a palette is not applied).

    Raises:
        ValueError: If the file cannot be read or has several channels.
    """
    try:
        with Image.open(path) as image:
            mode = image.mode
            if mode not in _INDEX_MODES:
                raise ValueError(
                    f'mode {mode} with {len(image.getbands())} channels; '
                    'expected an index PNG (one channel of class indices)')
            array = np.array(image)
    except ValueError:
        raise
    except Exception as error:  # PIL raises many types on broken files
        raise ValueError(f'cannot read: {type(error).__name__}: {error}')
    if array.dtype == np.bool_:
        array = array.astype(np.uint8)
    return array


# --------------------------------------------------------------------------
# Workers
# --------------------------------------------------------------------------
_WORKER: Dict[str, object] = {}


def _init_worker(settings: dict, threads: Optional[int]) -> None:
    if threads is not None:
        # One thread per worker: the processes share the cores (OpenCV's
        # count is set before the fork, single_opencv_thread_for_fork).
        torch.set_num_threads(threads)
    _WORKER.clear()
    _WORKER.update(settings)
    _WORKER['scratch'] = ScratchBuffers()


def _count_pair(pair: Tuple[str, str, str]):
    """Counts of one pair: ``(key, pred_path, counts, cbl, error,
    bf_counts)`` (``bf_counts``: the per-image protocol's, or None)."""
    key, pred_path, gt_path = pair
    settings = _WORKER
    try:
        pred = read_index_png(pred_path)
    except ValueError as error:
        return key, pred_path, None, None, f'{pred_path}: {error}', None
    try:
        gt = read_index_png(gt_path)
    except ValueError as error:
        return key, pred_path, None, None, f'{gt_path}: {error}', None
    if pred.shape != gt.shape:
        return (key, pred_path, None, None,
                f'{pred_path}: prediction of shape {pred.shape} but ground '
                f'truth {gt_path} of shape {gt.shape}', None)
    if settings['reduce_zero_label']:
        if (pred == 0).any():
            # 0 would become the ignore index: a silent "no class" pixel
            return (key, pred_path, None, None,
                    f'{pred_path}: the prediction holds 0, but with '
                    'reduce_zero_label predictions are in the label files\' '
                    'values 1..K (as tools/test.py --out writes them for '
                    'this dataset); give 0-based predictions with '
                    '--no-reduce-zero-label and 0-based ground truth', None)
        # both folders hold the files' values: 0 -> 255, v -> v - 1
        pred, gt = reduce_zero_label(pred), reduce_zero_label(gt)
    radius = resolve_radius(
        *gt.shape, dilation=settings['dilation'], radius=settings['radius'])
    device = torch.device(settings['device'])
    try:
        result = boundary_counts(
            torch.from_numpy(pred).to(device),
            torch.from_numpy(gt).to(device),
            settings['num_classes'],
            radius,
            settings['ignore_index'],
            settings['tolerances'],
            cbl_binary=settings['cbl_biou'],
            scratch=settings['scratch'],
            names=[pred_path])
    except ValueError as error:
        message = str(error)
        if message.startswith(pred_path):
            # name the ground-truth file when the ground truth is at fault
            message = message.replace(f'{pred_path}: the ground truth',
                                      f'{gt_path}: the ground truth', 1)
        return key, pred_path, None, None, message, None
    counts = result.counts[0].cpu().numpy()
    cbl = None if result.cbl is None else result.cbl[0].cpu().numpy()
    bf_counts = None
    if settings['bf_tolerance_ratios']:
        # labels were validated by boundary_counts above
        bf_counts = per_image_boundary_counts(pred, gt,
                                              settings['num_classes'],
                                              settings['bf_tolerance_ratios'],
                                              settings['ignore_index'],
                                              pred_path)
    return key, pred_path, counts, cbl, None, bf_counts


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------
def evaluate_folders(pred_dir: str,
                     gt_dir: str,
                     dataset: Optional[str] = None,
                     num_classes: Optional[int] = None,
                     class_names: Optional[Sequence[str]] = None,
                     pred_suffix: Optional[str] = None,
                     gt_suffix: Optional[str] = None,
                     ignore_index: int = 255,
                     dilation: Optional[float] = None,
                     radius: Optional[int] = None,
                     tolerances: Optional[Sequence[int]] = None,
                     cbl_biou: bool = False,
                     nproc: int = 1,
                     device: str = 'cpu',
                     progress: bool = True,
                     bf_protocol: str = 'counts',
                     bf_tolerance_ratios: Optional[Sequence[float]] = None,
                     reduce_zero_label: Optional[bool] = None) -> dict:
    """Evaluate every matched pair of index PNGs.

    Args:
        pred_dir (str): Folder of predicted index PNGs (searched
            recursively).
        gt_dir (str): Folder of ground-truth index PNGs (recursively).
        dataset (str, optional): One of :data:`DATASET_PRESETS`
            (``'cityscapes'``, ``'voc'``, ``'ade20k'``,
            ``'pascal_context'``, ``'pascal_context_59'``): class names and
            ``reduce_zero_label`` from MMSeg's dataset class, and default
            suffixes (:func:`dataset_preset`).
        num_classes (int, optional): Number of classes when no ``dataset``
            is given (names ``'0'``, ``'1'``...).
        class_names (Sequence[str], optional): Names instead.
        pred_suffix (str, optional): Prediction file name ending; default
            the dataset's, else ``'.png'``.
        gt_suffix (str, optional): Ground-truth file name ending; default the
            dataset's, else ``'.png'``.
        ignore_index (int): Ground-truth label that takes no part.
        dilation (float, optional): Band radius as a fraction of the image
            diagonal (0.02 when neither this nor ``radius`` is given).
        radius (int, optional): Fixed band radius in pixels.
        tolerances (Sequence[int], optional): F-score tolerances in pixels
            of ``bf_protocol='counts'``; default ``(1, 3, 5)``.
        cbl_biou (bool): Also compute the CBL reference's binary BIoU.
        nproc (int): Worker processes.
        device (str): Torch device for the counts (``'cpu'``, ``'cuda'``;
            with CUDA keep ``nproc`` at 1).
        progress (bool): Show a progress bar on stderr.
        bf_protocol (str): ``'counts'`` or ``'per_image'`` (GSCNN /
            SegFix), as in ``BoundaryIoUMetric``.
        bf_tolerance_ratios (Sequence[float], optional): Tolerances of
            ``'per_image'`` as fractions of the image diagonal; default
            GSCNN's.
        reduce_zero_label (bool, optional): Apply MMSeg's
            ``reduce_zero_label`` (0 -> 255, ``v`` -> ``v - 1``) to both the
            ground truth and the predictions, which then hold the label
            files' values (1..K; what ``tools/test.py --out`` writes for
            such a dataset; a prediction holding 0 is reported as invalid).
            Default: the dataset's (True for ADE20K and Pascal Context 59),
            else False.

    Returns:
        dict: The report: ``summary``, ``per_class``, ``num_images``,
        ``failed`` (file and reason), ``unmatched_predictions``,
        ``unmatched_ground_truth``, ``duplicates``, ``settings``,
        ``counts`` (the summed count rows) and ``seconds``.
    """
    start = time.perf_counter()
    if dataset is not None:
        preset = dataset_preset(dataset)
        names = list(class_names or preset['classes'])
        if reduce_zero_label is None:
            reduce_zero_label = preset['reduce_zero_label']
        pred_suffix = preset['pred_suffix'] if pred_suffix is None \
            else pred_suffix
        gt_suffix = preset['gt_suffix'] if gt_suffix is None else gt_suffix
    elif class_names is not None:
        names = list(class_names)
    elif num_classes is not None:
        names = [str(i) for i in range(int(num_classes))]
    else:
        raise ValueError('give a dataset, num_classes or class_names')
    if num_classes is not None and num_classes != len(names):
        raise ValueError(f'num_classes={num_classes} but {len(names)} class '
                         'names')
    if not names:
        raise ValueError('need at least one class')
    pred_suffix = '.png' if pred_suffix is None else pred_suffix
    gt_suffix = '.png' if gt_suffix is None else gt_suffix
    reduce_zero_label = bool(reduce_zero_label)
    check_radius_options(dilation, radius)
    tolerances, ratios = _bf_settings(bf_protocol, tolerances,
                                      bf_tolerance_ratios)
    nproc = max(1, int(nproc))

    scan = find_pairs(pred_dir, gt_dir, pred_suffix, gt_suffix)
    settings = dict(
        num_classes=len(names),
        ignore_index=int(ignore_index),
        dilation=dilation,
        radius=radius,
        tolerances=tolerances,
        cbl_biou=bool(cbl_biou),
        device=device,
        bf_tolerance_ratios=ratios,
        reduce_zero_label=reduce_zero_label)
    total = np.zeros((len(count_row_names(tolerances)), len(names)),
                     dtype=np.int64)
    cbl_pairs, bf_counts, failed, evaluated = [], [], [], 0
    bar = None
    if progress and scan.pairs:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(scan.pairs), file=sys.stderr)

    def collect(result) -> None:
        nonlocal evaluated
        _, pred_path, counts, cbl, error, image_bf = result
        if error is not None:
            failed.append(dict(file=pred_path, error=error))
        else:
            total[...] += counts
            evaluated += 1
            if cbl is not None:
                cbl_pairs.append(cbl)
            if image_bf is not None:
                bf_counts.append(image_bf)
        if bar is not None:
            bar.update()

    workers = min(nproc, len(scan.pairs))
    if workers <= 1:
        saved = dict(_WORKER)
        _init_worker(settings, None)
        try:
            for pair in scan.pairs:
                collect(_count_pair(pair))
        finally:
            _WORKER.clear()
            _WORKER.update(saved)
    else:
        context = get_context('fork' if 'fork' in
                              _start_methods() else 'spawn')
        chunksize = max(1, min(8, len(scan.pairs) // (4 * workers)))
        with single_opencv_thread_for_fork(), context.Pool(
                workers, initializer=_init_worker,
                initargs=(settings, 1)) as pool:
            for result in pool.imap_unordered(
                    _count_pair, scan.pairs, chunksize=chunksize):
                collect(result)
    if bar is not None:
        sys.stderr.write('\n')
        sys.stderr.flush()

    report = OrderedDict()
    if evaluated:
        summary, per_class = summarize_counts(
            total, tolerances,
            np.array(cbl_pairs).reshape(-1, 2) if cbl_biou else None)
        if ratios:
            # a mean over images: exact (fsum), so independent of the order
            # in which the workers returned them
            add_per_image_scores(summary, per_class, bf_counts, ratios,
                                 len(names))
        report['summary'] = summary
        report['per_class'] = per_class_dict(per_class, names)
        report['_per_class_arrays'] = per_class
    else:
        report['summary'] = OrderedDict()
        report['per_class'] = OrderedDict()
    report['num_images'] = evaluated
    report['failed'] = sorted(failed, key=lambda item: item['file'])
    report['unmatched_predictions'] = scan.unmatched_predictions
    report['unmatched_ground_truth'] = scan.unmatched_ground_truth
    report['duplicates'] = scan.duplicates
    report['settings'] = OrderedDict(
        pred_dir=osp.abspath(pred_dir),
        gt_dir=osp.abspath(gt_dir),
        dataset=dataset,
        classes=names,
        pred_suffix=pred_suffix,
        gt_suffix=gt_suffix,
        reduce_zero_label=reduce_zero_label,
        ignore_index=int(ignore_index),
        dilation=dilation,
        radius=radius,
        tolerances=list(tolerances),
        distance='chebyshev',
        bf_protocol=bf_protocol,
        bf_tolerance_ratios=list(ratios),
        cbl_biou=bool(cbl_biou),
        nproc=nproc,
        device=device)
    report['counts'] = OrderedDict(
        (name, row.tolist())
        for name, row in zip(count_row_names(tolerances), total))
    report['seconds'] = round(time.perf_counter() - start, 3)
    return report


def _bf_settings(
    protocol: str, tolerances: Optional[Sequence[int]],
    ratios: Optional[Sequence[float]]
) -> Tuple[Tuple[int, ...], Tuple[float, ...]]:
    """Pixel tolerances and diagonal ratios of a boundary F-score
    protocol (each protocol takes only its own)."""
    if protocol not in BF_PROTOCOLS:
        raise ValueError(f'bf_protocol must be one of {BF_PROTOCOLS}, got '
                         f'{protocol!r}')
    if protocol == 'counts':
        if ratios is not None:
            raise ValueError('tolerance ratios belong to the per_image '
                             'protocol; the counts protocol takes pixel '
                             'tolerances')
        return check_tolerances(DEFAULT_TOLERANCES if tolerances is
                                None else tolerances), ()
    if tolerances is not None:
        raise ValueError('pixel tolerances belong to the counts protocol; '
                         'the per_image protocol takes tolerance ratios '
                         '(fractions of the image diagonal)')
    return (), check_tolerance_ratios(GSCNN_TOLERANCE_RATIOS if ratios is
                                      None else ratios)


def _start_methods() -> List[str]:
    from multiprocessing import get_all_start_methods
    return get_all_start_methods()


def _list_block(title: str, items: Sequence[str], limit: int = 20) -> str:
    if not items:
        return ''
    lines = [f'{title} ({len(items)}):']
    lines += [f'  {item}' for item in items[:limit]]
    if len(items) > limit:
        lines.append(f'  ... and {len(items) - limit} more (see the JSON)')
    return '\n'.join(lines)


def format_report(report: dict) -> str:
    """Human-readable table, summary and problem lists of a report."""
    parts = []
    names = report['settings']['classes']
    if report['num_images']:
        parts.append(
            class_table(names, report['_per_class_arrays']).get_string())
        parts.append('summary: ' +
                     ', '.join(f'{key}: {value:.2f}'
                               for key, value in report['summary'].items()))
    parts.append(f"evaluated {report['num_images']} image pair(s) in "
                 f"{report['seconds']:.1f} s")
    parts.append(
        _list_block('predictions without ground truth',
                    report['unmatched_predictions']))
    parts.append(
        _list_block('ground truth without prediction',
                    report['unmatched_ground_truth']))
    parts.append(
        _list_block('duplicated names (left out)', report['duplicates']))
    parts.append(
        _list_block('unreadable or invalid (left out)',
                    [item['error'] for item in report['failed']]))
    return '\n'.join(part for part in parts if part)


def write_report(report: dict, path: str) -> None:
    """Write the report as JSON (NaN as null)."""
    data = OrderedDict((key, value) for key, value in report.items()
                       if not key.startswith('_'))
    data['summary'] = OrderedDict(
        (key, json_float(value)) for key, value in data['summary'].items())
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    with open(path, 'w') as file:
        json.dump(data, file, indent=2)
        file.write('\n')
