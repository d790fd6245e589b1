# Copyright (c) cblseg contributors. All rights reserved.
"""``BoundaryIoUMetric``: region metrics (as MMSeg's ``IoUMetric``, plus
micro and frequency-weighted IoU), per-class Boundary IoU and boundary
F-scores in one pass per image.

Definitions, ignore rules and an example table: ``docs/metrics.md``.
"""
import math
import os.path as osp
import warnings
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.utils import mkdir_or_exist
from mmseg.evaluation.metrics import IoUMetric
from mmseg.registry import METRICS
from PIL import Image
from prettytable import PrettyTable

from cblseg.ops.boundary import (ScratchBuffers, check_radius_options,
                                 resolve_radius)
from cblseg.ops.checks import check_int
from cblseg.utils.arguments import reject_unknown_kwargs
from ..functional.boundary_counts import (boundary_counts, check_tolerances,
                                          count_row_names)
from ..functional.boundary_fscore_per_image import (
    GSCNN_TOLERANCE_RATIOS, average_per_image_scores, check_tolerance_ratios,
    per_image_boundary_counts, per_image_boundary_scores, ratio_key)

__all__ = [
    'BoundaryIoUMetric', 'summarize_counts', 'summarize_per_image_counts',
    'add_per_image_scores', 'check_iou_metrics', 'class_table', 'json_float',
    'per_class_dict', 'DEFAULT_TOLERANCES', 'CBL_EPSILON', 'IOU_METRICS',
    'BF_PROTOCOLS'
]

DEFAULT_TOLERANCES = (1, 3, 5)
#: ``iou_metrics`` names, as MMSeg's IoUMetric accepts them.
IOU_METRICS = ('mIoU', 'mDice', 'mFscore')
#: Boundary F-score protocols: dataset-level counts at integer pixel
#: tolerances, or per image with tolerances as fractions of the diagonal
#: (GSCNN / SegFix).
BF_PROTOCOLS = ('counts', 'per_image')
# biou.py's iou_binary_mask: (i + 1e-5) / (u + 1e-5)
CBL_EPSILON = 1e-5


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """Element-wise ratio in float64, NaN where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(denominator > 0,
                        numerator / np.maximum(denominator, 1), np.nan)


def _percent_mean(values: np.ndarray) -> float:
    """``round(nanmean(values) * 100, 2)`` like IoUMetric's summary; NaN if
    every value is NaN."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', category=RuntimeWarning)
        mean = np.nanmean(values)
    # IoUMetric rounds its float32 results with np.round; going through
    # float() and round() again only drops float32's representation noise.
    return round(float(np.round(mean * 100, 2)), 2)


def _micro_iou(intersect: np.ndarray, union: np.ndarray) -> float:
    """Pooled IoU in percent (2 decimals): all classes' intersections over
    all their unions, from the exact int64 counts; NaN without any union."""
    total_union = int(union.sum())
    if total_union == 0:
        return float('nan')
    return round(int(intersect.sum()) / total_union * 100, 2)


def json_float(value) -> Optional[float]:
    """``float(value)``, or None (JSON null) for NaN."""
    value = float(value)
    return None if value != value else value


def per_class_dict(per_class: Dict[str, np.ndarray],
                   class_names: Sequence[str]) -> 'OrderedDict':
    """The ``per_class`` arrays of :func:`summarize_counts` as
    ``{class name: {key: value or None}}`` for JSON reports."""
    return OrderedDict((name,
                        OrderedDict((key, json_float(values[index]))
                                    for key, values in per_class.items()))
                       for index, name in enumerate(class_names))


def check_iou_metrics(iou_metrics) -> Tuple[str, ...]:
    """``iou_metrics`` as IoUMetric takes it (a name or a list of
    ``'mIoU'``, ``'mDice'``, ``'mFscore'``), as a tuple that starts with
    ``'mIoU'`` (always reported here)."""
    names = [iou_metrics] if isinstance(iou_metrics, str) else iou_metrics
    try:
        names = list(names)
    except TypeError:
        names = [names]
    unknown = [name for name in names if name not in IOU_METRICS]
    if unknown:
        raise ValueError(f'iou_metrics: unknown {unknown!r}; choose from '
                         f'{list(IOU_METRICS)} (as in IoUMetric)')
    return tuple(['mIoU'] + [n for n in IOU_METRICS[1:] if n in names])


