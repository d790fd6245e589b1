"""CBL heads under DDP: real 2-process gloo training and testing on CPU.

DDP with ``find_unused_parameters=False`` (our tools' and mmengine's
default) needs every parameter to get a gradient on every rank in every
iteration: a parameter that one rank leaves unused (a skipped loss term, a
rank-dependent branch) makes that rank raise "Expected to have finished
reduction in the prior iteration" on its next iteration, or hang its peers.
So the 2-process run trains several iterations with one rank seeing only
ignore-labelled images (no boundary pixel, no valid pixel at all) while the
other sees normal ones, and an in-process run shows that this setting does
catch an unused parameter.
"""
import glob
import json
import os.path as osp
import re
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from cblseg.models.decode_heads import CBLOCRHead
from helpers import (CBL_DEMO_CONFIG, REPO_ROOT, free_port, run_tool,
                     tiny_train_options)

pytestmark = pytest.mark.slow

# Full-size cascade (FCN + CBL OCR) configs: built, not trained.
FULL_CASCADE_CONFIGS = [
    osp.join(REPO_ROOT, 'configs/cbl', name) for name in (
        'cbl-ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py',
        'cbl-ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py',
    )
]
DDP_OPTIONS = [
    'model_wrapper_cfg.type=MMDistributedDataParallel',
    'model_wrapper_cfg.find_unused_parameters=False',
]
MAX_ITERS = 3  # DDP reports an unused parameter on the next iteration
NUM_VAL = 5  # odd: the 2-process test sampler pads one rank


def _metrics_json(work_dir):
    """The metrics mmengine's LoggerHook dumps after testing, unrounded."""
    paths = [
        path for path in glob.glob(osp.join(work_dir, '*', '*.json'))
        if osp.basename(osp.dirname(path)) != 'vis_data'
    ]
    assert len(paths) == 1, paths
    with open(paths[0]) as f:
        tags = json.load(f)
    return {k: v for k, v in tags.items() if k not in ('time', 'data_time')}


@pytest.fixture(scope='module')
def half_ignore_data(tmp_path_factory):
    """8 train images of which the even ones (in the dataset's sorted
    order) are labelled ignore everywhere; 5 val images.

    With ``sampler.shuffle=False`` the train sampler gives rank 0 the even
    indices and rank 1 the odd ones, so rank 0 never sees a boundary pixel
    nor a valid label while rank 1 does."""
    from cblseg.datasets import generate_synthetic_cityscapes
    root = str(tmp_path_factory.mktemp('ddp_data') / 'cityscapes')
    generate_synthetic_cityscapes(
        root, num_train=8, num_val=NUM_VAL, height=64, width=128, seed=1)
    images = sorted(
        glob.glob(
            osp.join(root, 'leftImg8bit', 'train', '**', '*.png'),
            recursive=True))
    assert len(images) == 8
    for i, image in enumerate(images):
        stem = image[:-len('_leftImg8bit.png')].replace(
            'leftImg8bit', 'gtFine', 1)
        label = stem + '_gtFine_labelTrainIds.png'
        assert osp.exists(label), label
        if i % 2 == 0:
            with Image.open(label) as png:
                size = png.size
            Image.fromarray(np.full(size[::-1], 255, np.uint8)).save(label)
    return root


def _train_options(data_root):
    return tiny_train_options(
        data_root, max_iters=MAX_ITERS, ckpt_interval=MAX_ITERS) + [
            'train_dataloader.sampler.shuffle=False'
        ] + DDP_OPTIONS


@pytest.fixture(scope='module')
def cbl_two_process_training(half_ignore_data, tmp_path_factory):
    """The CBL demo (cascade FCN + CBL OCR) trained by 2 gloo processes;
    shared by the tests below."""
    work_dir = str(tmp_path_factory.mktemp('cbl_dist_train'))
    result = run_tool(
        [
            'bash', 'tools/dist_train.sh', CBL_DEMO_CONFIG, '2', '--work-dir',
            work_dir, '--cfg-options'
        ] + _train_options(half_ignore_data),
        env=dict(PORT=str(free_port())))
    return work_dir, result


