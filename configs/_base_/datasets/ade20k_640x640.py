# ADE20K 640x640 (MMSeg's config; the CBL paper's Mask2Former and MaskFormer
# Swin-B setup) with boundary ground truth for CBL. As ade20k_512x512.py:
# label 0 ("other objects") becomes 255 and is ignore for the loss, the
# boundaries and the metric; GenerateBoundary runs right after
# LoadAnnotations, on the full-resolution label.
# LoadAnnotations takes reduce_zero_label from the dataset (True for
# ADE20KDataset); MMSeg's config also passes it to LoadAnnotations,
# which only adds a deprecation warning.
_base_ = ['mmseg::_base_/datasets/ade20k_640x640.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

crop_size = (640, 640)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='GenerateBoundary', dilation=0.02),
    dict(
        type='RandomResize',
        scale=(2560, 640),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
