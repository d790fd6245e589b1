"""Draw the per-class masks and boundary bands of one labelled image.

One image and its class-index label:

    python tools/analysis/visualize_boundaries.py --img IMG --label LABEL \
        (--dataset NAME | --num-classes K) --out-dir DIR

(NAME: cityscapes, voc, ade20k, pascal_context, pascal_context_59; classes
and palette from MMSeg's dataset METAINFO; ADE20K and Pascal Context 59
labels are reduced as in training, 0 -> 255 and v -> v - 1)

or sample N of a config's dataset (names and palette from its metainfo):

    python tools/analysis/visualize_boundaries.py --config CFG --index N \
        [--split train|val|test] [--cfg-options k=v ...] --out-dir DIR

Writes ``<stem>_boundary_grid.png`` (per-class mask | boundary tiles, see
cblseg/visualization/boundary_grid.py for its exact size) and
``<stem>_boundary_overlay.png`` (the image with the boundary band in class
colours) to DIR, ``<stem>`` the image file name without extension, and
prints their paths. The band radius is ``--radius`` pixels, or ``--dilation``
(default 0.02) times the image diagonal, at least 1 pixel.
"""
import argparse
import os
import os.path as osp
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction

    from cblseg.datasets.dataset_meta import DATASET_TYPES
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[1:]))
    files = parser.add_argument_group('image + label mode')
    files.add_argument('--img', help='image file')
    files.add_argument('--label', help='class-index label file')
    files.add_argument(
        '--dataset',
        choices=sorted(DATASET_TYPES),
        help='class names, palette and reduce_zero_label of an MMSeg '
        'dataset (Cityscapes: 19 train ids)')
    files.add_argument(
        '--num-classes',
        type=int,
        help='number of classes when no --dataset (generic names/colours)')
    files.add_argument(
        '--ignore-index', type=int, default=255, help='default: 255')
    dataset = parser.add_argument_group('config + index mode')
    dataset.add_argument('--config', help='MMSeg config file')
    dataset.add_argument('--index', type=int, help='sample index')
    dataset.add_argument(
        '--split', default='val', choices=['train', 'val', 'test'])
    dataset.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value')
    parser.add_argument('--out-dir', required=True)
    width = parser.add_mutually_exclusive_group()
    width.add_argument('--radius', type=int, help='band radius in pixels')
    width.add_argument(
        '--dilation',
        type=float,
        help='band radius as a fraction of the image diagonal (default '
        '0.02)')
    parser.add_argument(
        '--all-classes',
        action='store_true',
        help='one cell per class, not only the present ones')
    parser.add_argument('--tile-width', type=int, default=160)
    parser.add_argument('--columns', type=int, default=4)
    parser.add_argument(
        '--alpha', type=float, default=0.7, help='overlay opacity')
    parser.add_argument(
        '--ignore-style',
        default='hatch',
        choices=['hatch', 'darken', 'none'],
        help='how the overlay shows ignored pixels')
    args = parser.parse_args(argv)
    file_mode = args.img is not None or args.label is not None
    config_mode = args.config is not None or args.index is not None
    if file_mode == config_mode:
        parser.error('give either --img and --label, or --config and '
                     '--index')
    if file_mode and (args.img is None or args.label is None):
        parser.error('--img and --label go together')
    if file_mode and args.dataset is None and args.num_classes is None:
        parser.error('--img/--label need --dataset or --num-classes')
    if config_mode and (args.config is None or args.index is None):
        parser.error('--config and --index go together')
    return args


def main(argv=None):
    args = parse_args(argv)
    from PIL import Image

    from cblseg.datasets.dataset_samples import (load_sample_from_config,
                                                 load_sample_from_files)
    from cblseg.visualization.boundary_grid import render_boundary_pictures
    try:
        if args.config is not None:
            sample = load_sample_from_config(args.config, args.index,
                                             args.split, args.cfg_options)
        else:
            sample = load_sample_from_files(args.img, args.label, args.dataset,
                                            args.num_classes,
                                            args.ignore_index)
        pictures = render_boundary_pictures(
            sample,
            radius=args.radius,
            dilation=args.dilation,
            all_classes=args.all_classes,
            tile_width=args.tile_width,
            columns=args.columns,
            alpha=args.alpha,
            ignore_style=args.ignore_style)
    except (ValueError, IndexError, KeyError, OSError) as err:
        sys.exit(f'error: {err}')
    os.makedirs(args.out_dir, exist_ok=True)
    paths = []
    for kind in ('grid', 'overlay'):
        path = osp.join(args.out_dir,
                        f"{pictures['stem']}_boundary_{kind}.png")
        Image.fromarray(pictures[kind]).save(path)
        paths.append(path)
        print(path)
    return paths


if __name__ == '__main__':
    main()
