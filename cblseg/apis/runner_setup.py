"""What ``tools/train.py`` and ``tools/test.py`` share: config loading,
command-line overrides and hardware fallbacks before the Runner is built."""
import logging
import os
import os.path as osp
import warnings
from argparse import ArgumentParser, Namespace

import torch.distributed as torch_dist
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from cblseg.datasets import check_label_loaders
from cblseg.utils import (CUSTOM_IMPORTS_HINT, adapt_cfg_to_hardware,
                          check_data_roots, imports_cblseg,
                          init_cpu_distributed, load_config)

__all__ = [
    'add_common_args', 'enable_amp', 'prepare_cfg', 'finish_args',
    'close_distributed'
]


def add_common_args(parser: ArgumentParser) -> ArgumentParser:
    """Arguments that MMSeg's train.py and test.py both take."""
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, xxx=yyy; lists as key="[a,b]"'
        ' or key=a,b; no white space')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0).
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def close_distributed(runner: Runner, success: bool) -> None:
    """Wait for every rank, free the process group, then destroy it.

    ``destroy_process_group`` does not stop gloo's worker threads while the
    DDP wrapper still holds the group; they would be stopped by the group's
    destructor during interpreter shutdown instead, where a thread that needs
    the GIL aborts the rank ("terminate called without an active
    exception"), failing a run whose work was done. Replacing the wrapper by
    the model it wraps frees the group, and its threads, here.

    Args:
        runner (Runner): The runner whose model is unwrapped; its ``model``
            stays usable for inference afterwards.
        success (bool): Whether the run finished; only then do ranks wait
            for each other, as a failed rank's peers may never arrive.
    """
    if not torch_dist.is_available() or not torch_dist.is_initialized():
        return
    if success:
        torch_dist.barrier()
    if is_model_wrapper(runner.model):
        runner.model = runner.model.module
    torch_dist.destroy_process_group()


def finish_args(args: Namespace) -> Namespace:
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def enable_amp(cfg: Config) -> None:
    """``--amp``: switch ``OptimWrapper`` to ``AmpOptimWrapper``, as MMSeg's
    train.py does."""
    optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if optim_wrapper == 'AmpOptimWrapper':
        print_log(
            'AMP training is already enabled in your config.',
            logger='current',
            level=logging.WARNING)
    elif optim_wrapper != 'OptimWrapper':
        raise ValueError(
            '--amp works when optim_wrapper.type is OptimWrapper, but the '
            f'config has {optim_wrapper!r}.')
    else:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'


def prepare_cfg(args: Namespace, splits) -> Config:
    """Load the config and apply what the command line and machine need.

    Args:
        args (Namespace): Parsed arguments with ``config``, ``work_dir``,
            ``cfg_options``, ``launcher`` and optionally ``amp``.
        splits (Sequence[str]): Dataloaders whose data must exist.

    Returns:
        Config: Ready for ``Runner.from_cfg``.
    """
    cfg = load_config(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if getattr(args, 'amp', False):
        enable_amp(cfg)
    if not imports_cblseg(cfg):
        warnings.warn(
            f'{args.config} does not list cblseg in custom_imports. It runs '
            'with cblseg\'s tools, but MMSeg\'s own tools will not find '
            f'cblseg\'s modules: add `{CUSTOM_IMPORTS_HINT}`.')
    # work_dir: command line > config > config file name, as in MMSeg.
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    check_data_roots(cfg, splits)
    # LoadCheckedAnnotations' num_classes vs the dataset's classes
    check_label_loaders(cfg, splits)
    adapt_cfg_to_hardware(cfg)
    init_cpu_distributed(cfg.launcher)
    return cfg
