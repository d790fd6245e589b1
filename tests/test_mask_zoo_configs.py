# Copyright (c) cblseg contributors. All rights reserved.
"""The Mask2Former / MaskFormer configs of the model zoo: every baseline
has its CBL twin, the full-size baselines carry our dataset configs'
additions (MMSeg's leaf is their base, so the additions are restated: see
their headers), and the paper setups have the settings docs/model_zoo.md
lists. (Each config's build and training step, and the equality of the
baselines with MMSeg's configs: tests/test_model_zoo_configs.py; of each
twin with its baseline: tests/test_cbl_heads.py.)"""
import copy
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import REPO_ROOT

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
BASELINES = sorted(
    glob.glob(osp.join(CONFIG_ROOT, 'mask2former', '*.py')) +
    glob.glob(osp.join(CONFIG_ROOT, 'maskformer', '*.py')))
FULL_SIZE = [path for path in BASELINES if '_synthetic-' not in path]
# the data part of the name -> our dataset config
DATASETS = {
    'ade20k-512x512': 'ade20k_512x512.py',
    'ade20k-640x640': 'ade20k_640x640.py',
    'cityscapes-512x1024': 'cityscapes_512x1024.py',
}
RESIZES = ('RandomResize', 'RandomChoiceResize')
M2F_SWIN_B = ('mask2former/mask2former_swin-b-in22k-384x384-pre_8xb2-160k_'
              'ade20k-640x640.py')
MF_SWIN_B = ('maskformer/maskformer_swin-b-in22k-384x384-pre_8xb2-160k_'
             'ade20k-640x640.py')
SWIN_B_22K_384 = ('https://download.openmmlab.com/mmsegmentation/v0.5/'
                  'pretrain/swin/swin_base_patch4_window12_384_22k_'
                  '20220317-e5c09f74.pth')


def _name(path):
    return osp.relpath(path, CONFIG_ROOT)


def _load(rel):
    return Config.fromfile(osp.join(CONFIG_ROOT, rel))


def _normalise(x):
    """Without mmengine's _scope_ marks and LoadAnnotations'
    reduce_zero_label (MMSeg's leaves pass it, our ADE20K dataset configs
    leave it to ADE20KDataset, which sets it: the same loading)."""
    if isinstance(x, dict):
        x = {k: _normalise(v) for k, v in x.items() if k != '_scope_'}
        if x.get('type') in ('LoadAnnotations', 'LoadCheckedAnnotations'):
            x.pop('reduce_zero_label', None)
        return x
    if isinstance(x, (list, tuple)):
        return [_normalise(v) for v in x]
    return x


def test_mask_configs_found():
    names = {osp.basename(p) for p in FULL_SIZE}
    assert {
        osp.basename(M2F_SWIN_B),
        osp.basename(MF_SWIN_B), 'mask2former_r50_8xb2-160k_ade20k-512x512.py',
        'mask2former_r50_8xb2-90k_cityscapes-512x1024.py',
        'maskformer_r50-d32_8xb2-160k_ade20k-512x512.py',
        'maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py'
    } <= names


@pytest.mark.slow  # a sweep: every config resolves its mmseg:: bases
@pytest.mark.parametrize('baseline', BASELINES, ids=_name)
def test_every_baseline_has_its_cbl_twin(baseline):
    twin = osp.join(CONFIG_ROOT, 'cbl', 'cbl-' + osp.basename(baseline))
    assert osp.isfile(twin), f'{_name(baseline)} has no {_name(twin)}'
    head = Config.fromfile(twin).model.decode_head
    assert head.type == 'CBL' + Config.fromfile(baseline).model.\
        decode_head.type
    assert head.cbl_loss == dict(
        type='MaskConditionalBoundaryLoss',
        loss_weight_context=2.0,
        loss_weight_nce=0.4,
        loss_weight_cn=4.0,
        kernel_size=5)


@pytest.mark.parametrize('baseline', FULL_SIZE, ids=_name)
def test_data_part_is_our_dataset_config(baseline):
    """Label loading and checks, GenerateBoundary, test and TTA pipelines
    and evaluators are our dataset config's; only the train resize (MMSeg's
    Mask2Former configs draw the short side) and the loader settings are
    the MMSeg config's."""
    data = next(v for k, v in DATASETS.items() if baseline.endswith(k + '.py'))
    ours = Config.fromfile(osp.join(CONFIG_ROOT, '_base_', 'datasets', data))
    cfg = Config.fromfile(baseline)
    assert cfg.custom_imports == dict(
        imports=['mmdet.models', 'cblseg'], allow_failed_imports=False)
    for key in ('val_evaluator', 'test_evaluator', 'tta_pipeline'):
        assert _normalise(cfg[key]) == _normalise(ours[key]), key
    for key in ('val_dataloader', 'test_dataloader'):
        assert _normalise(cfg[key].dataset) == _normalise(
            ours[key].dataset), key

    def split(dataset):
        dataset = _normalise(copy.deepcopy(dataset))
        pipeline = dataset.pop('pipeline')
        return dataset, [t for t in pipeline if t['type'] not in RESIZES]

    assert split(cfg.train_dataloader.dataset) == split(
        ours.train_dataloader.dataset)
    types = [t['type'] for t in cfg.train_dataloader.dataset.pipeline]
    assert types[2] == 'GenerateBoundary' and types[3] in RESIZES, types


