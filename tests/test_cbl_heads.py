# Copyright (c) cblseg contributors. All rights reserved.
"""CBL decode heads end to end: full segmentors built from small configs,
one training step each, inference identical to the MMSeg heads, robustness
(bad labels, bf16 autocast, no boundary, gradients for every parameter) and
the configs under configs/cbl/."""
import copy
import glob
import os.path as osp
import re
import warnings

import mmseg
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.structures import PixelData
from mmseg.models.decode_heads import OCRHead
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import DATASETS, MODELS

import cblseg  # noqa: F401  (registers the heads and the loss)
from cblseg.models.decode_heads import CBLHeadMixin, CBLOCRHead
from helpers import CBL_DEMO_CONFIG, DEMO_BASELINE_CONFIG, REPO_ROOT
from helpers.configs import load_config, without_cbl
from helpers.labels import synthetic_label
from helpers.models import (BN_NORM_CFG, CBL_KEYS, SEG_PREPROCESSOR,
                            assert_every_parameter_has_finite_grad,
                            forward_losses, make_batch, train_step)

CBL_CONFIGS = sorted(glob.glob(osp.join(REPO_ROOT, 'configs/cbl/*.py')))
MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')
NUM_CLASSES = 5

# Tiny models: OpenMP threads only add contention on a shared CPU (100x
# slower steps with 2 threads on a busy 2-core machine).
pytestmark = pytest.mark.usefixtures('one_torch_thread',
                                     'mmseg_scope_and_seed')


# --------------------------------------------------------------------------
# Small models. Each is an MMSeg model config with the MMSeg head; the CBL
# variant is made the way a user does it: merge dict(type='CBL...') into the
# head and nothing else.
# --------------------------------------------------------------------------
def _resnet18(dilated: bool) -> dict:
    """ResNetV1c-18 with 8-64 channels (no pretrained weights)."""
    return dict(
        type='ResNetV1c',
        depth=18,
        stem_channels=8,
        base_channels=8,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4) if dilated else (1, 1, 1, 1),
        strides=(1, 2, 1, 1) if dilated else (1, 2, 2, 2),
        norm_cfg=BN_NORM_CFG,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True)


def _head(type_, **kwargs) -> dict:
    head = dict(
        type=type_,
        channels=16,
        dropout_ratio=0.1,
        num_classes=NUM_CLASSES,
        norm_cfg=BN_NORM_CFG,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
    head.update(kwargs)
    return head


def _segformer_backbone() -> dict:
    """mit-b0-like MixVisionTransformer with 8 channels per stage."""
    return dict(
        type='MixVisionTransformer',
        in_channels=3,
        embed_dims=8,
        num_stages=4,
        num_layers=[1, 1, 1, 1],
        num_heads=[1, 1, 1, 1],
        patch_sizes=[7, 3, 3, 3],
        sr_ratios=[8, 4, 2, 1],
        out_indices=(0, 1, 2, 3),
        mlp_ratio=2,
        qkv_bias=True,
        drop_rate=0.0,
        attn_drop_rate=0.0,
        drop_path_rate=0.0)


AUX_HEAD = _head(
    'FCNHead',
    in_channels=32,
    in_index=2,
    channels=8,
    num_convs=1,
    concat_input=False,
    loss_decode=dict(
        type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4))

# name of the CBL head -> (backbone, MMSeg decode head, auxiliary head)
SMALL_MODELS = {
    'CBLFCNHead': (
        _resnet18(dilated=True),
        _head('FCNHead', in_channels=64, in_index=3, num_convs=2,
              concat_input=True),
        None),
    'CBLASPPHead': (
        _resnet18(dilated=True),
        _head('ASPPHead', in_channels=64, in_index=3,
              dilations=(1, 2, 3, 4)),
        AUX_HEAD),
    'CBLDepthwiseSeparableASPPHead': (
        _resnet18(dilated=True),
        _head('DepthwiseSeparableASPPHead', in_channels=64, in_index=3,
              dilations=(1, 2, 3, 4), c1_in_channels=8, c1_channels=4),
        AUX_HEAD),
    'CBLPSPHead': (
        _resnet18(dilated=True),
        _head('PSPHead', in_channels=64, in_index=3,
              pool_scales=(1, 2, 3, 6)),
        AUX_HEAD),
    'CBLUPerHead': (
        _resnet18(dilated=False),
        _head('UPerHead', in_channels=[8, 16, 32, 64], in_index=[0, 1, 2, 3],
              pool_scales=(1, 2, 3, 6)),
        None),
    'CBLSegformerHead': (
        _segformer_backbone(),
        _head('SegformerHead', in_channels=[8, 8, 8, 8],
              in_index=[0, 1, 2, 3]),
        None),
}  # yapf: disable


def small_model_cfgs(cbl_type: str):
    """(MMSeg config, CBL config) of a small EncoderDecoder; the CBL one is
    the MMSeg one with ``dict(type=cbl_type)`` merged into the head."""
    backbone, head, aux = SMALL_MODELS[cbl_type]
    model = dict(
        type='EncoderDecoder',
        data_preprocessor=SEG_PREPROCESSOR,
        backbone=backbone,
        decode_head=head,
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))
    if aux is not None:
        model['auxiliary_head'] = aux
    base = Config(dict(model=model))
    cbl = copy.deepcopy(base)
    cbl.merge_from_dict(dict(model=dict(decode_head=dict(type=cbl_type))))
    return base, cbl