def summarize_counts(
    counts: np.ndarray,
    tolerances: Sequence[int] = DEFAULT_TOLERANCES,
    cbl_pairs: Optional[np.ndarray] = None,
    nan_to_num: Optional[float] = None,
    iou_metrics: Sequence[str] = ('mIoU', ),
    beta: float = 1
) -> Tuple[Dict[str, float], 'OrderedDict[str, np.ndarray]']:
    """Metrics from per-class counts summed over a dataset.

    Args:
        counts (np.ndarray): ``R x K`` int64, rows as in
            :func:`cblseg.evaluation.functional.count_row_names`.
        tolerances (Sequence[int]): The F-score tolerances of the rows.
        cbl_pairs (np.ndarray, optional): ``N x 2`` per-image (intersection,
            union) of the CBL binary boundary maps; adds ``cblBIoU``.
        nan_to_num (float, optional): Replace NaN per-class values (classes
            absent from prediction and ground truth) before averaging, as
            IoUMetric does.
        iou_metrics (Sequence[str]): IoUMetric's ``iou_metrics``:
            ``'mDice'`` adds ``mDice``, ``'mFscore'`` adds ``mFscore``,
            ``mPrecision`` and ``mRecall`` (``mIoU`` is always reported).
        beta (float): IoUMetric's ``beta`` of ``mFscore``.

    Returns:
        tuple: ``summary`` (``aAcc``, ``microIoU``, ``mIoU``, ``mAcc``,
        [``mDice``, ``mFscore``, ``mPrecision``, ``mRecall``], ``fwIoU``,
        ``mBIoU``, ``mBF@<t>px``..., ``cblBIoU``; percent, 2 decimals) and
        ``per_class`` (``IoU``, ``Acc``, [``Dice``, ``Fscore``,
        ``Precision``, ``Recall``], ``BIoU``, ``BF@<t>px``, ``BP@<t>px``,
        ``BR@<t>px``: arrays of fractions, NaN where undefined).
    """
    tolerances = check_tolerances(tolerances)
    iou_metrics = check_iou_metrics(iou_metrics)
    names = count_row_names(tolerances)
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 2 or counts.shape[0] != len(names):
        raise ValueError(f'counts must be {len(names)} x K for tolerances '
                         f'{tolerances}, got shape {counts.shape}')
    row = dict(zip(names, counts))

    # Region metrics: MMSeg's own code on float32 totals, as IoUMetric
    # passes them (its per-image histograms are float32).
    area_gt, area_pred = row['area_gt'], row['area_pred']
    intersect = row['intersect']
    union = area_gt + area_pred - intersect
    region = IoUMetric.total_area_to_metrics(
        torch.from_numpy(intersect).float(),
        torch.from_numpy(union).float(),
        torch.from_numpy(area_pred).float(),
        torch.from_numpy(area_gt).float(), list(iou_metrics), nan_to_num, beta)
    summary = OrderedDict(aAcc=_percent_mean(region['aAcc']))
    summary['microIoU'] = _micro_iou(intersect, union)
    summary['mIoU'] = _percent_mean(region['IoU'])
    summary['mAcc'] = _percent_mean(region['Acc'])
    # IoUMetric's other keys, in its order and with its names ('m' + key)
    extra = [key for key in region if key not in ('aAcc', 'IoU', 'Acc')]
    for key in extra:
        summary['m' + key] = _percent_mean(region[key])
    iou64 = _ratio(intersect, union)
    total_gt = area_gt.sum()
    summary['fwIoU'] = (
        round(float(np.nansum(area_gt / total_gt * iou64)) *
              100, 2) if total_gt > 0 else float('nan'))

    per_class = OrderedDict(IoU=region['IoU'], Acc=region['Acc'])
    per_class.update((key, region[key]) for key in extra)
    band_union = row['band_gt'] + row['band_pred'] - row['band_intersect']
    per_class['BIoU'] = _ratio(row['band_intersect'], band_union)
    scores = OrderedDict()
    for t in tolerances:
        n_pred, n_gt = row['contour_pred'], row['contour_gt']
        precision = _ratio(row[f'contour_pred_matched@{t}'], n_pred)
        recall = _ratio(row[f'contour_gt_matched@{t}'], n_gt)
        p0, r0 = np.nan_to_num(precision), np.nan_to_num(recall)
        with np.errstate(divide='ignore', invalid='ignore'):
            f_score = np.where(p0 + r0 > 0, 2 * p0 * r0 / (p0 + r0), 0.0)
        # undefined only when the class has no contour on either side
        f_score = np.where((n_pred + n_gt) > 0, f_score, np.nan)
        per_class[f'BF@{t}px'] = f_score
        scores[f'BP@{t}px'] = precision
        scores[f'BR@{t}px'] = recall
    per_class.update(scores)
    if nan_to_num is not None:
        for key in ('BIoU', ) + tuple(scores) + tuple(f'BF@{t}px'
                                                      for t in tolerances):
            per_class[key] = np.nan_to_num(per_class[key], nan=nan_to_num)
    summary['mBIoU'] = _percent_mean(per_class['BIoU'])
    for t in tolerances:
        summary[f'mBF@{t}px'] = _percent_mean(per_class[f'BF@{t}px'])
    if cbl_pairs is not None:
        pairs = np.asarray(cbl_pairs, dtype=np.float64).reshape(-1, 2)
        if len(pairs):
            # math.fsum: exact, so independent of the order of the images
            mean = math.fsum((i + CBL_EPSILON) / (u + CBL_EPSILON)
                             for i, u in pairs) / len(pairs)
            summary['cblBIoU'] = round(mean * 100, 2)
        else:
            summary['cblBIoU'] = float('nan')
    return dict(summary), per_class