def test_paper_mask2former_setup():
    """The CBL paper's Mask2Former Swin-B setup (docs/model_zoo.md): the
    settings the authors' CBL_Mask2Former_config.yaml and MMSeg share."""
    cfg = _load('cbl/cbl-' + osp.basename(M2F_SWIN_B))
    head, backbone = cfg.model.decode_head, cfg.model.backbone
    assert (backbone.embed_dims, backbone.depths, backbone.window_size,
            backbone.pretrain_img_size,
            backbone.drop_path_rate) == (128, [2, 2, 18, 2], 12, 384, 0.3)
    assert backbone.init_cfg.checkpoint == SWIN_B_22K_384
    assert head.num_queries == 100
    assert head.transformer_decoder.num_layers == 9  # + the first output
    assert head.pixel_decoder.encoder.num_layers == 6
    assert (head.loss_cls.loss_weight, head.loss_mask.loss_weight,
            head.loss_dice.loss_weight) == (2.0, 5.0, 5.0)
    assert head.loss_cls.class_weight[-1] == 0.1
    assert head.train_cfg.num_points == 12544
    assert cfg.crop_size == (640, 640)
    assert cfg.train_dataloader.batch_size == 2  # x 8 GPUs = 16
    assert cfg.train_cfg.max_iters == 160000
    optim = cfg.optim_wrapper
    assert (optim.optimizer.type, optim.optimizer.lr,
            optim.optimizer.weight_decay) == ('AdamW', 1e-4, 0.05)
    assert optim.paramwise_cfg.custom_keys.backbone.lr_mult == 0.1
    assert optim.clip_grad.max_norm == 0.01
    assert cfg.param_scheduler[0].power == 0.9
    resize = cfg.train_pipeline[3]
    assert resize.scales == [64 * x for x in range(5, 21)]
    assert resize.max_size == 2560


def test_composed_maskformer_swin_b_setup():
    """MaskFormer Swin-B 640, composed: MaskFormer's published Swin-B 640
    recipe on MMSeg's Swin-T MaskFormer config."""
    cfg = _load(MF_SWIN_B)
    m2f = _load(M2F_SWIN_B)
    assert 'COMPOSED' in open(osp.join(CONFIG_ROOT, MF_SWIN_B)).read()
    backbone, head = cfg.model.backbone, cfg.model.decode_head
    for key in ('embed_dims', 'depths', 'num_heads', 'window_size',
                'pretrain_img_size', 'drop_path_rate', 'init_cfg'):
        assert backbone[key] == m2f.model.backbone[key], key
    assert head.type == 'MaskFormerHead'
    assert head.in_channels == [128, 256, 512, 1024]
    assert head.num_queries == 100
    assert head.transformer_decoder.num_layers == 6
    assert (head.loss_mask.loss_weight, head.loss_dice.loss_weight) == (20.0,
                                                                        1.0)
    optim = cfg.optim_wrapper
    assert (optim.optimizer.lr, optim.optimizer.weight_decay) == (6e-5, 0.01)
    # no weight decay on every block norm of Swin-B's 24 blocks
    keys = optim.paramwise_cfg.custom_keys
    for stage, blocks in enumerate([2, 2, 18, 2]):
        for block in range(blocks):
            key = f'backbone.stages.{stage}.blocks.{block}.norm'
            assert keys[key].decay_mult == 0.0, key
    warmup, poly = cfg.param_scheduler
    assert (warmup.type, warmup.start_factor, warmup.end) == ('LinearLR', 1e-6,
                                                              1500)
    assert (poly.type, poly.power, poly.end) == ('PolyLR', 0.9, 160000)
    assert cfg.train_cfg.max_iters == 160000
    assert cfg.model.data_preprocessor.size == (640, 640)
    assert _normalise(cfg.train_pipeline) == _normalise(m2f.train_pipeline)
    assert _normalise(cfg.test_dataloader) == _normalise(m2f.test_dataloader)