def build(model_cfg):
    model = MODELS.build(copy.deepcopy(model_cfg))
    model.init_weights()
    return model


def build_demo(config=CBL_DEMO_CONFIG):
    """The tiny-HRNet OCRNet demo model; its preprocessor pads to the
    batch instead of to 128 x 256, so tests can use smaller images."""
    model_cfg = load_config(config).model
    model_cfg.data_preprocessor.update(size=None, size_divisor=32)
    return build(model_cfg)


# --------------------------------------------------------------------------
# Hand-built batches
# --------------------------------------------------------------------------
def small_batch(height=64, width=64, **kwargs):
    labels = [
        synthetic_label(height, width, seed, NUM_CLASSES) for seed in range(2)
    ]
    return make_batch(labels, **kwargs)


def assert_cbl_losses(losses, prefix):
    for key in ('loss_ce', 'acc_seg') + CBL_KEYS:
        assert f'{prefix}.{key}' in losses, sorted(losses)
    for key, value in losses.items():
        assert torch.isfinite(value).all(), (key, value)
    for key in CBL_KEYS:
        # connected to the features' graph (DDP), even when zero
        assert losses[f'{prefix}.{key}'].requires_grad, key


def no_hooks_left(model):
    return all(not m._forward_hooks and not m._forward_pre_hooks
               for m in model.modules())


# --------------------------------------------------------------------------
# Registry and design
# --------------------------------------------------------------------------
def test_heads_registered_and_inference_methods_are_mmsegs():
    assert MODELS.get('New_ER5OCRHead') is CBLOCRHead
    assert MODELS.get('CBLOCRHead') is CBLOCRHead
    for name in SMALL_MODELS:
        cls = MODELS.get(name)
        assert issubclass(cls, CBLHeadMixin), name
        mmseg_cls = MODELS.get(name[3:])
        assert issubclass(cls, mmseg_cls)
        # The inference path is MMSeg's code, not a copy or an override.
        for method in ('forward', 'cls_seg', 'predict', 'loss_by_feat'):
            assert getattr(cls, method) is getattr(mmseg_cls, method), method
    for method in ('forward', 'cls_seg', 'predict'):
        assert getattr(CBLOCRHead, method) is getattr(OCRHead, method)
    assert CBLOCRHead.cls_seg is BaseDecodeHead.cls_seg


