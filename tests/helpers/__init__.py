# Copyright (c) cblseg contributors. All rights reserved.
"""What several test modules share (test modules never import each other,
nor ``conftest``). The tests folder is on ``sys.path`` (pytest's default
``prepend`` import mode, also under pytest-xdist), so::

    from helpers import REPO_ROOT, run_tool
    from helpers.models import make_batch, train_step

This module holds paths and subprocess helpers and imports nothing heavy;
the submodules are grouped by concern:

* :mod:`helpers.configs`: cached config loading, config comparisons;
* :mod:`helpers.labels`: random label maps, the CBL reference's boundary;
* :mod:`helpers.models`: small batches, loss keys, training steps;
* :mod:`helpers.cbl_oracle`: the per-pixel CBL definition and its inputs;
* :mod:`helpers.metric_samples`: samples for BoundaryIoUMetric.
"""
import glob
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# What ``make demo`` trains (scripts/demo.sh): OCRNet HRNet-tiny with CBL on
# synthetic Cityscapes.
CBL_DEMO_CONFIG = osp.join(
    REPO_ROOT,
    'configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
# Its baseline: the same model, data and schedule with MMSeg's OCRHead.
DEMO_BASELINE_CONFIG = osp.join(
    REPO_ROOT,
    'configs/ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')

# What setup.py needs to build (tests/ and docs/ are not shipped).
SOURCES = ('setup.py', 'setup.cfg', 'MANIFEST.in', 'README.md',
           'model-index.yml', 'requirements', 'cblseg', 'configs', 'tools')


def copy_checkout(dst):
    """Copy what a build of the package reads into ``dst``, so a pip build
    leaves no build/, egg-info or cblseg/.mim copies in the checkout."""
    os.makedirs(dst)
    ignore = shutil.ignore_patterns('__pycache__', '*.pyc', '.mim',
                                    '*.egg-info')
    for name in SOURCES:
        src = osp.join(REPO_ROOT, name)
        if osp.isdir(src):
            shutil.copytree(src, osp.join(dst, name), ignore=ignore)
        else:
            shutil.copyfile(src, osp.join(dst, name))
    return dst


def gloo_thread_count() -> int:
    """Number of gloo's native threads in this process (``/proc``, Linux):
    they must end before the interpreter shuts down, where a gloo thread
    that needs the GIL aborts or deadlocks the process."""
    names = []
    for path in glob.glob('/proc/self/task/*/comm'):
        try:
            with open(path) as comm:
                names.append(comm.read())
        except OSError:  # the thread ended while we listed them
            pass
    return sum(name.startswith(('pt_gloo', 'gloo')) for name in names)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_tool(args, cwd=REPO_ROOT, env=None, timeout=600):
    """Run a repo tool with this interpreter; return the CompletedProcess."""
    full_env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')
    full_env.update(env or {})
    return subprocess.run(
        args,
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)


def tiny_train_options(data_root, max_iters=4, ckpt_interval=2):
    """--cfg-options that shrink the demo config to a few fast iterations."""
    return [
        f'train_dataloader.dataset.data_root={data_root}',
        f'val_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.data_root={data_root}',
        'train_dataloader.batch_size=2',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        f'train_cfg.max_iters={max_iters}',
        f'train_cfg.val_interval={max_iters}',
        f'default_hooks.checkpoint.interval={ckpt_interval}',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        'default_hooks.logger.interval=1',
        'randomness.seed=0',
    ]
