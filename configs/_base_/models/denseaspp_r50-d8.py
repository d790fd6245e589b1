# DenseASPP (Yang et al., CVPR 2018) on ResNetV1c-50-D8, laid out like MMSeg's
# _base_/models/deeplabv3_r50-d8.py: the same backbone, auxiliary FCN head on
# stage 3 and training/testing settings, with cblseg's DenseASPPHead for
# ASPPHead (docs/denseaspp.md).
# DenseASPPHead is registered by cblseg: our dataset bases set
# custom_imports = dict(imports=['cblseg'], ...). Not here: mmengine refuses a
# key defined by two bases.
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained='open-mmlab://resnet50_v1c',
    backbone=dict(
        type='ResNetV1c',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='DenseASPPHead',
        in_channels=2048,
        in_index=3,
        # the paper's rates and its DenseNet-161 widths (512 / 128)
        dilations=(3, 6, 12, 18, 24),
        bottleneck_channels=512,
        growth_channels=128,
        layer_dropout_ratio=0.1,
        # fusion_conv: 2048 + 5 * 128 = 2688 -> 512 channels for cls_seg
        channels=512,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=1024,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    # model training and testing settings
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
