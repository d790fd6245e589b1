# Copyright (c) cblseg contributors. All rights reserved.
"""Every config under configs/ (except configs/_base_/) builds its model and
optimizer and runs one real training step, the model zoo has its
baseline/CBL pairs, and our baselines are the MMSeg configs they mirror. The
configs are found when the tests are collected, so new ones are covered
without editing this file."""
import glob
import os.path as osp
import sys
import warnings

import mmseg
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose, pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import CheckpointLoader
from mmseg.registry import MODELS
from torch import nn

import cblseg  # noqa: F401  (registers the heads and the loss)
from cblseg.models.decode_heads import CBLHeadMixin, CBLMaskHeadMixin
from cblseg.utils import adapt_cfg_to_hardware
from helpers import REPO_ROOT
from helpers.configs import load_config, without_cbl
from helpers.models import CBL_KEYS, make_batch

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
CONFIGS = sorted(
    path
    for path in glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'), recursive=True)
    if osp.relpath(path, CONFIG_ROOT).split(osp.sep)[0] != '_base_')
MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')
# Our baselines with an MMSeg config of the same folder and name.
MIRRORS = [
    path for path in CONFIGS
    if osp.isfile(osp.join(MMSEG_CONFIGS, osp.relpath(path, CONFIG_ROOT)))
]
# Rows of the test images (columns keep the config's crop aspect). Building
# and stepping R-50-D8 and HRNet-W48 costs seconds on one thread even so; 64
# rows made this file 1.5x slower. A multiple of U-Net's 16.
SHORT_SIDE = 32

# algorithm folder -> name prefix of its full-size baselines.
ZOO = {
    'deeplabv3': 'deeplabv3_r50-d8_',
    'unet': 'unet-s5-d16_',
    'denseaspp': 'denseaspp_',
}

pytestmark = pytest.mark.usefixtures('one_torch_thread')


@pytest.fixture(autouse=True)
def _no_checkpoint_loading(monkeypatch):
    """Building a model must not fetch pretrained weights (that is
    init_weights' job, which these tests never call)."""

    def fail(*args, **kwargs):
        raise AssertionError(f'checkpoint loaded at build time: {args}')

    monkeypatch.setattr(CheckpointLoader, 'load_checkpoint', fail)


def _batch_hw(cfg):
    """The config's crop shape scaled down to SHORT_SIDE rows."""
    crop = cfg.model.data_preprocessor.get('size') or cfg.get('crop_size')
    height, width = crop
    return SHORT_SIDE, SHORT_SIDE * width // height


def _shrink_point_sampling(cfg, num_pixels):
    """Mask2Former's loss samples ``num_points`` points of each mask
    (12544 for 512x512 crops); at the test's 32-row inputs the masks have
    about 100 pixels, and 12544 points cost seconds per Swin-B step on
    one thread. Scale them with the input, as the crop is."""
    head = cfg.model.decode_head
    train_cfg = head.get('train_cfg') if isinstance(head, dict) else None
    if train_cfg and 'num_points' in train_cfg:
        crop = cfg.model.data_preprocessor.get('size') or cfg.crop_size
        scaled = train_cfg.num_points * num_pixels // (crop[0] * crop[1])
        train_cfg.num_points = max(scaled, 64)


