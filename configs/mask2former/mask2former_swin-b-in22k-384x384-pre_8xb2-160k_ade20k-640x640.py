# Mask2Former, Swin-B (ImageNet-22k, 384), ADE20K 640x640, 8 GPUs x 2,
# 160k iters: the CBL paper's Mask2Former setup, baseline.
# Mirrors
# mmseg::mask2former/mask2former_swin-b-in22k-384x384-pre_8xb2-160k_ade20k-640x640.py
# with what our dataset config ../_base_/datasets/ade20k_640x640.py adds:
# GenerateBoundary right after LoadAnnotations (the full-resolution label)
# and BoundaryIoUMetric, so the baseline is evaluated like its CBL twin
# (in ../cbl/: cbl-mask2former_swin-b-in22k-384x384-pre_8xb2-160k_ade20k-
# 640x640.py).
# MMSeg's leaf and our dataset config both define the dataset keys, and
# mmengine refuses a key defined by two bases, so the leaf is the base and
# the dataset config's additions are applied to its pipeline here
# (tests/test_mask_zoo_configs.py checks they stay our dataset config's).
# Where MMSeg's recipe differs from the CBL authors' CBL_Mask2Former_config
# (AMP, crop category ratio, multi-scale test sizes): docs/model_zoo.md.
_base_ = [
    'mmseg::mask2former/'
    'mask2former_swin-b-in22k-384x384-pre_8xb2-160k_ade20k-640x640.py'
]
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
