import os
import os.path as osp
import socket
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(
    REPO_ROOT,
    'configs/ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')


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


def synthetic_label(height, width, seed, num_classes=5):
    """Rectangles of random classes on a random background, an ignore
    blob: boundaries, interiors and ignore in a few lines."""
    import numpy as np
    rng = np.random.default_rng(seed)
    label = np.full((height, width), rng.integers(num_classes), np.uint8)
    for _ in range(6):
        y0, x0 = rng.integers(0, height - 8), rng.integers(0, width - 8)
        h, w = rng.integers(6, height // 2), rng.integers(6, width // 2)
        label[y0:y0 + h, x0:x0 + w] = rng.integers(num_classes)
    label[-6:, :10] = 255
    return label


def make_batch(labels, with_edges=True, edges=None):
    """What PackSegInputs + pseudo_collate give the data preprocessor:
    uint8 images (seeded by position) and SegDataSamples with
    ``gt_sem_seg`` and, ``with_edges``, the ``gt_edge_map`` of
    ``GenerateBoundary(dilation=0.02)`` (or ``edges[i]``)."""
    import numpy as np
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample

    from cblseg.datasets import GenerateBoundary
    inputs, samples = [], []
    for i, label in enumerate(labels):
        height, width = label.shape
        gen = torch.Generator().manual_seed(i)
        inputs.append(
            torch.randint(0, 256, (3, height, width),
                          generator=gen).to(torch.uint8))
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(height, width),
                ori_shape=(height, width),
                pad_shape=(height, width)))
        sample.gt_sem_seg = PixelData(
            data=torch.from_numpy(label.astype(np.int64))[None])
        if with_edges:
            edge = edges[i] if edges is not None else GenerateBoundary(
                dilation=0.02).transform(dict(gt_seg_map=label))['gt_edge_map']
            sample.gt_edge_map = PixelData(
                data=torch.from_numpy(edge.astype(np.int64))[None])
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


# The loss keys of a CBL head (ConditionalBoundaryLoss).
CBL_KEYS = ('loss_cbl_context', 'loss_cbl_nce', 'loss_cbl_cn')
# What the small test models take from MMSeg's configs.
BN_NORM_CFG = dict(type='BN', requires_grad=True)
SEG_PREPROCESSOR = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=32)


@pytest.fixture
def mmseg_scope():
    """MMSeg's default registry scope and torch seed 0 for each test that
    builds models. Use with ``pytestmark``."""
    import torch
    from mmengine.registry import init_default_scope
    init_default_scope('mmseg')
    torch.manual_seed(0)


def forward_losses(model, data):
    """The loss dict of a training forward of ``model`` on a copy of
    ``data`` (a :func:`make_batch` batch)."""
    import copy
    model.train()
    data = model.data_preprocessor(copy.deepcopy(data), True)
    return model(**data, mode='loss')


def assert_every_parameter_has_finite_grad(model):
    """What DDP with find_unused_parameters=False needs, and no NaN/inf."""
    import torch
    missing = [
        name for name, p in model.named_parameters()
        if p.requires_grad and p.grad is None
    ]
    assert not missing, f'parameters without gradient: {missing}'
    bad = [
        name for name, p in model.named_parameters()
        if p.grad is not None and not torch.isfinite(p.grad).all()
    ]
    assert not bad, f'non-finite gradients: {bad}'


def train_step(model, data, lr=0.01):
    """Forward, backward, check the losses and gradients, SGD step.
    Returns the losses."""
    import torch
    losses = forward_losses(model, data)
    loss, _ = model.parse_losses(losses)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    optimizer.zero_grad()
    loss.backward()
    assert_every_parameter_has_finite_grad(model)
    optimizer.step()
    for key, value in losses.items():
        assert torch.isfinite(torch.as_tensor(value)).all(), (key, value)
    return losses


@pytest.fixture(scope='module')
def one_torch_thread():
    """The 2 cores are shared with data loaders and subprocesses: extra
    intra-op threads only contend. Use with ``pytestmark``."""
    import torch
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


# (package path, config file) -> (path, ValueError); shared by the modules
# that use fast_mmseg_config_paths: the answers depend only on the installed
# packages.
_EXTERNAL_CFG_PATHS = {}


@pytest.fixture(scope='module')
def fast_mmseg_config_paths():
    """mmengine resolves every ``mmseg::`` base by parsing MMSeg's 200+
    metafiles (about 0.5 s each time); remember the answers (and the
    ValueError it raises for ``_base_`` files, which have no metafile).
    Use with ``pytestmark`` or an autouse fixture."""
    import mmengine.config.config as config_module
    original = config_module._get_external_cfg_path

    def cached(package_path, cfg_file):
        key = (package_path, cfg_file)
        if key not in _EXTERNAL_CFG_PATHS:
            try:
                answer = (original(package_path, cfg_file), None)
            except ValueError as err:
                answer = (None, err)
            _EXTERNAL_CFG_PATHS[key] = answer
        path, err = _EXTERNAL_CFG_PATHS[key]
        if err is not None:
            raise err
        return path

    config_module._get_external_cfg_path = cached
    yield
    config_module._get_external_cfg_path = original


@pytest.fixture(scope='session')
def synthetic_cityscapes(tmp_path_factory):
    """A small synthetic Cityscapes-layout dataset (8 train, 4 val)."""
    from cblseg.datasets import generate_synthetic_cityscapes
    root = tmp_path_factory.mktemp('data') / 'cityscapes'
    generate_synthetic_cityscapes(
        str(root), num_train=8, num_val=4, height=64, width=128, seed=0)
    return str(root)


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
