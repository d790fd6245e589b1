"""Convert PASCAL VOC 2012 labels to index PNGs; optionally merge SBD.

Examples::

    # colour (RGB) SegmentationClass labels -> VOC palette index PNGs
    python tools/dataset_converters/voc.py data/VOCdevkit/VOC2012 --in-place
    python tools/dataset_converters/voc.py data/VOCdevkit/VOC2012 \\
        --out-dir data/VOCdevkit/VOC2012/SegmentationClassIndex
    # ... and build SegmentationClassAug + aug.txt / trainaug.txt from SBD
    python tools/dataset_converters/voc.py data/VOCdevkit/VOC2012 \\
        --in-place --sbd-path data/VOCdevkit/benchmark_RELEASE --nproc 8

Labels are read from ``<root>/SegmentationClass``. Without ``--in-place``
the index PNGs go to ``--out-dir`` (default
``<root>/SegmentationClassIndex``), so the originals are never modified;
MMSeg reads palette ``SegmentationClass`` PNGs as indices, so
``--in-place`` is the usual choice. Files that already are VOC palette PNGs
are left alone in place (copied unchanged to an output folder). Outputs newer
than their input are skipped (``--force`` redoes them). Files with colours
that are not VOC colours are reported and not written, and the exit status
is then 1.

With ``--sbd-path`` (SBD's ``benchmark_RELEASE`` folder or its ``dataset``
folder), SBD's ``cls/*.mat`` and the VOC labels are written to
``<root>/SegmentationClassAug`` and ``ImageSets/Segmentation/aug.txt`` (SBD
minus VOC train and val, as MMSeg's ``voc_aug.py``) and ``trainaug.txt``
(VOC train + SBD minus VOC val) are written.
"""
import argparse
import sys

from cblseg.datasets.label_converters.voc import (INDEX_DIR, convert_voc,
                                                  merge_sbd)


def parse_args():
    parser = argparse.ArgumentParser(
        description='Convert PASCAL VOC 2012 colour labels to index PNGs and '
        'optionally merge the SBD annotations.')
    parser.add_argument('voc_path', help='VOC2012 root (VOCdevkit/VOC2012)')
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        '--in-place',
        action='store_true',
        help='overwrite the SegmentationClass labels')
    target.add_argument(
        '--out-dir', help=f'output folder (default: <voc_path>/{INDEX_DIR})')
    parser.add_argument(
        '--sbd-path',
        help='SBD benchmark_RELEASE (or dataset) folder: also write '
        'SegmentationClassAug and the aug lists')
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
    summaries = []
    try:
        summaries.append(
            convert_voc(
                args.voc_path,
                out_dir=args.out_dir,
                in_place=args.in_place,
                nproc=args.nproc,
                force=args.force))
        print(summaries[-1].format())
        if args.sbd_path:
            summaries.append(
                merge_sbd(
                    args.voc_path,
                    args.sbd_path,
                    nproc=args.nproc,
                    force=args.force))
            print(summaries[-1].format())
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0 if all(summary.ok for summary in summaries) else 1


if __name__ == '__main__':
    sys.exit(main())