# --------------------------------------------------------------------------
# Every head end to end
# --------------------------------------------------------------------------
@pytest.mark.parametrize('cbl_type', sorted(SMALL_MODELS))
def test_head_train_step_and_checkpoint_compat(cbl_type):
    base_cfg, cbl_cfg = small_model_cfgs(cbl_type)
    assert cbl_cfg.model.decode_head.type == cbl_type
    model = build(cbl_cfg.model)
    assert type(model.decode_head).__name__ == cbl_type
    losses = train_step(model, small_batch())
    assert_cbl_losses(losses, 'decode')
    assert float(losses['decode.loss_cbl_context']) > 0
    assert no_hooks_left(model)

    # Same parameters and buffers as the MMSeg head: checkpoints load both
    # ways with strict=True, and inference gives the same logits.
    base = build(base_cfg.model)
    assert model.state_dict().keys() == base.state_dict().keys()
    base.load_state_dict(model.state_dict(), strict=True)
    model.load_state_dict(base.state_dict(), strict=True)
    base.eval(), model.eval()
    images = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(
            model(images, mode='tensor'), base(images, mode='tensor'))


def _pipeline_batch(config, data_root, num=2):
    """A batch through MMSeg's real dataset and the config's pipeline."""
    cfg = load_config(config)
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = data_root
    dataset = DATASETS.build(dataset_cfg)
    return pseudo_collate([dataset[i] for i in range(num)])


def test_cbl_ocr_head_train_step_real_pipeline(synthetic_cityscapes_root):
    data = _pipeline_batch(CBL_DEMO_CONFIG, synthetic_cityscapes_root)
    assert all('gt_edge_map' in s for s in data['data_samples'])
    model = build_demo()
    assert type(model.decode_head[1]) is CBLOCRHead
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)  # no on-the-fly edges
        losses = train_step(model, data)
    assert_cbl_losses(losses, 'decode_1')
    assert 'decode_0.loss_ce' in losses
    assert not any(k.startswith('decode_0.loss_cbl') for k in losses)
    assert no_hooks_left(model)


def test_cbl_loss_name_clashing_with_the_heads_raises():
    """A CBL term named like one of the head's own losses would silently
    replace it in the loss dict: it raises, naming the option to change."""
    _, cbl_cfg = small_model_cfgs('CBLFCNHead')
    cbl_cfg.model.decode_head.loss_decode = dict(
        type='CrossEntropyLoss', loss_name='loss_cbl_nce')
    model = build(cbl_cfg.model)
    with pytest.raises(KeyError, match=r"\['loss_cbl_nce'\].*loss_name"):
        forward_losses(model, small_batch())


def test_cbl_ocr_head_inference_identical_to_ocrhead():
    base = build_demo(DEMO_BASELINE_CONFIG)
    model = build_demo()
    # A training step first: it must leave nothing behind.
    train_step(model, small_batch(64, 128, with_edges=False))
    assert no_hooks_left(model)
    assert model.state_dict().keys() == base.state_dict().keys()
    assert sum(p.numel()
               for p in model.parameters()) == sum(p.numel()
                                                   for p in base.parameters())
    model.load_state_dict(base.state_dict(), strict=True)
    base.eval(), model.eval()
    images = torch.randn(2, 3, 64, 128)
    metas = [
        dict(img_shape=(64, 128), ori_shape=(64, 128), pad_shape=(64, 128))
    ] * 2
    with torch.no_grad():
        assert torch.equal(
            model(images, mode='tensor'), base(images, mode='tensor'))
        feats = base.extract_feat(images)
        prev = base.decode_head[0].forward(feats)
        assert torch.equal(
            model.decode_head[1].predict(feats, prev, metas, {}),
            base.decode_head[1].predict(feats, prev, metas, {}))
    # and back: a CBLOCRHead checkpoint loads into plain OCRNet
    base.load_state_dict(model.state_dict(), strict=True)


