# CPU baseline: MaskFormer on a tiny ResNet-18 (channels 16-128), trained
# from scratch on the embedded synthetic street scenes (19 classes). The
# model is MMSeg's
# mmseg::maskformer/maskformer_r50-d32_8xb2-160k_ade20k-512x512.py (MMSeg has
# no Cityscapes MaskFormer) with every size shrunk
# (tests/test_tiny_mask_configs.py checks that the types and the loss and
# matching recipe are the same): 64 channels, 20 queries, 2 decoder layers.
# That config also holds a dataset and a schedule, and mmengine refuses bases
# that share keys, so it cannot be a base next to our synthetic dataset
# config: the model is written out here. BN (trained, not frozen) instead of
# SyncBN with norm_eval, and no pretrained weights (from scratch).
_base_ = [
    '../_base_/datasets/synthetic_cityscapes_128x256.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/schedule_800.py',
]
# mmengine replaces lists: both imports in full (the heads come from mmdet).
custom_imports = dict(
    imports=['mmdet.models', 'cblseg'], allow_failed_imports=False)

crop_size = (128, 256)
num_classes = 19
channels = 64
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    size=crop_size,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='ResNet',
        depth=18,
        stem_channels=16,
        base_channels=16,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 1),
        strides=(1, 2, 2, 2),
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        init_cfg=None),
    decode_head=dict(
        type='MaskFormerHead',
        in_channels=[16, 32, 64, 128],
        feat_channels=channels,
        in_index=[0, 1, 2, 3],
        num_classes=num_classes,
        out_channels=channels,
        num_queries=20,
        pixel_decoder=dict(
            type='mmdet.PixelDecoder',
            norm_cfg=dict(type='GN', num_groups=32),
            act_cfg=dict(type='ReLU')),
        enforce_decoder_input_project=False,
        positional_encoding=dict(  # SinePositionalEncoding
            num_feats=channels // 2, normalize=True),
        transformer_decoder=dict(  # DetrTransformerDecoder
            return_intermediate=True,
            num_layers=2,
            layer_cfg=dict(  # DetrTransformerDecoderLayer
                self_attn_cfg=dict(  # MultiheadAttention
                    embed_dims=channels,
                    num_heads=4,
                    attn_drop=0.1,
                    proj_drop=0.1,
                    dropout_layer=None,
                    batch_first=True),
                cross_attn_cfg=dict(  # MultiheadAttention
                    embed_dims=channels,
                    num_heads=4,
                    attn_drop=0.1,
                    proj_drop=0.1,
                    dropout_layer=None,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=channels,
                    feedforward_channels=4 * channels,
                    num_fcs=2,
                    act_cfg=dict(type='ReLU', inplace=True),
                    ffn_drop=0.1,
                    dropout_layer=None,
                    add_identity=True)),
            init_cfg=None),
        # The no-object class weighs 0.1: num_classes + 1 weights.
        loss_cls=dict(
            type='mmdet.CrossEntropyLoss',
            use_sigmoid=False,
            loss_weight=1.0,
            reduction='mean',
            class_weight=[1.0] * num_classes + [0.1]),
        loss_mask=dict(
            type='mmdet.FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            reduction='mean',
            loss_weight=20.0),
        loss_dice=dict(
            type='mmdet.DiceLoss',
            use_sigmoid=True,
            activate=True,
            reduction='mean',
            naive_dice=True,
            eps=1.0,
            loss_weight=1.0),
        train_cfg=dict(
            assigner=dict(
                type='mmdet.HungarianAssigner',
                match_costs=[
                    dict(type='mmdet.ClassificationCost', weight=1.0),
                    dict(
                        type='mmdet.FocalLossCost',
                        weight=20.0,
                        binary_input=True),
                    dict(
                        type='mmdet.DiceCost',
                        weight=1.0,
                        pred_act=True,
                        eps=1.0)
                ]),
            sampler=dict(type='mmdet.MaskPseudoSampler'))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# MMSeg's AdamW recipe (gradient clipping at 0.01) with the demo's
# 800-iteration warm-up + poly schedule; lr 1e-4 and the backbone's lr_mult
# 0.1 are for a pretrained backbone: from scratch, lr 5e-4 everywhere.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.0001),
    clip_grad=dict(max_norm=0.01, norm_type=2))

# tools/test.py --tta: the heads predict class scores, which are averaged
# over scales and flips as they are, not softmaxed (docs/tta.md).
tta_model = dict(type='MaskAwareSegTTAModel')

env_cfg = dict(cudnn_benchmark=False)
