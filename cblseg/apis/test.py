"""``tools/test.py``: MMSeg's test command line on mmengine's Runner."""
import argparse
from typing import Optional, Sequence

from mmengine.logging import print_log
from mmengine.runner import Runner
from mmseg.registry import MODELS

from ..models.segmentors.mask_tta import SCORE_HEADS
from .runner_setup import (add_common_args, close_distributed, finish_args,
                           prepare_cfg)

__all__ = ['parse_test_args', 'build_test_runner', 'test']

MMSEG_TTA_MODEL = ('SegTTAModel', 'mmseg.SegTTAModel')


def _use_mask_aware_tta(cfg) -> None:
    """MMSeg's default ``tta_model`` (``SegTTAModel``, from its
    default_runtime.py) softmaxes ``seg_logits``; a Mask2Former or
    MaskFormer head predicts class scores, which Mask2Former's own
    test-time augmentation averages as they are. For such a model, switch
    to ``MaskAwareSegTTAModel`` (docs/tta.md); leave every other choice
    alone."""
    if cfg.tta_model.get('type') not in MMSEG_TTA_MODEL:
        return
    head = cfg.model.get('decode_head')
    head = head[-1] if isinstance(head, (list, tuple)) else head
    head_type = head.get('type') if head is not None else None
    head_cls = MODELS.get(head_type) if isinstance(head_type, str) else None
    if head_cls is not None and issubclass(head_cls, SCORE_HEADS):
        print_log(
            f'--tta: {head_type} predicts class scores, not logits; '
            'MaskAwareSegTTAModel averages them as Mask2Former\'s own '
            'test-time augmentation does (SegTTAModel would softmax them).',
            logger='current')
        cfg.tta_model.type = 'MaskAwareSegTTAModel'


def parse_test_args(argv: Optional[Sequence[str]] = None):
    parser = argparse.ArgumentParser(
        description='MMSeg test (and eval) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        type=str,
        help='directory to save predictions (index PNGs) for offline '
        'evaluation')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory for painted predictions; they go to '
        'SHOW_DIR/vis_data/vis_image/ (a relative SHOW_DIR is relative to '
        'the current directory)')
    parser.add_argument(
        '--show-interval',
        type=int,
        default=1,
        help='paint every N-th test image with --show/--show-dir (MMSeg\'s '
        'hook defaults to every 50th, which paints nothing on a small '
        'split); default 1')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--tta', action='store_true', help='test time augmentation')
    add_common_args(parser)
    return finish_args(parser.parse_args(argv))


def _enable_visualization(cfg, args):
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        raise RuntimeError(
            '--show/--show-dir need a visualization hook: add '
            "default_hooks.visualization=dict(type='SegVisualizationHook').")
    hooks.visualization.draw = True
    hooks.visualization.interval = args.show_interval
    if args.show:
        hooks.visualization.show = True
        hooks.visualization.wait_time = args.wait_time
    if args.show_dir:
        cfg.visualizer.save_dir = args.show_dir


def build_test_runner(args) -> Runner:
    """Build the Runner for testing a checkpoint from parsed arguments."""
    cfg = prepare_cfg(args, splits=('test', ))
    cfg.load_from = args.checkpoint
    # Testing needs no training parts. Without them the Runner never builds
    # the train set: MMSeg's visualization hook reads runner.iter, which
    # otherwise builds the train loop and fails when only test data exists.
    for key in ('train_dataloader', 'train_cfg', 'optim_wrapper',
                'param_scheduler'):
        cfg[key] = None
    if args.show or args.show_dir:
        _enable_visualization(cfg, args)
    if args.tta:
        if 'tta_pipeline' not in cfg or 'tta_model' not in cfg:
            raise ValueError(
                f'--tta needs tta_pipeline and tta_model in {args.config}.')
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        _use_mask_aware_tta(cfg)
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out
        cfg.test_evaluator['keep_results'] = True
    return Runner.from_cfg(cfg)


def test(argv: Optional[Sequence[str]] = None) -> dict:
    """Parse ``argv``, test the checkpoint and return the metrics."""
    runner = build_test_runner(parse_test_args(argv))
    success = False
    try:
        metrics = runner.test()
        success = True
    finally:
        close_distributed(runner, success)
    return metrics