def test_cbl_ocr_feature_is_the_bottleneck_output():
    model = build_demo()
    head = model.decode_head[1]
    seen = {}
    original = head.loss_cbl

    def spy(feats, logits, *args):
        seen.update(feats=feats, logits=logits)
        return original(feats, logits, *args)

    head.loss_cbl = spy
    bottleneck_out = []
    handle = head.bottleneck.register_forward_hook(
        lambda m, i, o: bottleneck_out.append(o))
    forward_losses(model, small_batch(64, 128))
    handle.remove()
    assert seen['feats'] is bottleneck_out[0]
    assert seen['feats'].shape[1] == head.channels == \
        head.conv_seg.in_channels
    assert seen['logits'].shape[1] == head.num_classes
    assert seen['logits'].shape[2:] == seen['feats'].shape[2:]


def test_mixin_feature_is_the_cls_seg_input():
    _, cbl_cfg = small_model_cfgs('CBLASPPHead')
    model = build(cbl_cfg.model)
    head = model.decode_head
    seen, cls_in, cls_out = {}, [], []
    original = head.loss_cbl

    def spy(feats, logits, *args):
        seen.update(feats=feats, logits=logits)
        return original(feats, logits, *args)

    head.loss_cbl = spy
    original_cls_seg = head.cls_seg

    def cls_seg(feat):
        cls_in.append(feat)
        cls_out.append(original_cls_seg(feat))
        return cls_out[-1]

    head.cls_seg = cls_seg
    forward_losses(model, small_batch())
    assert seen['feats'] is cls_in[0]  # before dropout
    assert seen['logits'] is cls_out[0]


# --------------------------------------------------------------------------
# gt_edge_map missing: computed on the fly, warned once
# --------------------------------------------------------------------------
def test_missing_edge_map_is_generate_boundary_and_warns_once():
    _, cbl_cfg = small_model_cfgs('CBLFCNHead')
    model = build(cbl_cfg.model)
    head = model.decode_head
    with_edges = small_batch(with_edges=True)
    without = small_batch(with_edges=False)

    # The computed map is GenerateBoundary(dilation=0.02) of the label.
    samples = without['data_samples']
    stacked = head._stack_batch_gt(samples)
    with pytest.warns(UserWarning, match='no gt_edge_map'):
        computed = head._cbl_stack_edge(samples, stacked)
    expected = torch.stack(
        [s.gt_edge_map.data for s in with_edges['data_samples']])
    assert torch.equal(computed, expected)

    # Once per head: no second warning, and the losses are the same as with
    # the pipeline's gt_edge_map.
    with warnings.catch_warnings():
        warnings.simplefilter('error', UserWarning)
        torch.manual_seed(1)
        losses_computed = forward_losses(model, without)
    torch.manual_seed(1)
    losses_given = forward_losses(model, with_edges)
    for key in CBL_KEYS:
        assert torch.equal(losses_computed[f'decode.{key}'],
                           losses_given[f'decode.{key}']), key

    # A mixed batch: samples with a gt_edge_map keep theirs.
    mixed = small_batch(with_edges=True)['data_samples']
    del mixed[1].gt_edge_map
    zeros = torch.zeros_like(mixed[0].gt_edge_map.data)
    mixed[0].gt_edge_map = PixelData(data=zeros)
    edges = head._cbl_stack_edge(mixed, head._stack_batch_gt(mixed))
    assert torch.equal(edges[0], zeros)
    assert torch.equal(edges[1], expected[1])


def test_missing_edge_map_padded_batch_uses_padded_size():
    """Labels of different sizes are padded with 255 by the preprocessor;
    the band is measured on the padded label (documented behaviour)."""
    from cblseg.ops import label_to_boundary, radius_from_dilation
    _, cbl_cfg = small_model_cfgs('CBLFCNHead')
    model = build(cbl_cfg.model)
    labels = [synthetic_label(64, 64, 0), synthetic_label(48, 56, 1)]
    data = model.data_preprocessor(make_batch(labels, with_edges=False), True)
    samples = data['data_samples']
    stacked = model.decode_head._stack_batch_gt(samples)
    assert stacked.shape[-2:] == (64, 64)
    with pytest.warns(UserWarning):
        edges = model.decode_head._cbl_stack_edge(samples, stacked)
    radius = radius_from_dilation(0.02, 64, 64)
    for i in range(2):
        expected = label_to_boundary(stacked[i, 0].numpy(), radius)
        assert np.array_equal(edges[i, 0].numpy(), expected)
    assert (edges[1, 0, 48:] == 255).all()


