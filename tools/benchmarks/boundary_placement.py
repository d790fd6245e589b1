# Copyright (c) cblseg contributors. All rights reserved.
"""Share of boundary pixels per training crop, with ``GenerateBoundary`` on
the full label (right after ``LoadAnnotations``, as in the CBL reference and
our dataset configs) and on the crop (last, before ``PackSegInputs``).

Runs the config's own train pipeline twice per crop with the same random
state (same resize, crop and flip; asserted), once per placement, and prints
the boundary share (boundary pixels / labelled pixels of ``gt_edge_map``)
per placement and their ratio. Without ``--data-root`` it writes synthetic
full-size (1024 x 2048) Cityscapes-layout data to a temporary directory.
Logic: :mod:`cblseg.datasets.boundary_placement`; figures: docs/cbl.md.

Examples::

    python tools/benchmarks/boundary_placement.py
    python tools/benchmarks/boundary_placement.py --num-images 16 --crops 8
    python tools/benchmarks/boundary_placement.py \\
        configs/_base_/datasets/cityscapes_512x1024.py \\
        --data-root data/cityscapes
    python tools/benchmarks/boundary_placement.py --quick   # smoke test
"""
import argparse
import statistics
import sys
import tempfile

try:
    import cv2
    from mmengine.config import Config

    from cblseg.benchmarks.cli import add_quick, add_size, parse_with_quick
    from cblseg.datasets import (boundary_shares,
                                 generate_synthetic_cityscapes,
                                 train_pipeline_and_samples)
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python.')

DEFAULT_CONFIG = 'configs/_base_/datasets/cityscapes_512x1024.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Boundary share per crop, GenerateBoundary on the full '
        'label vs on the crop (see docstring).')
    parser.add_argument(
        'config',
        nargs='?',
        default=DEFAULT_CONFIG,
        help=f'config with a train pipeline (default: {DEFAULT_CONFIG})')
    parser.add_argument(
        '--data-root',
        help='dataset root (default: synthetic full-size Cityscapes data in '
        'a temporary directory)')
    parser.add_argument(
        '--num-images', type=int, default=8, help='images (default: 8)')
    parser.add_argument(
        '--crops', type=int, default=4, help='crops per image (default: 4)')
    add_size(parser, (1024, 2048),
             'size of the synthetic images (default: 1024 2048)')
    parser.add_argument('--seed', type=int, default=0, help='first seed')
    add_quick(parser, 'one small image and one crop, for a smoke test')
    return parse_with_quick(parser, argv,
                            dict(num_images=1, crops=1, size=(256, 512)))


def summary(values):
    return (f'{100 * statistics.mean(values):6.2f} % '
            f'(median {100 * statistics.median(values):5.2f}, '
            f'min {100 * min(values):5.2f}, max {100 * max(values):5.2f})')


def measure(args, data_root):
    cfg = Config.fromfile(args.config)
    pipeline, samples = train_pipeline_and_samples(cfg, data_root,
                                                   args.num_images)
    rows = boundary_shares(pipeline, samples, args.crops, args.seed)
    print(f'config: {args.config}; data: {data_root}')
    print(f'{len(samples)} images x {args.crops} crops; packed crop sizes: '
          f'{sorted({r["shape"] for r in rows})}')
    print('boundary pixels / labelled pixels per crop, mean over crops:')
    full = [r['full'] for r in rows]
    crop = [r['crop'] for r in rows]
    print(f'  on the full label (right after LoadAnnotations): '
          f'{summary(full)}')
    print(f'  on the crop (last, before PackSegInputs):        '
          f'{summary(crop)}')
    print(f'ratio full / crop (means): '
          f'{statistics.mean(full) / statistics.mean(crop):.2f}x')


def main(argv=None):
    args = parse_args(argv)
    cv2.setNumThreads(1)
    if args.data_root:
        measure(args, args.data_root)
        return
    with tempfile.TemporaryDirectory() as root:
        height, width = args.size
        generate_synthetic_cityscapes(
            root,
            num_train=args.num_images,
            num_val=0,
            height=height,
            width=width,
            seed=args.seed)
        measure(args, root)


if __name__ == '__main__':
    main()
