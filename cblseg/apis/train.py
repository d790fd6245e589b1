"""``tools/train.py``: MMSeg's training command line on mmengine's Runner."""
import argparse
from typing import Optional, Sequence

from mmengine.runner import Runner

from .runner_setup import (add_common_args, close_distributed, finish_args,
                           prepare_cfg)

__all__ = ['parse_train_args', 'build_train_runner', 'train']


def parse_train_args(argv: Optional[Sequence[str]] = None):
    parser = argparse.ArgumentParser(description='Train a segmentor')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        action='store_true',
        default=False,
        help='resume from the latest checkpoint in the work_dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training')
    add_common_args(parser)
    return finish_args(parser.parse_args(argv))


def build_train_runner(args) -> Runner:
    """Build the Runner for training from parsed arguments."""
    cfg = prepare_cfg(args, splits=('train', 'val'))
    cfg.resume = args.resume
    if 'runner_type' in cfg:
        from mmseg.registry import RUNNERS
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def train(argv: Optional[Sequence[str]] = None) -> Runner:
    """Parse ``argv``, train, and return the Runner."""
    runner = build_train_runner(parse_train_args(argv))
    success = False
    try:
        runner.train()
        success = True
    finally:
        close_distributed(runner, success)
    return runner
