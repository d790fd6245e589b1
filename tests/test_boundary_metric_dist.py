# Copyright (c) cblseg contributors. All rights reserved.
"""BoundaryIoUMetric through tools/test.py: 2 processes (tools/dist_test.sh,
CPU / gloo) give exactly the numbers of 1 process, for the default metric
and, in the same run, one with IoUMetric's extra metrics and the per-image
boundary F-score protocol (per-image results collected across ranks)."""
import os
import re
import subprocess
import sys

import pytest
import torch

from helpers import DEMO_BASELINE_CONFIG, REPO_ROOT, free_port

pytestmark = pytest.mark.slow

_TEST_LINE = re.compile(r'Iter\(test\) \[\d+/\d+\]\s+(.*)$', re.M)
_PAIR = re.compile(r'([\w@/.]+): (nan|-?\d+(?:\.\d+)?)')
# Two metrics in one test run: the default one with cblBIoU, and one with
# IoUMetric's iou_metrics and the per-image protocol (prefix 'img').
_EVALUATORS = '''
test_evaluator = [
    dict(type='BoundaryIoUMetric', cbl_biou=True),
    dict(type='BoundaryIoUMetric', prefix='img', bf_protocol='per_image',
         bf_tolerance_ratios=(0.005, 0.01, 0.02),
         iou_metrics=['mIoU', 'mDice', 'mFscore']),
]
'''


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
    model = MODELS.build(Config.fromfile(DEMO_BASELINE_CONFIG).model)
    model.init_weights()
    path = str(tmp_path_factory.mktemp('ckpt') / 'random_init.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def test_two_processes_give_the_one_process_numbers(random_checkpoint,
                                                    synthetic_cityscapes_root,
                                                    tmp_path):
    from cblseg.apis import test as run_test

    config = tmp_path / 'two_metrics.py'
    config.write_text(f'_base_ = [{DEMO_BASELINE_CONFIG!r}]\n' + _EVALUATORS)
    config = str(config)
    options = [
        f'test_dataloader.dataset.data_root={synthetic_cityscapes_root}',
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
            'bash', 'tools/dist_test.sh', config, random_checkpoint, '2',
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
                config, random_checkpoint, '--work-dir',
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
    default_keys = [
        'aAcc', 'microIoU', 'mIoU', 'mAcc', 'fwIoU', 'mBIoU', 'mBF@1px',
        'mBF@3px', 'mBF@5px', 'cblBIoU'
    ]
    per_image_keys = [
        'aAcc', 'microIoU', 'mIoU', 'mAcc', 'mDice', 'mFscore', 'mPrecision',
        'mRecall', 'fwIoU', 'mBIoU', 'mBF@0.005diag', 'mBF@0.01diag',
        'mBF@0.02diag'
    ]
    assert list(one) == default_keys + [f'img/{k}' for k in per_image_keys]
    two = test_metrics(double_out)
    # the log prints 4 decimals of values rounded to 2
    assert {key: float(value) for key, value in two.items()} == one
    # the per-class table with the dataset's class names
    assert 'BIoU' in double_out and 'traffic light' in double_out
