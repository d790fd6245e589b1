# Copyright (c) cblseg contributors. All rights reserved.
"""DenseASPPHead and CBLDenseASPPHead: structure (dense connections, rates,
widths), shapes, argument checks, training steps of small segmentors,
inference of the CBL head identical to the plain one, and the tiny config
trained for two iterations through the real data pipeline."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.hooks import Hook
from mmseg.registry import MODELS

import cblseg  # noqa: F401  (registers the heads)
from cblseg.apis import build_train_runner, parse_train_args
from cblseg.models.decode_heads import (CBLDenseASPPHead, CBLHeadMixin,
                                        DenseASPPHead)
from cblseg.utils import load_checkpoint_safely
from helpers import REPO_ROOT, tiny_train_options
from helpers.configs import load_config
from helpers.labels import synthetic_label
from helpers.models import (BN_NORM_CFG, CBL_KEYS, SEG_PREPROCESSOR,
                            make_batch, train_step)

TINY_NAME = 'denseaspp_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py'
TINY_CONFIG = osp.join(REPO_ROOT, 'configs/denseaspp', TINY_NAME)
CBL_TINY_CONFIG = osp.join(REPO_ROOT, 'configs/cbl', 'cbl-' + TINY_NAME)

NUM_CLASSES = 5

# Tiny models: OpenMP threads only add contention on a shared CPU (100x
# slower steps with 2 threads on a busy 2-core machine).
pytestmark = pytest.mark.usefixtures('one_torch_thread',
                                     'mmseg_scope_and_seed')


def head_cfg(**kwargs) -> dict:
    """A small DenseASPPHead: 16 input channels, growth 4."""
    cfg = dict(
        type='DenseASPPHead',
        in_channels=16,
        channels=8,
        bottleneck_channels=8,
        growth_channels=4,
        num_classes=NUM_CLASSES,
        norm_cfg=BN_NORM_CFG)
    cfg.update(kwargs)
    return cfg


def small_model_cfg(head_type='DenseASPPHead') -> dict:
    """EncoderDecoder: ResNetV1c-18-D8 with 8-64 channels, DenseASPP on
    stage 4 and an FCN auxiliary head on stage 3, as the r50-d8 base."""
    return dict(
        type='EncoderDecoder',
        data_preprocessor=SEG_PREPROCESSOR,
        backbone=dict(
            type='ResNetV1c',
            depth=18,
            stem_channels=8,
            base_channels=8,
            out_indices=(0, 1, 2, 3),
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=BN_NORM_CFG,
            contract_dilation=True),
        decode_head=head_cfg(
            type=head_type,
            in_channels=64,
            in_index=3,
            channels=16,
            bottleneck_channels=16,
            growth_channels=8),
        auxiliary_head=dict(
            type='FCNHead',
            in_channels=32,
            in_index=2,
            channels=8,
            num_convs=1,
            concat_input=False,
            num_classes=NUM_CLASSES,
            norm_cfg=BN_NORM_CFG,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def build_model(head_type='DenseASPPHead'):
    model = MODELS.build(small_model_cfg(head_type))
    model.init_weights()
    return model


def small_batch(height=64, width=64, num=2) -> dict:
    """Rectangle labels with an ignore blob and GenerateBoundary's
    gt_edge_map."""
    return make_batch([
        synthetic_label(height, width, seed, NUM_CLASSES)
        for seed in range(num)
    ])


# --------------------------------------------------------------------------
# Registry and structure
# --------------------------------------------------------------------------
def test_registered_and_cbl_inference_methods_are_the_heads():
    assert MODELS.get('DenseASPPHead') is DenseASPPHead
    assert MODELS.get('CBLDenseASPPHead') is CBLDenseASPPHead
    assert issubclass(CBLDenseASPPHead, CBLHeadMixin)
    assert issubclass(CBLDenseASPPHead, DenseASPPHead)
    for method in ('forward', 'cls_seg', 'predict', 'loss_by_feat'):
        assert getattr(CBLDenseASPPHead,
                       method) is getattr(DenseASPPHead, method), method


def test_structure_dense_layers_rates_and_widths():
    dilations = (3, 6, 12, 18, 24)
    head = MODELS.build(head_cfg(layer_dropout_ratio=0.1))
    assert head.dilations == dilations
    assert len(head.dense_layers) == len(dilations)
    for i, (layer, dilation) in enumerate(zip(head.dense_layers, dilations)):
        reduce_conv, atrous_conv = layer.reduce_conv, layer.atrous_conv
        # layer i reads the input and the i outputs before it
        assert reduce_conv.conv.in_channels == 16 + i * 4
        assert reduce_conv.conv.kernel_size == (1, 1)
        assert reduce_conv.conv.out_channels == 8
        assert atrous_conv.conv.in_channels == 8
        assert atrous_conv.conv.out_channels == 4
        assert atrous_conv.conv.kernel_size == (3, 3)
        assert atrous_conv.conv.dilation == (dilation, dilation)
        # padding = dilation keeps the spatial size
        assert atrous_conv.conv.padding == (dilation, dilation)
        # pre-activated, as DenseNet's layers
        assert reduce_conv.order == atrous_conv.order == ('norm', 'act',
                                                          'conv')
        assert reduce_conv.norm.num_features == 16 + i * 4
        assert isinstance(layer.dropout, torch.nn.Dropout2d)
        assert layer.dropout.p == 0.1
    assert head.fusion_conv.conv.in_channels == 16 + len(dilations) * 4
    assert head.fusion_conv.conv.out_channels == head.channels == 8
    assert head.fusion_conv.conv.kernel_size == (3, 3)
    assert head.conv_seg.in_channels == 8
    assert head.conv_seg.out_channels == NUM_CLASSES

    no_dropout = MODELS.build(
        head_cfg(dilations=(2, 4), layer_dropout_ratio=0))
    assert [layer.dropout for layer in no_dropout.dense_layers] == [None] * 2
    assert no_dropout.fusion_conv.conv.in_channels == 16 + 2 * 4


def test_dense_connections():
    """The input of layer i is the input feature and the outputs of layers
    0..i-1, concatenated; fusion_conv reads all of them."""
    head = MODELS.build(head_cfg())
    head.eval()
    seen = []
    handles = [
        module.register_forward_hook(
            lambda module, inputs, output: seen.append((inputs[0], output)))
        for module in list(head.dense_layers) + [head.fusion_conv]
    ]
    x = torch.randn(2, 16, 9, 11)
    with torch.no_grad():
        logits = head([x])
    for handle in handles:
        handle.remove()
    outputs = [x]
    for layer_input, layer_output in seen[:-1]:
        assert torch.equal(layer_input, torch.cat(outputs, dim=1))
        assert layer_output.shape == (2, 4, 9, 11)
        outputs.append(layer_output)
    assert torch.equal(seen[-1][0], torch.cat(outputs, dim=1))
    assert logits.shape == (2, NUM_CLASSES, 9, 11)


@pytest.mark.parametrize('size', [(13, 17), (1, 1), (5, 30)])
def test_forward_keeps_odd_sizes(size):
    head = MODELS.build(head_cfg())
    feats = [torch.randn(2, 8, 40, 40), torch.randn(2, 16, *size)]
    head.train()
    assert head(feats).shape == (2, NUM_CLASSES, *size)
    head.eval()
    with torch.no_grad():
        assert head(feats).shape == (2, NUM_CLASSES, *size)


def test_resize_concat_input_transform():
    head = MODELS.build(
        head_cfg(
            in_channels=[8, 16],
            in_index=[0, 1],
            input_transform='resize_concat'))
    assert head.in_channels == 24
    assert head.dense_layers[0].reduce_conv.conv.in_channels == 24
    feats = [torch.randn(1, 8, 13, 17), torch.randn(1, 16, 7, 9)]
    assert head(feats).shape == (1, NUM_CLASSES, 13, 17)


@pytest.mark.parametrize(
    'kwargs, match',
    [
        (dict(dilations=()), 'dilations must be a non-empty'),
        (dict(dilations=None), 'dilations must be a non-empty'),
        (dict(dilations=(3, 0)), r'dilations\[1\] must be an integer >= 1'),
        (dict(dilations=(3, 1.5)), r'dilations\[1\] must be an integer >= 1'),
        (dict(bottleneck_channels=0), 'bottleneck_channels must be an '
         'integer >= 1, got 0'),
        (dict(growth_channels=-4), 'growth_channels must be an integer >= 1'),
        (dict(channels=0), 'channels must be an integer >= 1, got 0'),
        (dict(in_channels=0), 'in_channels must be an integer >= 1'),
        (dict(in_channels=[8, 0], in_index=[0, 1],
              input_transform='resize_concat'), r'in_channels\[1\]'),
        (dict(in_channels=[8, 16], in_index=[0, 1],
              input_transform='multiple_select'), 'one feature map'),
        (dict(layer_dropout_ratio=1.0), r'layer_dropout_ratio must be in'),
        (dict(layer_dropout_ratio=-0.1), r'layer_dropout_ratio must be in'),
    ])  # yapf: disable
@pytest.mark.parametrize('head_type', ['DenseASPPHead', 'CBLDenseASPPHead'])
def test_invalid_arguments_raise_value_error(kwargs, match, head_type):
    with pytest.raises(ValueError, match=match) as err:
        MODELS.build(head_cfg(type=head_type, **kwargs))
    assert str(err.value).startswith(head_type)


# --------------------------------------------------------------------------
# Small segmentors end to end
# --------------------------------------------------------------------------
@pytest.mark.parametrize('head_type', ['DenseASPPHead', 'CBLDenseASPPHead'])
def test_train_step_every_parameter_has_grad(head_type):
    model = build_model(head_type)
    assert type(model.decode_head).__name__ == head_type
    losses = train_step(model, small_batch())
    assert {'decode.loss_ce', 'decode.acc_seg', 'aux.loss_ce'} <= set(losses)
    cbl_keys = {f'decode.{key}' for key in CBL_KEYS}
    if head_type == 'CBLDenseASPPHead':
        assert cbl_keys <= set(losses)
        assert float(losses['decode.loss_cbl_context'].detach()) > 0
    else:
        assert not cbl_keys & set(losses)


def test_cbl_feature_is_the_fusion_conv_output():
    model = build_model('CBLDenseASPPHead')
    head = model.decode_head
    seen, fused = {}, []
    original = head.loss_cbl

    def spy(feats, logits, *args):
        seen.update(feats=feats, logits=logits)
        return original(feats, logits, *args)

    head.loss_cbl = spy
    handle = head.fusion_conv.register_forward_hook(
        lambda module, inputs, output: fused.append(output))
    model.train()
    batch = model.data_preprocessor(small_batch(), True)
    model(**batch, mode='loss')
    handle.remove()
    assert seen['feats'] is fused[0]
    assert seen['logits'].shape == (2, NUM_CLASSES, *fused[0].shape[2:])


def test_cbl_inference_identical_to_dense_aspp_head():
    model = build_model('CBLDenseASPPHead')
    # A training step first: the CBL hooks must leave nothing behind.
    train_step(model, small_batch())
    assert all(not m._forward_hooks and not m._forward_pre_hooks
               for m in model.modules())
    base = build_model('DenseASPPHead')
    assert model.state_dict().keys() == base.state_dict().keys()
    base.load_state_dict(model.state_dict(), strict=True)
    model.eval(), base.eval()
    images = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        assert torch.equal(
            model(images, mode='tensor'), base(images, mode='tensor'))
        feats = model.extract_feat(images)
        metas = [dict(img_shape=(64, 96), ori_shape=(64, 96))] * 2
        assert torch.equal(
            model.decode_head.predict(feats, metas, {}),
            base.decode_head.predict(feats, metas, {}))


# --------------------------------------------------------------------------
# The tiny config
# --------------------------------------------------------------------------
class _RecordLosses(Hook):
    priority = 'LOWEST'

    def __init__(self):
        self.log_vars = []

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None):
        self.log_vars.append(dict(outputs))


@pytest.mark.slow
def test_tiny_cbl_config_trains_two_iterations(synthetic_cityscapes_root,
                                               tmp_path):
    """The CBL tiny config through tools/train.py's code path: the real
    dataset, pipeline (GenerateBoundary included), optimizer, schedule,
    checkpoint and validation; the checkpoint loads into the baseline."""
    work_dir = str(tmp_path / 'work')
    options = tiny_train_options(synthetic_cityscapes_root, max_iters=2)
    argv = [CBL_TINY_CONFIG, '--work-dir', work_dir, '--cfg-options', *options]
    runner = build_train_runner(parse_train_args(argv))
    recorder = _RecordLosses()
    runner.register_hook(recorder)
    runner.train()
    assert type(runner.model.decode_head) is CBLDenseASPPHead
    assert len(recorder.log_vars) == 2
    for log_vars in recorder.log_vars:
        for key in ('decode.loss_ce', 'aux.loss_ce') + tuple(
                f'decode.{key}' for key in CBL_KEYS):
            assert np.isfinite(float(log_vars[key])), (key, log_vars)
    ckpt = osp.join(work_dir, 'iter_2.pth')
    assert osp.isfile(ckpt)

    baseline = MODELS.build(load_config(TINY_CONFIG).model)
    assert type(baseline.decode_head) is DenseASPPHead
    state = load_checkpoint_safely(ckpt, map_location='cpu')['state_dict']
    baseline.load_state_dict(state, strict=True)
