"""Real multi-process runs on CPU (gloo) through the shell launchers."""
import os.path as osp
import re
import sys

import pytest

from helpers import (DEMO_BASELINE_CONFIG, free_port, gloo_thread_count,
                     run_tool, tiny_train_options)

pytestmark = pytest.mark.slow

_METRIC = re.compile(r'Iter\(test\) \[\d+/\d+\]\s+(.*)$', re.M)


def _test_metrics(output):
    """The metric values of the final 'Iter(test)' log line."""
    lines = [m.group(1) for m in _METRIC.finditer(output)]
    assert lines, output[-3000:]
    pairs = re.findall(r'(\w+): ([-\d.]+)', lines[-1])
    return {k: v for k, v in pairs if k not in ('data_time', 'time')}


@pytest.fixture(scope='module')
def two_process_training(synthetic_cityscapes_root, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('dist_train'))
    result = run_tool(
        [
            'bash', 'tools/dist_train.sh', DEMO_BASELINE_CONFIG, '2',
            '--work-dir', work_dir, '--cfg-options'
        ] + tiny_train_options(synthetic_cityscapes_root, max_iters=2) +
        # SyncBN must fall back to BN on CPU instead of failing
        ['model.backbone.norm_cfg.type=SyncBN'],
        env=dict(PORT=str(free_port())))
    return work_dir, result


def test_two_process_cpu_training(two_process_training):
    work_dir, result = two_process_training
    assert result.returncode == 0, result.stdout[-5000:]
    assert 'replaced' in result.stdout and 'SyncBN' in result.stdout
    assert 'Distributed training: True' in result.stdout
    # mmengine reports the world size as "GPU number" even on CPU
    assert 'GPU number: 2' in result.stdout
    assert osp.exists(osp.join(work_dir, 'iter_2.pth'))


def test_two_process_test_equals_one_process(two_process_training,
                                             synthetic_cityscapes_root,
                                             tmp_path):
    work_dir, train_result = two_process_training
    assert train_result.returncode == 0, train_result.stdout[-5000:]
    ckpt = osp.join(work_dir, 'iter_2.pth')
    data_opts = [
        f'test_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ]
    single = run_tool([
        sys.executable, 'tools/test.py', DEMO_BASELINE_CONFIG, ckpt,
        '--work-dir',
        str(tmp_path / 'one'), '--cfg-options'
    ] + data_opts)
    assert single.returncode == 0, single.stdout[-5000:]
    double = run_tool(
        [
            'bash', 'tools/dist_test.sh', DEMO_BASELINE_CONFIG, ckpt, '2',
            '--work-dir',
            str(tmp_path / 'two'), '--cfg-options'
        ] + data_opts,
        env=dict(PORT=str(free_port())))
    assert double.returncode == 0, double.stdout[-5000:]
    one, two = _test_metrics(single.stdout), _test_metrics(double.stdout)
    assert 'mIoU' in one
    assert one == two


def test_test_tool_tta_show_dir_and_out(two_process_training,
                                        synthetic_cityscapes_root, tmp_path):
    """tools/test.py's MMSeg options on the 2-process checkpoint."""
    work_dir, train_result = two_process_training
    assert train_result.returncode == 0, train_result.stdout[-5000:]
    out_dir, show_dir = tmp_path / 'pred', tmp_path / 'painted'
    result = run_tool([
        sys.executable, 'tools/test.py', DEMO_BASELINE_CONFIG,
        osp.join(work_dir, 'iter_2.pth'), '--work-dir',
        str(tmp_path / 'work'), '--tta', '--out',
        str(out_dir), '--show-dir',
        str(show_dir), '--cfg-options',
        f'test_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ])
    assert result.returncode == 0, result.stdout[-5000:]
    assert 'mIoU' in _test_metrics(result.stdout)
    predictions = sorted(out_dir.glob('*.png'))
    assert len(predictions) == 4  # the 4 val images, as index PNGs
    # every image is painted, not MMSeg's every 50th
    painted = sorted((show_dir / 'vis_data' / 'vis_image').glob('*.png'))
    assert len(painted) == 4, list(show_dir.rglob('*'))[:20]


def test_prediction_panels(two_process_training, synthetic_cityscapes_root,
                           tmp_path):
    """The demo's image | ground truth | prediction pictures."""
    from mmengine.config import Config
    from PIL import Image

    from cblseg.visualization import save_prediction_panels
    work_dir, train_result = two_process_training
    assert train_result.returncode == 0, train_result.stdout[-5000:]
    cfg = Config.fromfile(DEMO_BASELINE_CONFIG)
    cfg.test_dataloader.dataset.data_root = synthetic_cityscapes_root
    paths = save_prediction_panels(
        cfg, osp.join(work_dir, 'iter_2.pth'), str(tmp_path), num_images=3)
    assert len(paths) == 3
    for path in paths:
        with Image.open(path) as image:
            # 64x128 val images: a title bar of 18 px, three tiles, two gaps
            assert image.size == (3 * 128 + 8, 64 + 18)


@pytest.mark.skipif(
    not osp.isdir('/proc/self/task'), reason='lists threads through /proc')
def test_launcher_run_stops_gloo_threads_before_returning(
        synthetic_cityscapes_root, tmp_path, monkeypatch, one_torch_thread):
    """gloo's threads must end while the interpreter is alive: left to its
    shutdown, they can abort a rank after the work is done."""
    import torch.distributed as torch_dist
    from mmengine.model import is_model_wrapper

    from cblseg.apis import train
    before = gloo_thread_count()
    # what torchrun sets for a world of one
    for key, value in dict(
            RANK='0',
            LOCAL_RANK='0',
            WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(key, value)
    try:
        runner = train([
            DEMO_BASELINE_CONFIG, '--launcher', 'pytorch', '--work-dir',
            str(tmp_path), '--cfg-options'
        ] + tiny_train_options(
            synthetic_cityscapes_root, max_iters=1, ckpt_interval=1))
    finally:
        if torch_dist.is_initialized():  # keep a failure to this test
            torch_dist.destroy_process_group()
    assert runner.distributed
    assert not is_model_wrapper(runner.model)
    assert gloo_thread_count() == before
