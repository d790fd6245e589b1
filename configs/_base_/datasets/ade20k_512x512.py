# ADE20K 512x512 (MMSeg's config) with boundary ground truth for CBL.
# reduce_zero_label: label 0 ("other objects") becomes 255, which is ignore
# for the loss, for the boundaries (gt_edge_map is 255 there and pixels next
# to it are boundary) and for BoundaryIoUMetric; classes 1..150 become
# 0..149. GenerateBoundary runs right after LoadAnnotations, on the
# full-resolution label, as in the CBL reference config; the resize, crop
# and flip keep gt_edge_map aligned with the label (nearest, padded with
# 255). dilation=0.02 is what the CBL reference trained with.
# LoadAnnotations takes reduce_zero_label from the dataset (True for
# ADE20KDataset); MMSeg's config also passes it to LoadAnnotations,
# which only adds a deprecation warning.
_base_ = ['mmseg::_base_/datasets/ade20k.py']
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
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md); the
# number of classes comes from the dataset's metainfo (150).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
