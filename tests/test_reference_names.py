"""The CBL reference's names for its OCR head build our CBLOCRHead.

Its README and code (CBLocr_head.py) name the head ``New_ER5OCRHead``; its
config (MMsegmentation/CBLorc_config.py) asks for ``type='ER5OCRHead'``.
The head settings below are that config's second decode head, with BN for
SyncBN (CPU)."""
import pytest
import torch
from mmseg.models.decode_heads import OCRHead
from mmseg.registry import MODELS

import cblseg  # noqa: F401  (registers the heads)
from cblseg.models.decode_heads import CBLOCRHead

pytestmark = pytest.mark.usefixtures('mmseg_scope_and_seed',
                                     'one_torch_thread')

NAMES = ('CBLOCRHead', 'New_ER5OCRHead', 'ER5OCRHead')
REFERENCE_OCR_HEAD = dict(
    in_channels=[48, 96, 192, 384],
    channels=512,
    ocr_channels=256,
    input_transform='resize_concat',
    in_index=(0, 1, 2, 3),
    norm_cfg=dict(type='BN', requires_grad=True),
    dropout_ratio=-1,
    num_classes=19,
    align_corners=False,
    loss_decode=dict(
        type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))


def test_registry_names_resolve_to_one_class():
    for name in NAMES:
        assert MODELS.get(name) is CBLOCRHead, name
    # the alias is ours, not MMSeg's: MMSeg's own OCR head is untouched
    assert MODELS.get('OCRHead') is OCRHead


def test_each_name_builds_the_same_head():
    heads = {}
    for name in NAMES:
        torch.manual_seed(0)
        heads[name] = MODELS.build(dict(REFERENCE_OCR_HEAD, type=name))
    reference = heads['CBLOCRHead'].state_dict()
    for name, head in heads.items():
        assert type(head) is CBLOCRHead, name
        assert head.cbl_feature_module == 'bottleneck'
        assert head.bottleneck.conv.out_channels == 512
        state = head.state_dict()
        assert state.keys() == reference.keys(), name
        for key in reference:  # same seed, same initialisation
            assert torch.equal(state[key], reference[key]), (name, key)
    # the same parameters as MMSeg's OCRHead: checkpoints are interchangeable
    torch.manual_seed(0)
    mmseg_head = MODELS.build(dict(REFERENCE_OCR_HEAD, type='OCRHead'))
    assert mmseg_head.state_dict().keys() == reference.keys()


def _reference_model_cfg():
    """The ``model`` of the reference config (MMsegmentation/CBLorc_config.py)
    as written there: 0.x keys, SyncBN, ``type='ER5OCRHead'``."""
    sync_bn = dict(type='SyncBN', requires_grad=True)
    widths = [48, 96, 192, 384]
    return dict(
        type='CascadeEncoderDecoder',
        num_stages=2,
        pretrained='open-mmlab://msra/hrnetv2_w48',
        backbone=dict(
            type='HRNet',
            norm_cfg=sync_bn,
            norm_eval=False,
            extra=dict(
                stage1=dict(
                    num_modules=1,
                    num_branches=1,
                    block='BOTTLENECK',
                    num_blocks=(4, ),
                    num_channels=(64, )),
                stage2=dict(
                    num_modules=1,
                    num_branches=2,
                    block='BASIC',
                    num_blocks=(4, 4),
                    num_channels=tuple(widths[:2])),
                stage3=dict(
                    num_modules=4,
                    num_branches=3,
                    block='BASIC',
                    num_blocks=(4, 4, 4),
                    num_channels=tuple(widths[:3])),
                stage4=dict(
                    num_modules=3,
                    num_branches=4,
                    block='BASIC',
                    num_blocks=(4, 4, 4, 4),
                    num_channels=tuple(widths)))),
        decode_head=[
            dict(
                type='FCNHead',
                in_channels=widths,
                channels=720,
                input_transform='resize_concat',
                in_index=(0, 1, 2, 3),
                kernel_size=1,
                num_convs=1,
                norm_cfg=sync_bn,
                concat_input=False,
                dropout_ratio=-1,
                num_classes=19,
                align_corners=False,
                loss_decode=dict(
                    type='CrossEntropyLoss',
                    use_sigmoid=False,
                    loss_weight=0.4)),
            dict(REFERENCE_OCR_HEAD, type='ER5OCRHead', norm_cfg=sync_bn),
        ],
        train_cfg=dict(),
        test_cfg=dict(mode='whole'))


def test_reference_model_config_builds_our_w48_model():
    """The reference config's model part builds in MMSeg 1.x as it is, and
    has the parameters of our cbl-ocrnet_hr48 Cityscapes config's model
    (docs/cbl.md, "The reference config, line by line")."""
    import os.path as osp

    from mmengine.config import Config, ConfigDict

    from helpers import REPO_ROOT
    ours_cfg = Config.fromfile(
        osp.join(
            REPO_ROOT, 'configs/cbl/'
            'cbl-ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py'))
    # a ConfigDict, as Config.fromfile would give (MMSeg sets attributes)
    theirs = MODELS.build(ConfigDict(_reference_model_cfg()))
    ours = MODELS.build(ours_cfg.model)
    assert type(theirs.decode_head[1]) is CBLOCRHead
    assert type(ours) is type(theirs)
    assert {
        k: v.shape
        for k, v in theirs.state_dict().items()
    } == {
        k: v.shape
        for k, v in ours.state_dict().items()
    }
    assert theirs.backbone.init_cfg == ours.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='open-mmlab://msra/hrnetv2_w48')
    # the CBL weights the reference hard-codes (context 1, NCE 0.2, CN 2)
    loss = ours.decode_head[1].cbl_loss
    assert (loss.loss_weight_context, loss.loss_weight_nce,
            loss.loss_weight_cn) == (1.0, 0.2, 2.0)
    theirs_loss = theirs.decode_head[1].cbl_loss
    assert (theirs_loss.loss_weight_context, theirs_loss.loss_weight_nce,
            theirs_loss.loss_weight_cn) == (1.0, 0.2, 2.0)