# --------------------------------------------------------------------------
# Robustness
# --------------------------------------------------------------------------
def test_invalid_labels_raise_value_error_naming_them():
    _, cbl_cfg = small_model_cfgs('CBLPSPHead')
    model = build(cbl_cfg.model)
    labels = [synthetic_label(64, 64, seed) for seed in range(2)]
    labels[1][:4, :4] = 30
    labels[1][10, 10] = 254
    # Raised before F.cross_entropy sees the labels (which would be a
    # device-side assert on CUDA, an IndexError on CPU).
    with pytest.raises(ValueError, match=r'\[30, 254\]') as err:
        forward_losses(model, make_batch(labels))
    assert 'CBLPSPHead' in str(err.value)
    assert f'[0, {NUM_CLASSES})' in str(err.value)


def test_bf16_autocast_losses_finite():
    """A training step of the CBL OCRNet under CPU bf16 autocast (small
    images: bf16 convolutions take a slow path on CPU)."""
    model = build_demo()
    data = small_batch(32, 64)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        losses = forward_losses(model, data)
        head = model.decode_head[1]
        with torch.no_grad():
            feats = model.extract_feat(torch.randn(1, 3, 32, 64))
            assert head(feats, model.decode_head[0](feats)).dtype == \
                torch.bfloat16
    assert_cbl_losses(losses, 'decode_1')
    loss, _ = model.parse_losses(losses)
    loss.backward()
    assert_every_parameter_has_finite_grad(model)


@pytest.mark.parametrize('config', ['ocr', 'CBLASPPHead'])
def test_no_boundary_pixels_finite_and_every_parameter_has_grad(config):
    if config == 'ocr':
        model, prefix, size = build_demo(), 'decode_1', (64, 128)
    else:
        model, prefix, size = build(
            small_model_cfgs(config)[1].model), 'decode', (64, 64)
    labels = [synthetic_label(*size, seed) for seed in range(2)]
    edges = [np.zeros(size, np.uint8) for _ in labels]
    losses = train_step(model, make_batch(labels, edges=edges))
    assert_cbl_losses(losses, prefix)
    for key in CBL_KEYS:
        assert float(losses[f'{prefix}.{key}']) == 0.0, key


# --------------------------------------------------------------------------
# Configs under configs/cbl/
# --------------------------------------------------------------------------
def _baseline_path(config):
    """cbl-{algo}_...[-amp-]... -> our configs/{algo}/{algo}_... when it
    exists, else MMSeg's {algo}/{algo}_... The folder is the name's first
    field or its part before a dash (unet-s5-d16_... is in unet/)."""
    name = osp.basename(config)[len('cbl-'):].replace('-amp-', '-')
    field = name.split('_')[0]
    folders = [field] + [field.split('-')[0]] * ('-' in field)
    for root in (osp.join(REPO_ROOT, 'configs'), MMSEG_CONFIGS):
        for folder in folders:
            path = osp.join(root, folder, name)
            if osp.isfile(path):
                return path
    return osp.join(MMSEG_CONFIGS, field, name)


def _docs_examples():
    """The python blocks of docs/cbl.md's section on existing configs."""
    text = open(osp.join(REPO_ROOT, 'docs/cbl.md')).read()
    section = text[text.index('## Adding CBL to an existing MMSeg config'):]
    section = re.split(r'\n#{2,3} ', section)[0]
    return [
        block.split('```', 1)[0] for block in section.split('```python\n')[1:]
    ]


@pytest.mark.parametrize(
    'index, heads, baseline',
    [(0, 'CBLASPPHead', 'deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-'
      '512x1024.py'),
     (1, ['FCNHead', 'CBLOCRHead'
          ], 'ocrnet/ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py')])
