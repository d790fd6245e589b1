# MaskFormer, Swin-B (ImageNet-22k, 384), ADE20K 640x640, 8 GPUs x 2, 160k
# iters: the CBL paper's MaskFormer setup, baseline.
# COMPOSED: MMSeg has no MaskFormer Swin-B 640 config. This one is MMSeg's
# MaskFormer Swin-T recipe (./maskformer_swin-t_upernet_8xb2-160k_ade20k-
# 512x512.py: model, losses, AdamW, 1500-iteration linear warm-up, our
# dataset additions) with the numbers of MaskFormer's published Swin-B 640
# recipe (maskformer_swin_base_IN21k_384_bs16_160k_res640.yaml, which the
# CBL authors' maskformer/configs/ade20k-150/swin/CBL.yaml resolves to):
# - backbone Swin-B: embed 128, depths 2-2-18-2, heads 4-8-16-32, window
#   12, 384 pre-training size, drop path 0.3, ImageNet-22k weights (MMSeg's
#   Swin-B 22k 384 checkpoint, the one of its Mask2Former Swin-B configs);
# - lr 6e-5, weight decay 0.01 (0 on norms and the query embedding),
#   backbone lr x1.0, warm-up factor 1e-6 over 1500 iterations: as
#   MMSeg's Swin-T; poly power 0.9 (MMSeg's Swin-T uses 1.0);
# - 640x640 crops of images whose short side is drawn from
#   {320, 384, ..., 1280} (long side <= 2560), tested at short side 640
#   (long side <= 2560): the pipeline of MMSeg's Mask2Former Swin-B 640
#   (RandomCrop's cat_max_ratio 0.75 as in every MMSeg ADE20K pipeline; the
#   authors' SINGLE_CATEGORY_MAX_AREA is 1.0, see docs/model_zoo.md).
# Its CBL twin:
# ../cbl/cbl-maskformer_swin-b-in22k-384x384-pre_8xb2-160k_ade20k-640x640.py
_base_ = ['./maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py']

checkpoint_file = 'https://download.openmmlab.com/mmsegmentation/v0.5/pretrain/swin/swin_base_patch4_window12_384_22k_20220317-e5c09f74.pth'  # noqa
crop_size = (640, 640)
depths = [2, 2, 18, 2]
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        pretrain_img_size=384,
        embed_dims=128,
        depths=depths,
        num_heads=[4, 8, 16, 32],
        window_size=12,
        init_cfg=dict(type='Pretrained', checkpoint=checkpoint_file)),
    decode_head=dict(in_channels=[128, 256, 512, 1024]))

# The Swin-T config's parameter groups for Swin-B's 18 third-stage blocks.
backbone_norm_multi = dict(lr_mult=1.0, decay_mult=0.0)
custom_keys = {
    f'backbone.stages.{stage_id}.blocks.{block_id}.norm': backbone_norm_multi
    for stage_id, num_blocks in enumerate(depths)
    for block_id in range(num_blocks)
}
optim_wrapper = dict(paramwise_cfg=dict(custom_keys=custom_keys))
param_scheduler = [
    dict(
        type='LinearLR', start_factor=1e-6, by_epoch=False, begin=0, end=1500),
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=1500,
        end=160000,
        by_epoch=False,
    )
]

# ../_base_/datasets/ade20k_640x640.py's test sizes with the short-side
# choice of MaskFormer / Mask2Former training.
train_pipeline = [
    *_base_.train_pipeline[:3],  # images, labels, GenerateBoundary
    dict(
        type='RandomChoiceResize',
        scales=[int(640 * x * 0.1) for x in range(5, 21)],
        resize_type='ResizeShortestEdge',
        max_size=2560),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_pipeline = [
    dict(type='Resize', scale=(2560, 640), keep_ratio=True)
    if t['type'] == 'Resize' else t for t in _base_.test_pipeline
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
