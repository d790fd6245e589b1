# CPU baseline: MaskFormer on a tiny ResNet-18 (channels 16-128), trained
# from scratch on the embedded synthetic street scenes (19 classes). The
# model is MMSeg's
# mmseg::maskformer/maskformer_r50-d32_8xb2-160k_ade20k-512x512.py (MMSeg has
# no Cityscapes MaskFormer) with every size shrunk
# (tests/test_tiny_mask_configs.py checks that the types and the loss and
# matching recipe are the same): 64 channels, 20 queries, 2 decoder layers.
# The data, schedule, backbone and the sizes both tiny mask configs share
# are in ../_base_/models/tiny_mask_r18.py (MMSeg's config also holds a
# dataset and a schedule, and mmengine refuses bases that share keys, so it
# cannot be a base next to our synthetic dataset config). BN (trained, not
# frozen) instead of SyncBN with norm_eval, and no pretrained weights (from
# scratch).
_base_ = ['../_base_/models/tiny_mask_r18.py']

model = dict(
    backbone=dict(
        dilations=(1, 1, 1, 1),
        strides=(1, 2, 2, 2),
        norm_eval=False,
        contract_dilation=True),
    decode_head=dict(
        type='MaskFormerHead',
        in_index=[0, 1, 2, 3],
        pixel_decoder=dict(
            type='mmdet.PixelDecoder',
            norm_cfg=dict(type='GN', num_groups=32),
            act_cfg=dict(type='ReLU')),
        transformer_decoder=dict(  # DetrTransformerDecoder
            num_layers=2,
            layer_cfg=dict(  # DetrTransformerDecoderLayer
                self_attn_cfg=dict(attn_drop=0.1, proj_drop=0.1),
                cross_attn_cfg=dict(attn_drop=0.1, proj_drop=0.1),
                ffn_cfg=dict(ffn_drop=0.1))),
        loss_cls=dict(loss_weight=1.0),
        loss_mask=dict(
            type='mmdet.FocalLoss',
            use_sigmoid=True,
            gamma=2.0,
            alpha=0.25,
            reduction='mean',
            loss_weight=20.0),
        loss_dice=dict(loss_weight=1.0),
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
                ]))))

# MMSeg's AdamW recipe (gradient clipping at 0.01) with the demo's
# 800-iteration warm-up + poly schedule; lr 1e-4 and the backbone's lr_mult
# 0.1 are for a pretrained backbone: from scratch, lr 5e-4 everywhere.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(
        type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.0001),
    clip_grad=dict(max_norm=0.01, norm_type=2))
