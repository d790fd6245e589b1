# Copyright (c) cblseg contributors. All rights reserved.
"""Compare trained models side by side on the same test data.

    python tools/analysis/compare_models.py CONFIG1 CKPT1 CONFIG2 CKPT2 ... \\
        --out-dir DIR [--names NAME1 NAME2 ...] [--num-pictures 4] \\
        [--data-config CONFIG] [--device cpu|cuda] [--cfg-options k=v ...] \\
        [--iou-metrics mIoU mDice mFscore] [--beta B] \\
        [--bf-protocol counts|per_image] [--bf-tolerance-ratios R ...]

Give the CONFIG CHECKPOINT pairs first, then the options. Every model runs
over one test dataloader, built from the first config's test_dataloader (or
--data-config's), and is scored by BoundaryIoUMetric with the settings of
that config's test_evaluator; --iou-metrics, --beta, --bf-protocol and
--bf-tolerance-ratios override those settings (as BoundaryIoUMetric's
arguments of the same names). Writes

    DIR/comparison.md    the table: aAcc, microIoU, mIoU, fwIoU, mBIoU,
                         mBF@<t>px per model (also printed)
    DIR/comparison.json  every summary key, per-class values, counts
    DIR/pictures/<index>_<stem>.png   image | ground truth | each model,
                         boundary errors in cyan (--num-pictures of them)

Names default to the config file names. --cfg-options apply to every config.
Details: docs/compare_models.md.
"""
import argparse
import os
import os.path as osp
import sys

try:
    from cblseg.evaluation.model_comparison import (compare_models,
                                                    format_markdown,
                                                    write_json)
    from cblseg.utils import UnsafeCheckpointError
    from cblseg.visualization.comparison_pictures import \
        save_comparison_pictures
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python, or `pip install -e .` in the cblseg '
             'repository with the python that runs MMSeg.')


def parse_args(argv=None):
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[1:]))
    parser.add_argument(
        'pairs',
        nargs='+',
        metavar='CONFIG CHECKPOINT',
        help='a config file and its checkpoint, once per model')
    parser.add_argument(
        '--out-dir', required=True, help='where the outputs go (created)')
    parser.add_argument(
        '--names',
        nargs='+',
        metavar='NAME',
        help='one name per model (default: the config file names)')
    parser.add_argument(
        '--num-pictures',
        type=int,
        default=4,
        metavar='K',
        help='pictures of the first K test images (default: 4; 0: none)')
    parser.add_argument(
        '--data-config',
        help='take the test data and evaluator settings from this config '
        '(default: the first model\'s config)')
    parser.add_argument(
        '--device', default='cpu', help='cpu (default) or cuda')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of every config, key=value (e.g. '
        'test_dataloader.dataset.data_root=DIR)')
    metric = parser.add_argument_group(
        'metric options (default: the data config\'s test_evaluator, else '
        'BoundaryIoUMetric\'s defaults)')
    metric.add_argument(
        '--iou-metrics',
        nargs='+',
        choices=['mIoU', 'mDice', 'mFscore'],
        help='as IoUMetric: mDice adds mDice, mFscore adds mFscore, '
        'mPrecision and mRecall (mIoU and mAcc always)')
    metric.add_argument(
        '--beta', type=float, help='weight of recall in mFscore')
    metric.add_argument(
        '--bf-protocol',
        choices=['counts', 'per_image'],
        help='boundary F-scores: counts (pixel tolerances, summed over the '
        'dataset) or per_image (GSCNN / SegFix: tolerances as fractions of '
        'the diagonal, mean over images then classes); switching it drops '
        'the evaluator\'s tolerances of the other protocol')
    metric.add_argument(
        '--bf-tolerance-ratios',
        type=float,
        nargs='+',
        metavar='R',
        help='tolerances of --bf-protocol per_image as fractions of the '
        'image diagonal (default: GSCNN\'s)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bars')
    return parser.parse_args(argv)


def _pairs(values):
    if len(values) % 2:
        sys.exit(f'error: {len(values)} positional arguments '
                 f'({" ".join(values)}): give CONFIG CHECKPOINT pairs, one '
                 'pair per model, before the options')
    return values[0::2], values[1::2]


def main(argv=None):
    args = parse_args(argv)
    configs, checkpoints = _pairs(args.pairs)
    try:
        result = compare_models(
            configs,
            checkpoints,
            names=args.names,
            data_config=args.data_config,
            cfg_options=args.cfg_options,
            device=args.device,
            num_pictures=args.num_pictures,
            progress=not args.no_progress,
            iou_metrics=args.iou_metrics,
            beta=args.beta,
            bf_protocol=args.bf_protocol,
            bf_tolerance_ratios=args.bf_tolerance_ratios)
        save_comparison_pictures(result, osp.join(args.out_dir, 'pictures'))
    except (ValueError, FileNotFoundError, ImportError,
            UnsafeCheckpointError) as err:
        sys.exit('error: ' + ' '.join(str(err).split()))
    os.makedirs(args.out_dir, exist_ok=True)
    markdown = format_markdown(result, base_dir=args.out_dir)
    md_path = osp.join(args.out_dir, 'comparison.md')
    with open(md_path, 'w') as file:
        file.write(markdown)
    json_path = osp.join(args.out_dir, 'comparison.json')
    write_json(result, json_path)
    print(markdown)
    for path in (md_path, json_path):
        print(f'written: {path}')
    return result


if __name__ == '__main__':
    main()
