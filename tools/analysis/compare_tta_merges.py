"""Multi-scale + flip test a checkpoint twice, merging the augmentations by
their class scores (cblseg's MaskAwareSegTTAModel, for Mask2Former and
MaskFormer) and by MMSeg's SegTTAModel (softmax), and print how many pixels
differ and each merge's pixel accuracy (docs/tta.md)::

    python tools/analysis/compare_tta_merges.py CONFIG CHECKPOINT \\
        [--data-root DIR] [--max-images N]
"""
import argparse
import sys

try:
    from cblseg.evaluation.tta_merge import compare_tta_merges
except ImportError as err:
    sys.exit(f'cannot import cblseg ({err}). Run `make setup` and use '
             '.venv/bin/python.')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('::')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', help='replaces the test data_root')
    parser.add_argument('--max-images', type=int)
    args = parser.parse_args()

    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS

    from cblseg.utils import load_config
    init_default_scope('mmseg')
    cfg = load_config(args.config)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    dataset_cfg = cfg.test_dataloader.dataset
    if args.data_root:
        dataset_cfg.data_root = args.data_root
    r = compare_tta_merges(model.eval(), dataset_cfg, cfg.tta_pipeline,
                           args.max_images)
    print(f"{r['images']} images x {r['augmentations']} augmentations: "
          f"{r['differing']} of {r['pixels']} pixels differ "
          f"({100 * r['differing'] / r['pixels']:.2f}%); pixel accuracy: "
          f"class-score mean {r['acc_scores']:.2f}, SegTTAModel "
          f"{r['acc_softmax']:.2f}")


if __name__ == '__main__':
    main()