def summarize_per_image_counts(
    counts: np.ndarray,
    ratios: Sequence[float] = GSCNN_TOLERANCE_RATIOS,
    nan_to_num: Optional[float] = None
) -> Tuple[Dict[str, float], 'OrderedDict[str, np.ndarray]']:
    """Boundary F-scores of the per-image protocol (GSCNN / SegFix).

    Args:
        counts (np.ndarray): ``N x (2 + 2T) x K`` per-image counts of
            :func:`cblseg.evaluation.functional.per_image_boundary_counts`.
        ratios (Sequence[float]): Their tolerances (fractions of the
            diagonal).
        nan_to_num (float, optional): Value of the scores without any image.

    Returns:
        tuple: ``summary`` (``mBF@<r>diag`` per ratio: the mean over all
        classes of the per-class mean over all images, percent, 2
        decimals) and ``per_class`` (``BF@<r>diag``, ``BP@<r>diag``,
        ``BR@<r>diag``: per-class means over the images, fractions).
    """
    ratios = check_tolerance_ratios(ratios)
    counts = np.asarray(counts, dtype=np.int64)
    if counts.ndim != 3 or counts.shape[1] != 2 + 2 * len(ratios):
        raise ValueError(f'counts must be N x {2 + 2 * len(ratios)} x K for '
                         f'ratios {ratios}, got shape {counts.shape}')
    scores = per_image_boundary_scores(counts) if len(
        counts) else [np.zeros((0, len(ratios), counts.shape[2]))] * 3
    means = [average_per_image_scores(values) for values in scores]
    if nan_to_num is not None:
        means = [np.nan_to_num(m, nan=nan_to_num) for m in means]
    summary, per_class, extra = OrderedDict(), OrderedDict(), OrderedDict()
    for index, ratio in enumerate(ratios):
        key = f'{ratio_key(ratio)}diag'
        per_class[f'BF@{key}'] = means[0][index]
        extra[f'BP@{key}'] = means[1][index]
        extra[f'BR@{key}'] = means[2][index]
        summary[f'mBF@{key}'] = _percent_mean(means[0][index])
    per_class.update(extra)
    return dict(summary), per_class


def add_per_image_scores(summary: Dict[str, float],
                         per_class: 'OrderedDict[str, np.ndarray]',
                         counts: Sequence[np.ndarray],
                         ratios: Sequence[float],
                         num_classes: int,
                         nan_to_num: Optional[float] = None) -> None:
    """Add the per-image protocol's F-scores (from the per-image counts) to
    the results of :func:`summarize_counts`, in place: ``mBF@<r>diag``
    before ``cblBIoU``; ``BF@<r>diag`` before the precision / recall
    columns."""
    ratios = check_tolerance_ratios(ratios)
    stacked = np.stack(counts) if len(counts) else np.zeros(
        (0, 2 + 2 * len(ratios), num_classes), dtype=np.int64)
    bf_summary, bf_per_class = summarize_per_image_counts(
        stacked, ratios, nan_to_num)
    cbl = summary.pop('cblBIoU', None)
    summary.update(bf_summary)
    if cbl is not None:
        summary['cblBIoU'] = cbl
    scores = [key for key in per_class if key.startswith(('BP@', 'BR@'))]
    tail = OrderedDict((key, per_class.pop(key)) for key in scores)
    per_class.update(bf_per_class)
    per_class.update(tail)