def _label(height, width, num_classes, rng):
    """Blocks of random classes (boundaries and interiors, as in real
    labels) and an ignore (255) strip."""
    blocks = rng.integers(0, num_classes, (height // 8, width // 8))
    label = np.kron(blocks, np.ones((8, 8), np.int64)).astype(np.uint8)
    label[-5:, :width // 3] = 255
    return label


def _batch(height, width, num_classes, with_edges, num=2):
    """What PackSegInputs + pseudo_collate give the data preprocessor."""
    rng = np.random.default_rng(0)
    labels = [_label(height, width, num_classes, rng) for _ in range(num)]
    return make_batch(labels, with_edges=with_edges)


def _decode_heads(model):
    """(loss prefix, head) for each decode head, as EncoderDecoder and
    CascadeEncoderDecoder name their losses."""
    if isinstance(model.decode_head, nn.ModuleList):
        return [(f'decode_{i}', head)
                for i, head in enumerate(model.decode_head)]
    return [('decode', model.decode_head)]


def _classifier(head):
    """The class projection: ``conv_seg`` of per-pixel heads, the query
    classifier ``cls_embed`` of the mask-classification heads."""
    layer = getattr(head, 'conv_seg', None)
    return head.cls_embed if layer is None else layer


def _watched_parameters(model):
    """Parameters one step must move: the stem's first one and each head's
    classifier (all optimised, none frozen in these configs)."""
    watched = {'backbone': next(model.backbone.parameters())}
    for prefix, head in _decode_heads(model):
        watched[prefix] = _classifier(head).weight
    heads = getattr(model, 'auxiliary_head', None)
    if heads is not None:
        heads = heads if isinstance(heads, nn.ModuleList) else [heads]
        for i, head in enumerate(heads):
            watched[f'aux_{i}'] = head.conv_seg.weight
    return watched


@pytest.mark.slow
@pytest.mark.parametrize(
    'config', CONFIGS, ids=lambda path: osp.relpath(path, CONFIG_ROOT))
def test_config_builds_and_trains_one_step(config):
    init_default_scope('mmseg')
    torch.manual_seed(0)
    cfg = load_config(config)
    with warnings.catch_warnings():
        # SyncBN -> BN and AMP -> fp32 without CUDA, as tools/train.py does.
        warnings.simplefilter('ignore', UserWarning)
        adapt_cfg_to_hardware(cfg)
    height, width = _batch_hw(cfg)
    _shrink_point_sampling(cfg, height * width)
    cfg.model.data_preprocessor.update(size=(height, width), size_divisor=None)

    model = MODELS.build(cfg.model)
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    heads = _decode_heads(model)
    cbl_prefixes = {
        prefix
        for prefix, head in heads
        if isinstance(head, (CBLHeadMixin, CBLMaskHeadMixin))
    }
    # Our naming: CBL heads exactly in configs/cbl/.
    in_cbl_folder = osp.relpath(config, CONFIG_ROOT).split(osp.sep)[0] == 'cbl'
    assert bool(cbl_prefixes) == in_cbl_folder, [type(h) for _, h in heads]

    data = _batch(
        height, width, heads[-1][1].num_classes, with_edges=bool(cbl_prefixes))
    watched = {
        name: param.detach().clone()
        for name, param in _watched_parameters(model).items()
    }
    with warnings.catch_warnings():
        # GenerateBoundary's gt_edge_map must reach the CBL heads.
        warnings.filterwarnings('error', message='.*no gt_edge_map')
        log_vars = model.train_step(data, optim_wrapper)

    for key, value in log_vars.items():
        assert torch.isfinite(torch.as_tensor(value)).all(), (key, value)
    for prefix, head in heads:
        # Mask classification (Mask2Former, MaskFormer): class, mask and
        # dice losses instead of the per-pixel cross-entropy.
        key = 'loss_ce' if hasattr(head, 'conv_seg') else 'loss_cls'
        assert f'{prefix}.{key}' in log_vars, sorted(log_vars)
    cbl_losses = {key for key in log_vars if '.loss_cbl_' in key}
    expected = {
        f'{prefix}.{key}'
        for prefix in cbl_prefixes
        for key in CBL_KEYS
    }
    assert cbl_losses == expected, sorted(log_vars)
    for name, param in _watched_parameters(model).items():
        assert not torch.equal(param.detach(), watched[name]), name


@pytest.mark.parametrize('algo', sorted(ZOO))
def test_model_zoo_has_baseline_and_cbl_pairs(algo):
    """Cityscapes 512x1024, VOC aug 512x512 and a synthetic CPU demo, each a
    baseline in configs/{algo}/ with its cbl- twin in configs/cbl/."""
    patterns = (f'{ZOO[algo]}*_cityscapes-512x1024.py',
                f'{ZOO[algo]}*_voc12aug-512x512.py',
                f'{algo}*_synthetic-cityscapes-*.py')
    for pattern in patterns:
        baselines = glob.glob(osp.join(CONFIG_ROOT, algo, pattern))
        assert baselines, f'no configs/{algo}/{pattern}'
        for baseline in baselines:
            name = 'cbl-' + osp.basename(baseline)
            assert osp.isfile(osp.join(CONFIG_ROOT, 'cbl', name)), \
                f'{baseline} has no CBL version configs/cbl/{name}'


@pytest.mark.parametrize(
    'config', MIRRORS, ids=lambda path: osp.relpath(path, CONFIG_ROOT))
def test_baseline_is_the_mmseg_config_it_mirrors(config):
    """The same config as MMSeg's of that name except for what our dataset
    configs add (GenerateBoundary, BoundaryIoUMetric, custom_imports), so
    baseline and CBL numbers compare with MMSeg's model zoo."""
    rel = osp.relpath(config, CONFIG_ROOT)
    assert f'mmseg::{rel}' in open(config).read(), \
        'the comment must name the MMSeg config'
    mmseg_cfg = load_config(osp.join(MMSEG_CONFIGS, rel))
    assert without_cbl(load_config(config)) == without_cbl(mmseg_cfg)


def test_unet_voc_slide_test_fits_voc_test_sizes():
    """VOC's test Resize gives e.g. 512x683, which 'whole' inference would
    refuse (UNet wants multiples of 16); the config's 512x512 windows fit."""
    init_default_scope('mmseg')
    cfg = load_config(
        osp.join(CONFIG_ROOT, 'unet',
                 'unet-s5-d16_fcn_4xb4-20k_voc12aug-512x512.py'))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        adapt_cfg_to_hardware(cfg)
    # Thin channels: only the window sizes matter here.
    cfg.model.backbone.base_channels = 4
    cfg.model.decode_head.update(in_channels=4, channels=4)
    cfg.model.auxiliary_head.update(in_channels=8, channels=4)
    model = MODELS.build(cfg.model).eval()
    pipeline = Compose([
        t for t in cfg.test_pipeline
        if t['type'] not in ('LoadImageFromFile', 'LoadAnnotations',
                             'LoadCheckedAnnotations')
    ])
    image = np.random.default_rng(0).integers(0, 256, (375, 500, 3), np.uint8)
    data = pipeline(
        dict(img=image, img_shape=(375, 500), ori_shape=(375, 500)))
    assert tuple(data['inputs'].shape[1:]) == (512, 683)
    with torch.no_grad():
        result, = model.test_step(pseudo_collate([data]))
    assert tuple(result.pred_sem_seg.shape) == (375, 500)


@pytest.mark.slow
def test_count_parameters_per_part_and_tool():
    """The counts behind docs/model_zoo.md: parts add up to the total, the
    CBL twin has exactly the baseline's parameters, and the tool prints
    them."""
    from cblseg.utils import count_config_parameters
    from helpers import run_tool
    tiny = osp.join(
        CONFIG_ROOT, 'deeplabv3',
        'deeplabv3_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py')
    counts = count_config_parameters(tiny)
    assert list(counts) == [
        'backbone', 'decode_head', 'auxiliary_head', 'total', 'inference'
    ]
    assert counts['total'] == sum(counts[k]
                                  for k in ('backbone', 'decode_head',
                                            'auxiliary_head'))
    assert counts['inference'] == counts['total'] - counts['auxiliary_head']
    twin = osp.join(CONFIG_ROOT, 'cbl', 'cbl-' + osp.basename(tiny))
    assert count_config_parameters(twin) == counts
    proc = run_tool([
        sys.executable, 'tools/analysis/count_parameters.py', tiny,
        'configs/missing.py'
    ])
    assert f"| `{osp.basename(tiny)}` | {counts['backbone']:,} |" in \
        proc.stdout, proc.stdout[-2000:]
    assert proc.returncode != 0
    assert 'configs/missing.py does not exist' in proc.stdout
