# What the tiny CPU mask-classification configs share
# (../../mask2former/mask2former_r18-tiny_1xb4-800_synthetic-cityscapes-
# 128x256.py and ../../maskformer/maskformer_r18-tiny_...): the CPU setup
# (../synthetic-cityscapes_1xb4-800.py: synthetic street scenes, MMSeg's
# runtime, the 800-iteration schedule) and the sizes that make them tiny.
# The backbone is a ResNet-18 with channels 16-128, BN (trained, not frozen)
# and no pretrained weights (from scratch); the head has 64 channels, 20
# queries, and attention layers of 4 heads with 4x feed-forward width. Each
# config adds its head and MMSeg's recipe for it (losses, matching costs,
# dropout, layers): MMSeg's configs also hold a dataset and a schedule, and
# mmengine refuses bases that share keys, so they cannot be bases next to
# our synthetic dataset config.
_base_ = ['../synthetic-cityscapes_1xb4-800.py']
# mmengine replaces lists: both imports in full (the heads come from mmdet).
custom_imports = dict(
    imports=['mmdet.models', 'cblseg'], allow_failed_imports=False)

crop_size = (128, 256)
num_classes = 19
channels = 64
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
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
        norm_cfg=norm_cfg,
        style='pytorch',
        init_cfg=None),
    decode_head=dict(
        in_channels=[16, 32, 64, 128],
        feat_channels=channels,
        out_channels=channels,
        num_classes=num_classes,
        num_queries=20,
        enforce_decoder_input_project=False,
        positional_encoding=dict(  # SinePositionalEncoding
            num_feats=channels // 2, normalize=True),
        # the decoder's sizes; its type, depth and dropout: the configs
        transformer_decoder=dict(
            return_intermediate=True,
            layer_cfg=dict(
                self_attn_cfg=dict(  # MultiheadAttention
                    embed_dims=channels,
                    num_heads=4,
                    dropout_layer=None,
                    batch_first=True),
                cross_attn_cfg=dict(  # MultiheadAttention
                    embed_dims=channels,
                    num_heads=4,
                    dropout_layer=None,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=channels,
                    feedforward_channels=4 * channels,
                    num_fcs=2,
                    act_cfg=dict(type='ReLU', inplace=True),
                    dropout_layer=None,
                    add_identity=True)),
            init_cfg=None),
        # The no-object class weighs 0.1: num_classes + 1 weights.
        loss_cls=dict(
            type='mmdet.CrossEntropyLoss',
            use_sigmoid=False,
            reduction='mean',
            class_weight=[1.0] * num_classes + [0.1]),
        loss_dice=dict(
            type='mmdet.DiceLoss',
            use_sigmoid=True,
            activate=True,
            reduction='mean',
            naive_dice=True,
            eps=1.0),
        train_cfg=dict(sampler=dict(type='mmdet.MaskPseudoSampler'))),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# tools/test.py --tta: the heads predict class scores, which are averaged
# over scales and flips as they are, not softmaxed (docs/tta.md).
tta_model = dict(type='MaskAwareSegTTAModel')