def test_cbl_two_process_training_with_an_ignore_only_rank(
        cbl_two_process_training):
    work_dir, result = cbl_two_process_training
    assert result.returncode == 0, result.stdout[-5000:]
    assert 'Distributed training: True' in result.stdout
    assert 'GPU number: 2' in result.stdout
    # the DDP settings the run used (the dumped config)
    cfg = Config.fromfile(osp.join(work_dir, osp.basename(CBL_DEMO_CONFIG)))
    assert cfg.model_wrapper_cfg.type == 'MMDistributedDataParallel'
    assert cfg.model_wrapper_cfg.find_unused_parameters is False
    assert cfg.model.decode_head[1].type == 'CBLOCRHead'
    # Every iteration ran. mmengine logs rank 0's losses (no reduction):
    # all zero, as rank 0 only had ignore-only images, while rank 1 had
    # boundary pixels (the world-of-one test below checks such batches).
    lines = re.findall(r'Iter\(train\) \[\s*(\d+)/\d+\].*$', result.stdout,
                       re.M)
    assert lines == [str(i) for i in range(1, MAX_ITERS + 1)], lines
    for line in re.findall(r'Iter\(train\) .*$', result.stdout, re.M):
        for key in ('decode_1.loss_ce', 'decode_1.loss_cbl_context',
                    'decode_1.loss_cbl_nce', 'decode_1.loss_cbl_cn'):
            value = re.search(rf'{re.escape(key)}: ([-\d.e]+)', line)
            assert value and float(value.group(1)) == 0, (key, line)
    assert osp.exists(osp.join(work_dir, f'iter_{MAX_ITERS}.pth'))


