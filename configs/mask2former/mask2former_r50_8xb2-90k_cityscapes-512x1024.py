# Mask2Former, ResNet-50, Cityscapes 512x1024, 8 GPUs x 2, 90k iters.
# Mirrors mmseg::mask2former/mask2former_r50_8xb2-90k_cityscapes-512x1024.py
# with what our dataset config ../_base_/datasets/cityscapes_512x1024.py
# adds: labels loaded by LoadCheckedAnnotations (train, test and TTA
# pipelines: a label outside [0, 19) and 255 stops with an error naming the
# file), GenerateBoundary right after it on the full-resolution label, and
# BoundaryIoUMetric; so the baseline is evaluated like its CBL twin
# (../cbl/cbl-mask2former_r50_8xb2-90k_cityscapes-512x1024.py). Why the
# MMSeg leaf is the base and the additions are applied here: the Swin-B
# ADE20K config in this folder.
_base_ = ['mmseg::mask2former/mask2former_r50_8xb2-90k_cityscapes-512x1024.py']
# mmengine replaces lists: both imports in full (the heads come from mmdet).
custom_imports = dict(
    imports=['mmdet.models', 'cblseg'], allow_failed_imports=False)

train_pipeline = [
    _base_.train_pipeline[0],  # LoadImageFromFile
    dict(type='LoadCheckedAnnotations', num_classes=19),
    dict(type='GenerateBoundary', dilation=0.02),
    *_base_.train_pipeline[2:],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_pipeline = [
    dict(type='LoadCheckedAnnotations', num_classes=19)
    if t['type'] == 'LoadAnnotations' else t for t in _base_.test_pipeline
]
tta_pipeline = [
    _base_.tta_pipeline[0],
    dict(
        _base_.tta_pipeline[1],
        transforms=[[
            dict(type='LoadCheckedAnnotations', num_classes=19)
            if t['type'] == 'LoadAnnotations' else t for t in step
        ] for step in _base_.tta_pipeline[1]['transforms']]),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
