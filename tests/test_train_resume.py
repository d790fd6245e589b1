"""Training with the launcher's code path, interrupted and resumed."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.hooks import Hook

from cblseg.apis import build_train_runner, parse_train_args
from cblseg.utils import load_checkpoint_safely
from helpers import DEMO_BASELINE_CONFIG, tiny_train_options

pytestmark = pytest.mark.slow


class _Crash(RuntimeError):
    pass


class CrashAfterIter(Hook):
    """Simulates a job killed right after iteration ``at`` (and its
    checkpoint)."""
    priority = 'LOWEST'  # after CheckpointHook has saved

    def __init__(self, at):
        self.at = at

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.at:
            raise _Crash(f'stopped after iteration {self.at}')


class RecordStateBeforeTrain(Hook):
    priority = 'LOWEST'

    def before_train(self, runner):
        # deep copies: training goes on to update these tensors in place
        self.iter = runner.iter
        self.optimizer = copy.deepcopy(runner.optim_wrapper.state_dict())
        self.schedulers = copy.deepcopy(
            [s.state_dict() for s in runner.param_schedulers])


def _assert_same(a, b, path='state'):
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b), path
    elif isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            _assert_same(a[key], b[key], f'{path}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f'{path}[{i}]')
    else:
        assert a == b, f'{path}: {a!r} != {b!r}'


def test_resume_continues_at_saved_iteration(synthetic_cityscapes_root,
                                             tmp_path):
    work_dir = str(tmp_path / 'work')
    argv = [DEMO_BASELINE_CONFIG, '--work-dir', work_dir, '--cfg-options'
            ] + tiny_train_options(
                synthetic_cityscapes_root, max_iters=6)
    runner = build_train_runner(parse_train_args(argv))
    runner.register_hook(CrashAfterIter(at=4))
    with pytest.raises(_Crash):
        runner.train()
    ckpt_path = osp.join(work_dir, 'iter_4.pth')
    assert osp.exists(ckpt_path)
    assert not osp.exists(osp.join(work_dir, 'iter_6.pth'))

    resumed = build_train_runner(parse_train_args(argv + ['--resume']))
    recorder = RecordStateBeforeTrain()
    resumed.register_hook(recorder)
    resumed.train()

    saved = load_checkpoint_safely(ckpt_path, map_location='cpu')
    assert recorder.iter == 4 == saved['meta']['iter']
    _assert_same(recorder.optimizer, saved['optimizer'])
    _assert_same(recorder.schedulers, saved['param_schedulers'])
    # momentum buffers exist: the optimizer state really was restored
    assert len(saved['optimizer']['state']) > 0
    assert resumed.iter == 6
    assert osp.exists(osp.join(work_dir, 'iter_6.pth'))