def test_cbl_two_process_test_equals_one_process(cbl_two_process_training,
                                                 half_ignore_data, tmp_path):
    """Same checkpoint, same metrics to the last bit.

    The test sampler gives rank r the images r, r + 2, ... and pads the
    shorter share with the first image (5 images: rank 0 gets 0, 2, 4, rank
    1 gets 1, 3, 0); mmengine's collect_results interleaves the ranks'
    results back into dataset order and drops the padding before the metric
    runs, so the metric sums the same per-image counts in the same order as
    one process does. Each image is inferred alone (batch size 1, BN in eval
    mode, one thread), so the per-image results are identical too."""
    work_dir, train_result = cbl_two_process_training
    assert train_result.returncode == 0, train_result.stdout[-5000:]
    ckpt = osp.join(work_dir, f'iter_{MAX_ITERS}.pth')
    data_opts = [
        f'test_dataloader.dataset.data_root={half_ignore_data}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ]
    one_dir, two_dir = str(tmp_path / 'one'), str(tmp_path / 'two')
    single = run_tool([
        sys.executable, 'tools/test.py', CBL_DEMO_CONFIG, ckpt, '--work-dir',
        one_dir, '--cfg-options'
    ] + data_opts)
    assert single.returncode == 0, single.stdout[-5000:]
    double = run_tool(
        [
            'bash', 'tools/dist_test.sh', CBL_DEMO_CONFIG, ckpt, '2',
            '--work-dir', two_dir, '--cfg-options'
        ] + data_opts + DDP_OPTIONS,
        env=dict(PORT=str(free_port())))
    assert double.returncode == 0, double.stdout[-5000:]
    assert 'Distributed training: True' in double.stdout
    one, two = _metrics_json(one_dir), _metrics_json(two_dir)
    assert 'mIoU' in one, one
    assert one == two
    # the metric saw all 5 images once, not the padded 6
    assert f'[{NUM_VAL}/{NUM_VAL}]' in single.stdout
    assert f'[{(NUM_VAL + 1) // 2}/{(NUM_VAL + 1) // 2}]' in double.stdout


# --------------------------------------------------------------------------
# In one process (a world of one, same DDP settings): an unused parameter
# does fail, the CBL head on ignore-only batches does not, and our tools
# pick these settings by default.
# --------------------------------------------------------------------------
@pytest.fixture
def world_of_one(monkeypatch):
    """What torchrun sets for one process; returns a function that picks a
    fresh port (for a second group in the same test). The group is
    destroyed after the test."""
    import torch.distributed as torch_dist

    def new_port():
        monkeypatch.setenv('MASTER_PORT', str(free_port()))

    for key, value in dict(
            RANK='0', LOCAL_RANK='0', WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1').items():
        monkeypatch.setenv(key, value)
    new_port()
    yield new_port
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


class UnusedParameterCBLOCRHead(CBLOCRHead):
    """The CBL OCR head with one parameter that no loss uses: what DDP
    sees when a rank skips a term."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unused = torch.nn.Linear(1, 1)


def _ddp_runner(data_root, work_dir, extra=()):
    """A world-of-one DDP training runner of the CBL demo, batch size 1 in
    dataset order: ignore-only, normal, ignore-only images."""
    from cblseg.apis import build_train_runner, parse_train_args
    argv = [
        CBL_DEMO_CONFIG, '--launcher', 'pytorch', '--work-dir',
        str(work_dir), '--cfg-options'
    ] + tiny_train_options(
        data_root, max_iters=MAX_ITERS, ckpt_interval=100) + [
            'train_cfg.val_interval=100', 'train_dataloader.batch_size=1',
            'train_dataloader.sampler.shuffle=False'
        ] + list(extra)
    return build_train_runner(parse_train_args(argv))


def _train(runner):
    from cblseg.apis.runner_setup import close_distributed
    success = False
    try:
        runner.train()
        success = True
    finally:
        close_distributed(runner, success)


def test_tools_default_to_ddp_without_unused_parameter_search(
        half_ignore_data, tmp_path, world_of_one, one_torch_thread):
    """No model_wrapper_cfg in the CBL configs: our tools (on CPU) wrap in
    DDP with find_unused_parameters=False, as mmengine does with CUDA."""
    from mmengine.model import MMDistributedDataParallel

    from cblseg.apis.runner_setup import close_distributed
    for path in [CBL_DEMO_CONFIG] + FULL_CASCADE_CONFIGS:
        cfg = Config.fromfile(path)
        assert 'model_wrapper_cfg' not in cfg, path
        assert not cfg.get('find_unused_parameters', False), path
    runner = _ddp_runner(half_ignore_data, tmp_path)
    try:
        assert isinstance(runner.model, MMDistributedDataParallel)
        assert runner.model.find_unused_parameters is False
    finally:
        close_distributed(runner, False)


def test_ddp_catches_an_unused_parameter_and_cbl_has_none(
        half_ignore_data, tmp_path, world_of_one, one_torch_thread):
    """Under the 2-process run's DDP settings, a head with an unused
    parameter fails on its 2nd iteration, while the CBL head trains
    through ignore-only, normal and ignore-only batches."""
    from mmseg.registry import MODELS
    name = UnusedParameterCBLOCRHead.__name__
    if MODELS.get(name) is None:
        MODELS.register_module(module=UnusedParameterCBLOCRHead)
    bad = _ddp_runner(half_ignore_data, tmp_path / 'bad',
                      DDP_OPTIONS + [f'model.decode_head.1.type={name}'])
    with pytest.raises(RuntimeError, match='finished reduction'):
        _train(bad)
    assert bad.iter == 1  # the first iteration ran, the second refused

    world_of_one()  # a fresh port for the next process group
    good = _ddp_runner(half_ignore_data, tmp_path / 'good', DDP_OPTIONS)
    seen = []

    from mmengine.hooks import Hook

    class RecordBatches(Hook):

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            labels = data_batch['data_samples'][0].gt_sem_seg.data
            seen.append(bool((labels == 255).all()))

    good.register_hook(RecordBatches())
    _train(good)
    assert good.iter == MAX_ITERS
    assert seen == [True, False, True]


def test_full_size_cascade_configs_build():
    """The full-size cascade CBL configs build (train only tiny ones)."""
    from mmengine.registry import init_default_scope
    from mmseg.models import CascadeEncoderDecoder
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    for path in FULL_CASCADE_CONFIGS:
        cfg = Config.fromfile(path)
        model = MODELS.build(cfg.model)
        assert isinstance(model, CascadeEncoderDecoder), path
        assert type(model.decode_head[1]) is CBLOCRHead, path
        assert model.decode_head[1].num_classes == 19
