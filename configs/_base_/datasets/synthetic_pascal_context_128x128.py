# The embedded synthetic scenes in the Pascal Context layout, read as the 60
# classes (labels 0..59, 0 = background, evaluated as a class),
# written by tools/dataset_converters/generate_synthetic_data.py. MMSeg's
# Pascal Context (60) config with a smaller root, image size and loader, and
# boundary ground truth (GenerateBoundary right after LoadAnnotations, as in
# pascal_context_480x480.py).
_base_ = ['mmseg::_base_/datasets/pascal_context.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

data_root = 'data/synthetic/VOCdevkit/VOC2010'
crop_size = (128, 128)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='GenerateBoundary', dilation=0.02),
    dict(
        type='RandomResize',
        scale=(512, 128),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(512, 128), keep_ratio=True),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
