# Pascal VOC 2012 512x512 (MMSeg's config) with boundary ground truth.
# GenerateBoundary runs on the full label, right after LoadAnnotations (as in
# the CBL reference); resize (nearest), crop and flip carry gt_edge_map with
# the label, padded with ignore (255).
_base_ = ['mmseg::_base_/datasets/pascal_voc12.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='GenerateBoundary', dilation=0.02),
    dict(
        type='RandomResize',
        scale=(2048, 512),
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
