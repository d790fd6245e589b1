"""Check every image / label pair of a config's datasets before training:
``python tools/check_dataset.py CONFIG [--splits train val test]
[--nproc N] [--out report.json] [--cfg-options k=v ...]``.

Reports unreadable or truncated files, images without labels, image/label
size mismatches and label values outside the classes (per file, with pixel
counts); exits with status 1 when anything is wrong. Logic:
:mod:`cblseg.datasets.dataset_check`; docs/datasets.md.
"""
import argparse
import json
import sys

try:
    from mmengine.config import DictAction

    from cblseg.datasets import check_dataset, format_check_report
    from cblseg.utils import load_config
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python, or `pip install -e .` in the cblseg '
             'repository with the python that runs MMSeg.')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Check the image / label pairs of a config\'s datasets.')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--splits',
        nargs='+',
        choices=['train', 'val', 'test'],
        default=['train', 'val', 'test'],
        help='dataloaders to check (default: all three)')
    parser.add_argument(
        '--nproc', type=int, default=1, help='worker processes (default: 1)')
    parser.add_argument('--out', help='write the full report as JSON here')
    parser.add_argument(
        '--max-rows',
        type=int,
        default=50,
        help='problems shown in the table (default: 50; all in --out)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, xxx=yyy')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = load_config(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    try:
        report = check_dataset(cfg, args.splits, nproc=args.nproc)
    except (ValueError, FileNotFoundError) as err:
        sys.exit(f'check_dataset: {err}')
    report['config'] = args.config
    print(format_check_report(report, max_rows=args.max_rows))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(report, f, indent=2)
        print(f'report written to {args.out}')
    sys.exit(0 if report['ok'] else 1)


if __name__ == '__main__':
    main()
