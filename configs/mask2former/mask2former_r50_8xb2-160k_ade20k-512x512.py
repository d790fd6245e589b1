# Mask2Former, ResNet-50, ADE20K 512x512, 8 GPUs x 2, 160k iters.
# Mirrors mmseg::mask2former/mask2former_r50_8xb2-160k_ade20k-512x512.py
# with what our dataset config ../_base_/datasets/ade20k_512x512.py adds
# (label checks, GenerateBoundary right after label loading,
# BoundaryIoUMetric), so the
# baseline is evaluated like its CBL twin
# (../cbl/cbl-mask2former_r50_8xb2-160k_ade20k-512x512.py). Why the MMSeg
# leaf is the base and the additions are applied here: the Swin-B config
# next to this one.
_base_ = ['mmseg::mask2former/mask2former_r50_8xb2-160k_ade20k-512x512.py']
# mmengine replaces lists: both imports in full (the heads come from mmdet).
custom_imports = dict(
    imports=['mmdet.models', 'cblseg'], allow_failed_imports=False)

# Labels loaded with the label check (num_classes after reduce_zero_label,
# which ADE20KDataset sets) in every pipeline, as in our dataset config.
train_pipeline = [
    _base_.train_pipeline[0],  # LoadImageFromFile
    dict(type='LoadCheckedAnnotations', num_classes=150),
    dict(type='GenerateBoundary', dilation=0.02),
    *_base_.train_pipeline[2:],
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_pipeline = [
    dict(type='LoadCheckedAnnotations', num_classes=150)
    if t['type'] == 'LoadAnnotations' else t for t in _base_.test_pipeline
]
tta_pipeline = [
    _base_.tta_pipeline[0],
    dict(
        _base_.tta_pipeline[1],
        transforms=[[
            dict(type='LoadCheckedAnnotations', num_classes=150)
            if t['type'] == 'LoadAnnotations' else t for t in step
        ] for step in _base_.tta_pipeline[1]['transforms']]),
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
