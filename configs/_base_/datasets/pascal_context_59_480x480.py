# Pascal Context, 59 classes, 480x480 (MMSeg's config) with boundary ground
# truth for CBL. The label PNGs hold 0..59 with 0 = background;
# reduce_zero_label turns background into 255, which is ignore for the
# loss, the boundaries (gt_edge_map is 255 there and pixels next to it are
# boundary) and BoundaryIoUMetric, and 1..59 into the 59 classes.
# GenerateBoundary runs right after LoadAnnotations, on the full-resolution
# label, as in the CBL reference config.
# LoadAnnotations takes reduce_zero_label from the dataset (True for
# PascalContextDataset59); MMSeg's config also passes it to LoadAnnotations,
# which only adds a deprecation warning.
_base_ = ['mmseg::_base_/datasets/pascal_context_59.py']
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
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md); the
# number of classes comes from the dataset's metainfo (59).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