def test_docs_examples_change_only_the_head_type(tmp_path, index, heads,
                                                 baseline):
    """The examples of docs/cbl.md: an MMSeg config plus the head type."""
    example = tmp_path / 'example.py'
    example.write_text(_docs_examples()[index])
    cfg = Config.fromfile(str(example))
    head_cfg = cfg.model.decode_head
    assert (head_cfg.type if isinstance(head_cfg, dict) else
            [head.type for head in head_cfg]) == heads
    baseline = load_config(osp.join(MMSEG_CONFIGS, baseline))
    assert without_cbl(cfg) == without_cbl(baseline)


def test_cbl_configs_present():
    names = {osp.basename(p) for p in CBL_CONFIGS}
    assert {
        'cbl-ocrnet_hr48_4xb2-amp-80k_cityscapes-512x1024.py',
        'cbl-ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py',
        'cbl-ocrnet_hr48_4xb4-20k_voc12aug-512x512.py',
        'cbl-ocrnet_hr48_4xb4-40k_voc12aug-512x512.py',
        'cbl-deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py',
        'cbl-deeplabv3plus_r50-d8_4xb2-80k_cityscapes-512x1024.py',
        'cbl-pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
        'cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py',
    } <= names


# Every config of the zoo: each resolves its mmseg:: bases through
# mmengine's metafile scan (about 1 s per config).
@pytest.mark.slow
@pytest.mark.parametrize('config', CBL_CONFIGS, ids=osp.basename)
def test_cbl_config_is_its_baseline_plus_cbl(config):
    """Each CBL config equals the MMSeg config it is compared with, except
    for the CBL head type(s), GenerateBoundary in the train pipeline and
    (for -amp- configs) AmpOptimWrapper."""
    cfg = load_config(config)
    baseline = _baseline_path(config)
    assert osp.isfile(baseline), baseline
    rel = osp.relpath(baseline, MMSEG_CONFIGS)
    text = open(config).read()
    assert rel in text or osp.basename(baseline) in text, \
        'the comment must name the baseline'
    heads = cfg.model.decode_head
    heads = heads if isinstance(heads, list) else [heads]
    assert [h.type for h in heads if h.type.startswith('CBL')], heads
    # Mask2Former / MaskFormer heads are mmdet's modules too (mmengine
    # replaces lists, so the config names both).
    mask_heads = {'CBLMask2FormerHead', 'CBLMaskFormerHead'}
    imports = ['mmdet.models', 'cblseg'
               ] if {h.type
                     for h in heads} & mask_heads else ['cblseg']
    assert cfg.custom_imports == dict(
        imports=imports, allow_failed_imports=False)
    dataset = cfg.train_dataloader.dataset
    for leaf in dataset.get('datasets', [dataset]):
        types = [t['type'] for t in leaf['pipeline']]
        assert types[1:3] == ['LoadCheckedAnnotations',
                              'GenerateBoundary'], types
    if '-amp-' in config:
        assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
        assert cfg.optim_wrapper.loss_scale == 'dynamic'
        assert cfg.norm_cfg.type == 'SyncBN'
    assert without_cbl(cfg) == without_cbl(load_config(baseline))


def test_config_build_fetches_no_weights(monkeypatch):
    """pretrained='open-mmlab://...' becomes the backbone's init_cfg, used
    by init_weights() only: building the model loads nothing."""
    from mmengine.runner.checkpoint import CheckpointLoader

    from cblseg.utils import adapt_cfg_to_hardware

    def fail(*args, **kwargs):
        raise AssertionError('checkpoint loaded at build time')

    monkeypatch.setattr(CheckpointLoader, 'load_checkpoint', fail)
    cfg = load_config(
        osp.join(
            REPO_ROOT, 'configs/cbl/'
            'cbl-ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py'))
    adapt_cfg_to_hardware(cfg)
    model = MODELS.build(cfg.model)
    assert model.backbone.init_cfg['checkpoint'].startswith('open-mmlab://')
    assert type(model.decode_head[1]) is CBLOCRHead
    with pytest.raises(AssertionError, match='build time'):
        model.init_weights()
