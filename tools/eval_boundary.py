"""Score a folder of predicted index PNGs against ground truth with the
metrics of ``BoundaryIoUMetric`` (aAcc, mIoU, mAcc, fwIoU, per-class Boundary
IoU and boundary F-scores).

Examples::

    # Cityscapes: predictions from `tools/test.py CONFIG CKPT --out DIR`
    python tools/eval_boundary.py --pred-dir DIR \\
        --gt-dir data/cityscapes/gtFine/val --dataset cityscapes --nproc 8

    # any dataset: <key>.png predictions, <key>_mask.png ground truth
    python tools/eval_boundary.py --pred-dir preds --gt-dir masks \\
        --gt-suffix _mask.png --num-classes 5 --radius 3 --tolerance 1 2

    # ADE20K: tools/test.py --out writes 1..150, as the annotation files;
    # both are reduced as MMSeg trains (0 -> ignore, v -> v - 1)
    python tools/eval_boundary.py --pred-dir DIR \
        --gt-dir data/ade/ADEChallengeData2016/annotations/validation \
        --dataset ade20k --nproc 8

    # boundary F-scores as GSCNN / SegFix publish them (per image, 3, 5, 9
    # and 12 px at 1024 x 2048)
    python tools/eval_boundary.py --pred-dir DIR \\
        --gt-dir data/cityscapes/gtFine/val --dataset cityscapes \\
        --bf-protocol per_image

Prints the per-class table and the summary, writes a JSON report (``--out``)
and lists unmatched, duplicated and unreadable files. Exit status 1 when no
pair of files could be evaluated. Definitions: docs/metrics.md.
"""
import argparse
import sys

try:
    from cblseg.evaluation.offline import (DATASET_PRESETS, evaluate_folders,
                                           format_report, write_report)
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python, or `pip install -e .` in the cblseg '
             'repository with the python that runs MMSeg.')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Boundary IoU, boundary F-score and mIoU of a folder of '
        'predicted index PNGs (see docs/metrics.md)')
    parser.add_argument(
        '--pred-dir', required=True, help='predicted index PNGs (recursive)')
    parser.add_argument(
        '--gt-dir', required=True, help='ground-truth index PNGs (recursive)')
    classes = parser.add_mutually_exclusive_group(required=True)
    classes.add_argument(
        '--dataset',
        choices=sorted(DATASET_PRESETS),
        help='class names (from MMSeg\'s dataset METAINFO), '
        'reduce_zero_label and default suffixes: cityscapes (train ids, '
        '*_leftImg8bit.png / *_gtFine_labelTrainIds.png), voc, ade20k '
        '(150 classes, reduced), pascal_context (60) or pascal_context_59 '
        '(59, reduced) (*.png)')
    classes.add_argument(
        '--num-classes', type=int, help='number of classes K (labels 0..K-1)')
    parser.add_argument(
        '--pred-suffix',
        help="prediction file name ending (default: the dataset's, "
        "else '.png')")
    parser.add_argument(
        '--gt-suffix',
        help="ground-truth file name ending (default: the dataset's, "
        "else '.png')")
    parser.add_argument(
        '--reduce-zero-label',
        action=argparse.BooleanOptionalAction,
        help='MMSeg\'s reduce_zero_label on ground truth and predictions '
        '(0 -> ignore, v -> v - 1; predictions then hold the label files\' '
        'values 1..K, as tools/test.py --out writes them) (default: the '
        'dataset\'s: on for ade20k and pascal_context_59, else off)')
    parser.add_argument(
        '--ignore-index',
        type=int,
        default=255,
        help='ground-truth label that takes no part (default: 255)')
    radius = parser.add_mutually_exclusive_group()
    radius.add_argument(
        '--dilation',
        type=float,
        help='band radius as a fraction of the image diagonal (default: '
        '0.02, i.e. max(1, round(0.02 * diagonal)) pixels)')
    radius.add_argument(
        '--radius', type=int, help='fixed band radius in pixels')
    parser.add_argument(
        '--tolerance',
        type=int,
        nargs='*',
        help='boundary F-score tolerances in pixels of --bf-protocol '
        'counts (Chebyshev distance; default: 1 3 5; none to skip)')
    parser.add_argument(
        '--bf-protocol',
        choices=['counts', 'per_image'],
        default='counts',
        help='boundary F-score protocol: counts (default: matched contour '
        'pixels summed over the dataset, integer pixel tolerances) or '
        'per_image (GSCNN / SegFix: F per image and class, tolerances as '
        'fractions of the image diagonal, mean over images then classes)')
    parser.add_argument(
        '--bf-tolerance-ratios',
        type=float,
        nargs='+',
        help='tolerances of --bf-protocol per_image as fractions of the '
        'image diagonal, ceil(ratio * diagonal) pixels (default: GSCNN\'s '
        '0.00088 0.001875 0.00375 0.005, i.e. 3 5 9 12 px at 1024x2048)')
    parser.add_argument(
        '--cbl-biou',
        action='store_true',
        help='also compute the CBL reference code\'s binary BIoU')
    parser.add_argument(
        '--nproc', type=int, default=1, help='worker processes (default: 1)')
    parser.add_argument(
        '--device', default='cpu', help="torch device (default: 'cpu')")
    parser.add_argument(
        '--out',
        help='JSON report path (default: <pred-dir>/boundary_metrics.json)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        report = evaluate_folders(
            args.pred_dir,
            args.gt_dir,
            dataset=args.dataset,
            num_classes=args.num_classes,
            pred_suffix=args.pred_suffix,
            gt_suffix=args.gt_suffix,
            ignore_index=args.ignore_index,
            dilation=args.dilation,
            radius=args.radius,
            tolerances=args.tolerance,
            cbl_biou=args.cbl_biou,
            nproc=args.nproc,
            device=args.device,
            progress=not args.no_progress,
            bf_protocol=args.bf_protocol,
            bf_tolerance_ratios=args.bf_tolerance_ratios,
            reduce_zero_label=args.reduce_zero_label)
    except (ValueError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(format_report(report))
    out = args.out
    if out is None:
        import os.path as osp
        out = osp.join(args.pred_dir, 'boundary_metrics.json')
    write_report(report, out)
    print(f'report written to {out}')
    if report['num_images'] == 0:
        print(
            'error: no pair of prediction and ground truth could be '
            f"evaluated (pred suffix {report['settings']['pred_suffix']!r}, "
            f"gt suffix {report['settings']['gt_suffix']!r})",
            file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