def class_table(class_names: Sequence[str],
                per_class: Dict[str, np.ndarray],
                columns: Optional[Sequence[str]] = None) -> PrettyTable:
    """Per-class table (percent, 2 decimals) like IoUMetric's."""
    if columns is None:
        columns = [
            key for key in per_class if not key.startswith(('BP@', 'BR@'))
        ]
    table = PrettyTable()
    table.add_column('Class', list(class_names))
    for key in columns:
        table.add_column(key, [
            float(v) for v in np.round(
                np.asarray(per_class[key], dtype=np.float64) * 100, 2)
        ])
    return table


@METRICS.register_module()
class BoundaryIoUMetric(BaseMetric):
    """Region metrics, per-class Boundary IoU and boundary F-scores.

    One pass per image reduces prediction and ground truth to a small
    per-class count matrix on the prediction's device (torch; see
    :func:`cblseg.evaluation.functional.boundary_counts`). Counts are summed
    over the dataset, so results do not depend on the number of processes,
    the batch size or the image order.

    Summary keys: ``aAcc``, ``mIoU``, ``mAcc`` (equal to MMSeg's
    ``IoUMetric``), ``microIoU`` (pooled over the classes, after ``aAcc``),
    ``mDice`` / ``mFscore``, ``mPrecision``, ``mRecall`` with
    ``iou_metrics`` (after ``mAcc``, equal to IoUMetric's), ``fwIoU``,
    ``mBIoU``, ``mBF@<t>px`` per tolerance (or ``mBF@<r>diag`` per ratio
    with ``bf_protocol='per_image'``), and ``cblBIoU`` with
    ``cbl_biou=True``. A per-class table (IoU, Acc, [Dice, Fscore,
    Precision, Recall], BIoU, BF@..., with the dataset's class names) is
    logged like IoUMetric's.

    Args:
        ignore_index (int): Ground-truth label that takes no part. 255.
        dilation (float, optional): Band radius as a fraction of the image
            diagonal, ``d = max(1, round(dilation * diagonal))`` per image;
            0.02 (the Boundary IoU paper's value) when neither this nor
            ``radius`` is given.
        radius (int, optional): Fixed band radius in pixels instead.
        tolerances (Sequence[int], optional): Boundary F-score tolerances in
            pixels (Chebyshev distance) of ``bf_protocol='counts'``.
            Defaults to ``(1, 3, 5)``; ``()`` for none.
        cbl_biou (bool): Also report ``cblBIoU``, the binary Boundary IoU of
            the CBL reference code (all classes merged, per image,
            averaged), to compare with numbers produced by that code.
        nan_to_num (float, optional): Replace NaN per-class values before
            averaging, as in IoUMetric.
        collect_device (str): ``'cpu'`` or ``'gpu'``, see ``BaseMetric``.
        output_dir (str, optional): Write predictions as index PNGs, as
            IoUMetric does.
        format_only (bool): Only write predictions, no evaluation.
        prefix (str, optional): Prefix of the metric names.
        iou_metrics (str | Sequence[str]): As in IoUMetric: any of
            ``'mIoU'``, ``'mDice'``, ``'mFscore'``. ``mIoU`` and ``mAcc`` are
            always reported; ``'mDice'`` adds ``mDice``, ``'mFscore'`` adds
            ``mFscore``, ``mPrecision`` and ``mRecall``.
        beta (float): Weight of recall in ``mFscore``, as in IoUMetric. 1.
        bf_protocol (str): How boundary F-scores are computed:
            ``'counts'`` (default): matched contour pixels summed over the
            dataset per class, integer pixel ``tolerances``;
            ``'per_image'``: the GSCNN / SegFix protocol, F per image and
            class with tolerances as fractions of the image diagonal,
            averaged over images then classes (``docs/metrics.md``).
        bf_tolerance_ratios (Sequence[float], optional): Tolerances of
            ``bf_protocol='per_image'`` as fractions of the image diagonal
            (``ceil(ratio * diagonal)`` pixels). Defaults to GSCNN's
            ``(0.00088, 0.001875, 0.00375, 0.005)`` (3, 5, 9, 12 px at
            1024 x 2048).
        collect_dir (str, optional): See ``BaseMetric``.
        keep_results (bool): Accepted and ignored: ``tools/test.py --out``
            sets it (for MMSeg's ``CityscapesMetric``, which deletes its
            PNGs without it); the PNGs written to ``output_dir`` are always
            kept.

    Raises:
        TypeError: For an unknown keyword argument (e.g. a misspelt config
            key), naming it and the accepted ones.
        ValueError: For an unknown ``iou_metrics`` name or
            ``bf_protocol``, or tolerances of the other protocol.
    """

    def __init__(self,
                 ignore_index: int = 255,
                 dilation: Optional[float] = None,
                 radius: Optional[int] = None,
                 tolerances: Optional[Sequence[int]] = None,
                 cbl_biou: bool = False,
                 nan_to_num: Optional[float] = None,
                 collect_device: str = 'cpu',
                 output_dir: Optional[str] = None,
                 format_only: bool = False,
                 prefix: Optional[str] = None,
                 iou_metrics: Sequence[str] = ('mIoU', ),
                 beta: float = 1,
                 bf_protocol: str = 'counts',
                 bf_tolerance_ratios: Optional[Sequence[float]] = None,
                 collect_dir: Optional[str] = None,
                 keep_results: bool = False,
                 **kwargs) -> None:
        # First: a misspelt key is reported before any other check runs.
        reject_unknown_kwargs(
            type(self).__name__, kwargs, BoundaryIoUMetric.__init__)
        super().__init__(
            collect_device=collect_device,
            prefix=prefix,
            collect_dir=collect_dir)
        check_radius_options(dilation, radius)
        self.ignore_index = check_int('ignore_index', ignore_index)
        self.dilation = dilation
        self.radius = radius
        if bf_protocol not in BF_PROTOCOLS:
            raise ValueError(f'bf_protocol must be one of {BF_PROTOCOLS}, '
                             f'got {bf_protocol!r}')
        self.bf_protocol = bf_protocol
        if bf_protocol == 'counts':
            if bf_tolerance_ratios is not None:
                raise ValueError(
                    'bf_tolerance_ratios (fractions of the diagonal) belong '
                    "to bf_protocol='per_image'; with 'counts' give "
                    'tolerances in pixels')
            self.tolerances = check_tolerances(
                DEFAULT_TOLERANCES if tolerances is None else tolerances)
            self.bf_tolerance_ratios: Tuple[float, ...] = ()
        else:
            if tolerances is not None:
                raise ValueError(
                    'tolerances (pixels) belong to bf_protocol=\'counts\'; '
                    "with 'per_image' give bf_tolerance_ratios (fractions "
                    'of the image diagonal)')
            self.tolerances = ()
            self.bf_tolerance_ratios = check_tolerance_ratios(
                GSCNN_TOLERANCE_RATIOS if bf_tolerance_ratios is
                None else bf_tolerance_ratios)
        self.iou_metrics = check_iou_metrics(iou_metrics)
        self.beta = beta
        self.cbl_biou = bool(cbl_biou)
        self.nan_to_num = nan_to_num
        self.output_dir = output_dir
        if self.output_dir and is_main_process():
            mkdir_or_exist(self.output_dir)
        self.format_only = format_only
        self._scratch = ScratchBuffers()

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Reduce each image of the batch to its count matrix.

        Images of equal size on the same device are counted together
        (batched); every image still gets its own entry in ``results``.
        """
        num_classes = len(self.dataset_meta['classes'])
        pending: List[Tuple[tuple, List[Tuple[int, torch.Tensor, torch.Tensor,
                                              str]]]] = []
        for index, data_sample in enumerate(data_samples):
            pred = _label_map(data_sample['pred_sem_seg']['data'])
            name = _sample_name(data_sample, index)
            if not self.format_only:
                gt = _label_map(data_sample['gt_sem_seg']['data'])
                if gt.shape != pred.shape:
                    raise ValueError(
                        f'{name}: the prediction has shape '
                        f'{tuple(pred.shape)} but the ground truth '
                        f'{tuple(gt.shape)}')
                key = (tuple(pred.shape), pred.device)
                if pending and pending[-1][0] == key:
                    pending[-1][1].append((index, pred, gt, name))
                else:
                    pending.append((key, [(index, pred, gt, name)]))
            if self.output_dir is not None:
                self._save_prediction(data_sample, pred)
        for (shape, _), group in pending:
            radius = resolve_radius(
                *shape, dilation=self.dilation, radius=self.radius)
            preds = torch.stack([item[1] for item in group])
            gts = torch.stack([
                item[2].to(preds.device, non_blocking=True) for item in group
            ])
            result = boundary_counts(
                preds,
                gts,
                num_classes,
                radius,
                self.ignore_index,
                self.tolerances,
                cbl_binary=self.cbl_biou,
                scratch=self._scratch,
                names=[item[3] for item in group])
            counts = result.counts.cpu().numpy()
            cbl = None if result.cbl is None else result.cbl.cpu().numpy()
            for position, (_, pred, gt, name) in enumerate(group):
                entry = dict(
                    counts=counts[position],
                    cbl=None if cbl is None else cbl[position])
                if self.bf_protocol == 'per_image':
                    # numpy / OpenCV on the CPU: a per-class distance
                    # transform, no torch equivalent worth the transfer
                    entry['bf_counts'] = per_image_boundary_counts(
                        pred.cpu().numpy(),
                        gt.cpu().numpy(), num_classes,
                        self.bf_tolerance_ratios, self.ignore_index, name)
                self.results.append(entry)

    def _save_prediction(self, data_sample: dict, pred: torch.Tensor) -> None:
        basename = osp.splitext(osp.basename(data_sample['img_path']))[0]
        png_filename = osp.abspath(
            osp.join(self.output_dir, f'{basename}.png'))
        output_mask = pred.cpu().numpy()
        # As IoUMetric: labels shifted back for reduce_zero_label datasets.
        if data_sample.get('reduce_zero_label', False):
            output_mask = output_mask + 1
        Image.fromarray(output_mask.astype(np.uint8)).save(png_filename)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Sum the per-image counts and compute the metrics.

        Returns:
            Dict[str, float]: ``aAcc``, ``microIoU``, ``mIoU``, ``mAcc``,
            ``fwIoU``, ``mBIoU``, ``mBF@<t>px``... (and ``cblBIoU``), in
            percent.
        """
        logger: MMLogger = MMLogger.get_current_instance()
        self._scratch.clear()
        if self.format_only:
            logger.info(f'results are saved to {osp.dirname(self.output_dir)}')
            return OrderedDict()
        summary, per_class, _ = self.summarize_results(
            results, len(self.dataset_meta['classes']))
        table = class_table(self.dataset_meta['classes'], per_class)
        print_log('per class results:', logger)
        print_log('\n' + table.get_string(), logger=logger)
        return summary

    def summarize_results(self, results: list, num_classes: int):
        """Sum the per-image results of :meth:`process` and summarize them.

        Args:
            results (list): ``self.results`` (or the collected results of
                every rank).
            num_classes (int): Number of classes of the dataset.

        Returns:
            tuple: ``summary`` and ``per_class`` of
            :func:`summarize_counts`, and the summed ``R x K`` counts.
        """
        rows = len(count_row_names(self.tolerances))
        total = np.zeros((rows, num_classes), dtype=np.int64)
        for result in results:
            total += result['counts']
        cbl_pairs = None
        if self.cbl_biou:
            cbl_pairs = np.array([result['cbl'] for result in results],
                                 dtype=np.int64).reshape(-1, 2)
        summary, per_class = summarize_counts(total, self.tolerances,
                                              cbl_pairs, self.nan_to_num,
                                              self.iou_metrics, self.beta)
        if self.bf_protocol == 'per_image':
            add_per_image_scores(summary, per_class,
                                 [r['bf_counts']
                                  for r in results], self.bf_tolerance_ratios,
                                 num_classes, self.nan_to_num)
        return summary, per_class, total


def _label_map(data: torch.Tensor) -> torch.Tensor:
    """``1 x H x W`` (or ``H x W``) label data -> ``H x W``."""
    if data.dim() == 3 and data.shape[0] == 1:
        return data[0]
    if data.dim() == 2:
        return data
    raise ValueError('expected label data of shape 1 x H x W, got '
                     f'{tuple(data.shape)}')


def _sample_name(data_sample: dict, index: int) -> str:
    for key in ('img_path', 'seg_map_path'):
        path = data_sample.get(key)
        if path:
            return str(path)
    return f'image {index} of the batch'
