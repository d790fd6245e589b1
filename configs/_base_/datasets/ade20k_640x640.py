# ADE20K 640x640 (MMSeg's config; the CBL paper's Mask2Former and MaskFormer
# Swin-B setup) with boundary ground truth for CBL. As ade20k_512x512.py:
# label 0 ("other objects") becomes 255 and is ignore for the loss, the
# boundaries and the metric; GenerateBoundary runs right after
# LoadAnnotations, on the full-resolution label.
# LoadCheckedAnnotations (MMSeg's LoadAnnotations plus the label check of
# docs/datasets.md, num_classes counted after the reduction) takes
# reduce_zero_label from the dataset (True for
# ADE20KDataset); MMSeg's config also passes it to LoadAnnotations,
# which only adds a deprecation warning.
_base_ = ['mmseg::_base_/datasets/ade20k_640x640.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

crop_size = (640, 640)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=150),
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
# MMSeg's test pipeline, restated for the label check.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2560, 640), keep_ratio=True),
    dict(type='LoadCheckedAnnotations', num_classes=150),
    dict(type='PackSegInputs')
]
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [  # MMSeg's, with the label check
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [
                dict(type='Resize', scale_factor=r, keep_ratio=True)
                for r in img_ratios
            ],
            [
                dict(type='RandomFlip', prob=0., direction='horizontal'),
                dict(type='RandomFlip', prob=1., direction='horizontal')
            ], [dict(type='LoadCheckedAnnotations', num_classes=150)],
            [dict(type='PackSegInputs')]
        ])
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
