"""Create Cityscapes ``*_gtFine_labelTrainIds.png`` from the gtFine labels.

Examples::

    python tools/dataset_converters/cityscapes.py data/cityscapes
    python tools/dataset_converters/cityscapes.py data/cityscapes \\
        --source color --nproc 8

Every ``<root>/gtFine/**/*_gtFine_labelIds.png`` (or ``*_gtFine_color.png``
with ``--source color``) is converted to the ``*_gtFine_labelTrainIds.png``
next to it with the official 34 -> 19 mapping (ignored classes -> 255).
Outputs newer than their input are skipped (``--force`` redoes them). Files
holding ids or colours that are not in the official table are reported and
not written, and the exit status is then 1.

Colour labels are ambiguous: (0, 0, 142) is both car and license plate and
(153, 153, 153) both pole and polegroup; they become car and pole (train ids
13 and 5). Colours shared only by ignored labels, like (0, 0, 0), become
255. See ``cblseg.datasets.label_converters.cityscapes``.
"""
import argparse
import sys

from cblseg.datasets.label_converters.cityscapes import (SOURCE_SUFFIXES,
                                                         convert_cityscapes)


def parse_args():
    parser = argparse.ArgumentParser(
        description='Convert Cityscapes gtFine labelIds (or color) labels to '
        'labelTrainIds.')
    parser.add_argument(
        'cityscapes_path', help='Cityscapes root (holding gtFine/)')
    parser.add_argument(
        '--source',
        choices=list(SOURCE_SUFFIXES),
        default='labelIds',
        help='which ground truth to convert (default: labelIds)')
    parser.add_argument(
        '--gt-dir',
        default='gtFine',
        help='ground-truth folder, relative to the root (default: gtFine)')
    parser.add_argument(
        '--nproc', type=int, default=1, help='number of worker processes')
    parser.add_argument(
        '--force',
        action='store_true',
        help='convert even if the output is newer than its input')
    args = parser.parse_args()
    if args.nproc < 1:
        parser.error('--nproc must be >= 1')
    return args


def main():
    args = parse_args()
    try:
        summary = convert_cityscapes(
            args.cityscapes_path,
            source=args.source,
            nproc=args.nproc,
            force=args.force,
            gt_dir=args.gt_dir)
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(summary.format())
    if not summary.results:
        print(
            f'error: no *{SOURCE_SUFFIXES[args.source]} under '
            f'{args.cityscapes_path}/{args.gt_dir}',
            file=sys.stderr)
        return 1
    return 0 if summary.ok else 1


if __name__ == '__main__':
    sys.exit(main())
