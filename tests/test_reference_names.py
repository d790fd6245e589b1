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

pytestmark = pytest.mark.usefixtures('mmseg_scope', 'one_torch_thread')

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
