# MaskFormer, Swin-T (ImageNet-1k, 224), ADE20K 512x512, 8 GPUs x 2, 160k
# iters. (MMSeg's name says "upernet", but the head is MaskFormer's; the
# name is kept so the config maps to MMSeg's.)
# Mirrors
# mmseg::maskformer/maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py
# with what our dataset config ../_base_/datasets/ade20k_512x512.py adds
# (GenerateBoundary right after LoadAnnotations, BoundaryIoUMetric), so the
# baseline is evaluated like its CBL twin
# (../cbl/cbl-maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py). Why
# the MMSeg leaf is the base: ./maskformer_r50-d32_8xb2-160k_ade20k-512x512.py.
_base_ = [
    'mmseg::maskformer/maskformer_swin-t_upernet_8xb2-160k_ade20k-512x512.py'
]
# mmengine replaces lists: both imports in full (the heads come from mmdet).
custom_imports = dict(
    imports=['mmdet.models', 'cblseg'], allow_failed_imports=False)

train_pipeline = [
    *_base_.train_pipeline[:2],  # LoadImageFromFile, LoadAnnotations
    dict(type='GenerateBoundary', dilation=0.02),
    *_base_.train_pipeline[2:],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
