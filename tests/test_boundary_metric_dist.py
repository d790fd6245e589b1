# Copyright (c) cblseg contributors. All rights reserved.
"""BoundaryIoUMetric through tools/test.py: 2 processes (tools/dist_test.sh,
CPU / gloo) give exactly the numbers of 1 process."""
import os
import re
import subprocess
import sys

import pytest
import torch

from conftest import DEMO_CONFIG, REPO_ROOT, free_port

_TEST_LINE = re.compile(r'Iter\(test\) \[\d+/\d+\]\s+(.*)$', re.M)
_PAIR = re.compile(r'([\w@/]+): (nan|-?\d+(?:\.\d+)?)')


def test_metrics(output: str) -> dict:
    """The metric values of the final 'Iter(test)' log line."""
    lines = [m.group(1) for m in _TEST_LINE.finditer(output)]
    assert lines, output[-3000:]
    return {
        key: value
        for key, value in _PAIR.findall(lines[-1])
        if key not in ('data_time', 'time')
    }


test_metrics.__test__ = False  # a helper, not a test


@pytest.fixture(scope='module')
def random_checkpoint(tmp_path_factory):
    """The demo model with its (seeded) initial weights: enough to give
    varied predictions, without spending time on training."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmseg.registry import MODELS

    import cblseg  # noqa: F401
    init_default_scope('mmseg')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(DEMO_CONFIG).model)
    model.init_weights()
    path = str(tmp_path_factory.mktemp('ckpt') / 'random_init.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def test_two_processes_give_the_one_process_numbers(random_checkpoint,
                                                    synthetic_cityscapes,
                                                    tmp_path):
    from cblseg.apis import test as run_test

    options = [
        'test_evaluator.type=BoundaryIoUMetric',
        'test_evaluator.cbl_biou=True',
        f'test_dataloader.dataset.data_root={synthetic_cityscapes}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
    ]
    # 2 processes through the launcher, in the background ...
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        OMP_NUM_THREADS='1',
        PORT=str(free_port()))
    double = subprocess.Popen(
        [
            'bash', 'tools/dist_test.sh', DEMO_CONFIG, random_checkpoint, '2',
            '--work-dir',
            str(tmp_path / 'two'), '--cfg-options'
        ] + options,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    try:
        # ... while 1 process runs here (tools/test.py's code path, one
        # thread like the launched processes: same predictions)
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            one = run_test([
                DEMO_CONFIG, random_checkpoint, '--work-dir',
                str(tmp_path / 'one'), '--cfg-options'
            ] + options)
        finally:
            torch.set_num_threads(threads)
        double_out, _ = double.communicate(timeout=600)
    finally:
        if double.poll() is None:
            double.kill()
    assert double.returncode == 0, double_out[-5000:]
    assert 'Distributed training: True' in double_out
    assert set(one) == {
        'aAcc', 'microIoU', 'mIoU', 'mAcc', 'fwIoU', 'mBIoU', 'mBF@1px',
        'mBF@3px', 'mBF@5px', 'cblBIoU'
    }
    two = test_metrics(double_out)
    # the log prints 4 decimals of values rounded to 2
    assert {key: float(value) for key, value in two.items()} == one
    # the per-class table with the dataset's class names
    assert 'BIoU' in double_out and 'traffic light' in double_out
