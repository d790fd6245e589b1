"""Generate synthetic Cityscapes-, VOC-, ADE20K- and Pascal Context-layout
datasets for CPU demos.

Examples::

    python tools/dataset_converters/generate_synthetic_data.py
    python tools/dataset_converters/generate_synthetic_data.py \\
        --layout cityscapes --num-train 200 --height 256 --width 512 --nproc 4

Cityscapes-layout data goes to ``<out-dir>/cityscapes``, VOC-layout data to
``<out-dir>/VOCdevkit/VOC2012``, ADE20K-layout data to
``<out-dir>/ade/ADEChallengeData2016`` and Pascal Context-layout data to
``<out-dir>/VOCdevkit/VOC2010``. Re-running with the same arguments finds
the existing data and does nothing (use ``--overwrite`` to force).
"""
import argparse
import os.path as osp

from cblseg.datasets.synthetic import ade20k, cityscapes
from cblseg.datasets.synthetic import pascal_context as context
from cblseg.datasets.synthetic import voc

# layout -> (writer, sub-directory of --out-dir, default arguments)
LAYOUTS = dict(
    cityscapes=(cityscapes.generate_synthetic_cityscapes, ('cityscapes', ),
                dict(
                    num_train=cityscapes.DEFAULT_CITYSCAPES_NUM_TRAIN,
                    num_val=cityscapes.DEFAULT_CITYSCAPES_NUM_VAL,
                    height=cityscapes.DEFAULT_CITYSCAPES_HEIGHT,
                    width=cityscapes.DEFAULT_CITYSCAPES_WIDTH)),
    voc=(voc.generate_synthetic_voc, ('VOCdevkit', 'VOC2012'),
         dict(
             num_train=voc.DEFAULT_VOC_NUM_TRAIN,
             num_val=voc.DEFAULT_VOC_NUM_VAL,
             height=voc.DEFAULT_VOC_HEIGHT,
             width=voc.DEFAULT_VOC_WIDTH)),
    ade20k=(ade20k.generate_synthetic_ade20k, ('ade', 'ADEChallengeData2016'),
            dict(
                num_train=ade20k.DEFAULT_ADE20K_NUM_TRAIN,
                num_val=ade20k.DEFAULT_ADE20K_NUM_VAL,
                height=ade20k.DEFAULT_ADE20K_HEIGHT,
                width=ade20k.DEFAULT_ADE20K_WIDTH)),
    pascal_context=(context.generate_synthetic_pascal_context, ('VOCdevkit',
                                                                'VOC2010'),
                    dict(
                        num_train=context.DEFAULT_PASCAL_CONTEXT_NUM_TRAIN,
                        num_val=context.DEFAULT_PASCAL_CONTEXT_NUM_VAL,
                        height=context.DEFAULT_PASCAL_CONTEXT_HEIGHT,
                        width=context.DEFAULT_PASCAL_CONTEXT_WIDTH)),
)
# --layout values that stand for several layouts; 'both' is what it was
# before ADE20K and Pascal Context were added.
LAYOUT_GROUPS = dict(all=tuple(LAYOUTS), both=('cityscapes', 'voc'))


def _defaults_text(key):
    return ', '.join(f'{defaults[key]} {name}'
                     for name, (_, _, defaults) in LAYOUTS.items())


def parse_args():
    parser = argparse.ArgumentParser(
        description='Generate synthetic datasets in the Cityscapes, PASCAL '
        'VOC 2012, ADE20K and Pascal Context layouts.')
    parser.add_argument(
        '--layout',
        choices=list(LAYOUTS) + list(LAYOUT_GROUPS),
        default='all',
        help='which dataset layout(s) to write: one of them, all (the '
        'default) or both (cityscapes and voc)')
    parser.add_argument(
        '--out-dir',
        default=osp.join('data', 'synthetic'),
        help='output root; cityscapes goes to <out-dir>/cityscapes, voc to '
        '<out-dir>/VOCdevkit/VOC2012, ade20k to '
        '<out-dir>/ade/ADEChallengeData2016, pascal_context to '
        '<out-dir>/VOCdevkit/VOC2010')
    for option, key, what in (('--num-train', 'num_train', 'training images'),
                              ('--num-val', 'num_val', 'validation images'),
                              ('--height', 'height', 'image height'),
                              ('--width', 'width', 'image width')):
        parser.add_argument(
            option, type=int, help=f'{what} (default: {_defaults_text(key)})')
    parser.add_argument('--seed', type=int, default=0, help='dataset seed')
    parser.add_argument(
        '--nproc', type=int, default=1, help='number of worker processes')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        help='regenerate even if up-to-date data exists')
    return parser.parse_args()


def main():
    args = parse_args()
    layouts = LAYOUT_GROUPS.get(args.layout, (args.layout, ))
    for layout in layouts:
        generate, sub_dirs, defaults = LAYOUTS[layout]
        kwargs = {
            key: default if getattr(args, key) is None else getattr(args, key)
            for key, default in defaults.items()
        }
        summary = generate(
            osp.join(args.out_dir, *sub_dirs),
            seed=args.seed,
            nproc=args.nproc,
            overwrite=args.overwrite,
            **kwargs)
        counts = summary['num_images']
        size = f'{kwargs["height"]}x{kwargs["width"]}'
        if summary['skipped']:
            print(f'[{layout}] up to date, nothing written: '
                  f'{summary["root"]} ({counts["train"]} train, '
                  f'{counts["val"]} val, {size})')
        else:
            print(f'[{layout}] wrote {summary["files_written"]} files for '
                  f'{counts["train"]} train + {counts["val"]} val images '
                  f'({size}) to {summary["root"]} in '
                  f'{summary["seconds"]:.1f} s')
        print(f'    images: {osp.join(summary["root"], summary["img_dir"])}')
        print(f'    labels: {osp.join(summary["root"], summary["ann_dir"])}')


if __name__ == '__main__':
    main()
