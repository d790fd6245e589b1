# Copyright (c) cblseg contributors. All rights reserved.
"""The tiny Mask2Former and MaskFormer configs are MMSeg's R-50 configs
shrunk: the same modules, losses, matching costs, optimizer and data
preprocessing, with only sizes (channels, layers, queries, points) and the
from-scratch settings changed. mmengine refuses bases that share keys, so
these configs write the model out instead of inheriting it next to our
synthetic dataset config; this test keeps them faithful."""
import os.path as osp

import mmseg
import pytest

from helpers import REPO_ROOT
from helpers.configs import load_config, unscope

MMSEG_CONFIGS = osp.join(osp.dirname(mmseg.__file__), '.mim', 'configs')

# tiny config -> the MMSeg config it shrinks (under MMSeg's configs/)
PAIRS = {
    'configs/mask2former/'
    'mask2former_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py':
    'mask2former/mask2former_r50_8xb2-90k_cityscapes-512x1024.py',
    'configs/maskformer/'
    'maskformer_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py':
    'maskformer/maskformer_r50-d32_8xb2-160k_ade20k-512x512.py',
}
# Non-size changes, each for a reason: trained BN (SyncBN needs a launcher;
# MMSeg's frozen or norm_eval BN is for a pretrained backbone), no
# pretrained weights, the smaller ResNet's stem and widths.
CHANGED = {
    'model.backbone.norm_cfg', 'model.backbone.init_cfg',
    'model.backbone.norm_eval', 'model.backbone.stem_channels',
    'model.backbone.base_channels'
}

# Sizes: the keys whose values may differ (loss weights, matching costs,
# dropout, strides and the like may not).
SIZE_KEYS = {
    'depth', 'in_channels', 'feat_channels', 'out_channels', 'embed_dims',
    'feedforward_channels', 'num_feats', 'num_heads', 'num_points',
    'num_layers', 'num_queries', 'num_classes', 'class_weight', 'size'
}


def _differences(ours, theirs, path):
    """Paths where ``ours`` differs from ``theirs`` other than in sizes."""
    if path in CHANGED or path.rsplit('.', 1)[-1] in SIZE_KEYS:
        return []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs)):
            sub = f'{path}.{key}'
            if key not in ours or key not in theirs:
                if sub not in CHANGED:
                    found.append(sub)
                continue
            found += _differences(ours[key], theirs[key], sub)
        return found
    if isinstance(ours, (list, tuple)) and isinstance(theirs, (list, tuple)):
        if len(ours) != len(theirs):
            return [path]
        return [
            d for i, (a, b) in enumerate(zip(ours, theirs))
            for d in _differences(a, b, f'{path}[{i}]')
        ]
    return [] if ours == theirs else [path]


def test_differences_sees_recipe_changes():
    theirs = dict(loss=dict(type='A', loss_weight=5.0, num_points=100))
    assert _differences(theirs, theirs, 'm') == []
    assert _differences(
        dict(loss=dict(type='A', loss_weight=5.0, num_points=9)), theirs,
        'm') == []
    assert _differences(
        dict(loss=dict(type='B', loss_weight=2.0, num_points=100)), theirs,
        'm') == ['m.loss.loss_weight', 'm.loss.type']
    assert _differences(dict(loss=dict(type='A')), theirs,
                        'm') == ['m.loss.loss_weight', 'm.loss.num_points']


@pytest.mark.parametrize('tiny', sorted(PAIRS))
def test_tiny_mask_config_is_mmseg_config_shrunk(tiny):
    ours = unscope(load_config(osp.join(REPO_ROOT, tiny)).to_dict())
    theirs = unscope(
        load_config(osp.join(MMSEG_CONFIGS, PAIRS[tiny])).to_dict())
    assert ours['model']['decode_head']['type'] == \
        theirs['model']['decode_head']['type']
    assert _differences(ours['model'], theirs['model'], 'model') == []
    # 19 classes everywhere: the head and the no-object-weighted class
    # weights (num_classes + 1 entries).
    head = ours['model']['decode_head']
    assert head['num_classes'] == 19
    assert head['loss_cls']['class_weight'] == [1.0] * 19 + [0.1]
    # MMSeg's optimizer recipe: AdamW, gradient clipping at 0.01.
    for key in ('type', 'clip_grad'):
        assert ours['optim_wrapper'][key] == theirs['optim_wrapper'][key]
    assert ours['optim_wrapper']['optimizer']['type'] == 'AdamW'
    assert ours['tta_model']['type'] == 'MaskAwareSegTTAModel'
    assert ours['custom_imports']['imports'] == ['mmdet.models', 'cblseg']
