"""A bad label file stops tools/train.py and tools/test.py with an error that
names it, for the CBL demo config and the plain OCRNet demo config alike,
before any loss or metric runs (never PyTorch's "IndexError: Target 40 is
out of bounds")."""
import os.path as osp
import sys

import cv2
import pytest

from cblseg.datasets.synthetic.cityscapes import cityscapes_files
from helpers import (CBL_DEMO_CONFIG, DEMO_BASELINE_CONFIG, run_tool,
                     tiny_train_options)

pytestmark = pytest.mark.slow


@pytest.fixture
def small_cityscapes(tmp_path):
    """2 train images (one batch of 2: both load in the first iteration),
    1 val image; the test plants faults in its own copy."""
    from cblseg.datasets import generate_synthetic_cityscapes
    root = tmp_path / 'cityscapes'
    generate_synthetic_cityscapes(
        str(root), num_train=2, num_val=1, height=64, width=128, seed=0)
    return str(root)


def plant_value(root, split, index, value=40, pixels=7):
    path = osp.join(root, cityscapes_files(split, index)['train_ids'])
    label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    label[10, 20:20 + pixels] = value
    cv2.imwrite(path, label)
    return path


def train(config, root, work_dir, max_iters=2):
    return run_tool([
        sys.executable, 'tools/train.py', config, '--work-dir',
        str(work_dir), '--cfg-options'
    ] + tiny_train_options(root, max_iters=max_iters, ckpt_interval=1))


def assert_names_bad_value(proc, path, pixels=7):
    out = proc.stdout
    assert proc.returncode != 0, out[-3000:]
    assert 'ValueError' in out and f'label file {path}' in out, out[-3000:]
    assert f'40 ({pixels} pixels)' in out, out[-3000:]
    assert 'IndexError' not in out and 'out of bounds' not in out


@pytest.mark.parametrize(
    'config', [CBL_DEMO_CONFIG, DEMO_BASELINE_CONFIG], ids=['cbl', 'ocrnet'])
def test_training_stops_naming_the_label_file(config, small_cityscapes,
                                              tmp_path):
    path = plant_value(small_cityscapes, 'train', 1)
    proc = train(config, small_cityscapes, tmp_path / 'work')
    assert_names_bad_value(proc, path)
    assert not osp.exists(tmp_path / 'work' / 'iter_1.pth')


def test_truncated_label_is_named(small_cityscapes, tmp_path):
    path = osp.join(small_cityscapes,
                    cityscapes_files('train', 0)['train_ids'])
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 2])
    proc = train(DEMO_BASELINE_CONFIG, small_cityscapes, tmp_path / 'work')
    out = proc.stdout
    assert proc.returncode != 0, out[-3000:]
    assert f'cannot read or decode the label file {path}' in out, out[-3000:]
    assert 'truncated' in out


def test_validation_and_test_stop_naming_the_label_file(
        small_cityscapes, tmp_path):
    """Training is clean, validation after iteration 1 meets the bad val
    label; tools/test.py then meets it with the saved checkpoint."""
    path = plant_value(small_cityscapes, 'val', 0, pixels=3)
    work_dir = tmp_path / 'work'
    proc = train(CBL_DEMO_CONFIG, small_cityscapes, work_dir, max_iters=1)
    assert_names_bad_value(proc, path, pixels=3)
    checkpoint = work_dir / 'iter_1.pth'
    assert checkpoint.exists(), proc.stdout[-3000:]
    proc = run_tool([
        sys.executable, 'tools/test.py', CBL_DEMO_CONFIG,
        str(checkpoint), '--work-dir',
        str(tmp_path / 'test'), '--cfg-options',
        f'test_dataloader.dataset.data_root={small_cityscapes}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    assert_names_bad_value(proc, path, pixels=3)
