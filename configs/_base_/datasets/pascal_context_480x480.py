# Pascal Context, 60 classes (background is class 0 and is evaluated),
# 480x480 (MMSeg's config) with boundary ground truth for CBL.
# GenerateBoundary runs right after LoadAnnotations, on the full-resolution
# label, as in the CBL reference config. The 59-class setting, which most
# papers report, is pascal_context_59_480x480.py.
_base_ = ['mmseg::_base_/datasets/pascal_context.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

img_scale = (520, 520)
crop_size = (480, 480)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='GenerateBoundary', dilation=0.02),
    dict(
        type='RandomResize',
        scale=img_scale,
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
