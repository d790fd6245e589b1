# CPU baseline: Mask2Former on a tiny ResNet-18 (channels 16-128), trained
# from scratch on the embedded synthetic street scenes. The model is MMSeg's
# mmseg::mask2former/mask2former_r50_8xb2-90k_cityscapes-512x1024.py with
# every size shrunk (tests/test_tiny_mask_configs.py checks that the types
# and the loss and matching recipe are the same): 64 channels, 20 queries,
# 2 deformable encoder layers, 3 decoder layers (one round over the 3 feature
# levels), 1024 sampled points. The data, schedule, backbone and the sizes
# both tiny mask configs share are in ../_base_/models/tiny_mask_r18.py
# (MMSeg's config also holds a dataset and a schedule, and mmengine refuses
# bases that share keys, so it cannot be a base next to our synthetic
# dataset config). BN instead of frozen SyncBN and no pretrained weights
# (from scratch).
_base_ = ['../_base_/models/tiny_mask_r18.py']

channels = _base_.channels  # 64
data_preprocessor = dict(test_cfg=dict(size_divisor=32))
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(deep_stem=False, frozen_stages=-1),
    decode_head=dict(
        type='Mask2FormerHead',
        strides=[4, 8, 16, 32],
        num_transformer_feat_level=3,
        align_corners=False,
        pixel_decoder=dict(
            type='mmdet.MSDeformAttnPixelDecoder',
            num_outs=3,
            norm_cfg=dict(type='GN', num_groups=32),
            act_cfg=dict(type='ReLU'),
            encoder=dict(  # DeformableDetrTransformerEncoder
                num_layers=2,
                layer_cfg=dict(  # DeformableDetrTransformerEncoderLayer
                    self_attn_cfg=dict(  # MultiScaleDeformableAttention
                        embed_dims=channels,
                        num_heads=4,
                        num_levels=3,
                        num_points=2,
                        im2col_step=64,
                        dropout=0.0,
                        batch_first=True,
                        norm_cfg=None,
                        init_cfg=None),
                    ffn_cfg=dict(
                        embed_dims=channels,
                        feedforward_channels=4 * channels,
                        num_fcs=2,
                        ffn_drop=0.0,
                        act_cfg=dict(type='ReLU', inplace=True))),
                init_cfg=None),
            positional_encoding=dict(  # SinePositionalEncoding
                num_feats=channels // 2,
                normalize=True),
            init_cfg=None),
        transformer_decoder=dict(  # Mask2FormerTransformerDecoder
            num_layers=3,
            layer_cfg=dict(  # Mask2FormerTransformerDecoderLayer
                self_attn_cfg=dict(attn_drop=0.0, proj_drop=0.0),
                cross_attn_cfg=dict(attn_drop=0.0, proj_drop=0.0),
                ffn_cfg=dict(ffn_drop=0.0))),
        loss_cls=dict(loss_weight=2.0),
        loss_mask=dict(
            type='mmdet.CrossEntropyLoss',
            use_sigmoid=True,
            reduction='mean',
            loss_weight=5.0),
        loss_dice=dict(loss_weight=5.0),
        train_cfg=dict(
            # 12544 points for 128x256 masks in MMSeg; these masks have
            # 32x64 = 2048 pixels.
            num_points=1024,
            oversample_ratio=3.0,
            importance_sample_ratio=0.75,
            assigner=dict(
                type='mmdet.HungarianAssigner',
                match_costs=[
                    dict(type='mmdet.ClassificationCost', weight=2.0),
                    dict(
                        type='mmdet.CrossEntropyLossCost',
                        weight=5.0,
                        use_sigmoid=True),
                    dict(
                        type='mmdet.DiceCost',
                        weight=5.0,
                        pred_act=True,
                        eps=1.0)
                ]))))

# MMSeg's AdamW recipe (gradient clipping at 0.01, no weight decay on the
# query and level embeddings or on norms) with the demo's 800-iteration
# warm-up + poly schedule; lr 1e-4 and the backbone's lr_mult 0.1 are for a
# pretrained backbone: from scratch, lr 5e-4 everywhere.
embed_multi = dict(lr_mult=1.0, decay_mult=0.0)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=5e-4, weight_decay=0.05, eps=1e-8,
        betas=(0.9, 0.999)),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(
        custom_keys={
            'query_embed': embed_multi,
            'query_feat': embed_multi,
            'level_embed': embed_multi,
        },
        norm_decay_mult=0.0))
