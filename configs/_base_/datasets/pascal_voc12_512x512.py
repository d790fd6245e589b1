# Pascal VOC 2012 512x512 (MMSeg's config) with boundary ground truth.
# GenerateBoundary runs on the full label, right after LoadAnnotations (as in
# the CBL reference); resize (nearest), crop and flip carry gt_edge_map with
# the label, padded with ignore (255).
# Labels are loaded by LoadCheckedAnnotations (MMSeg's LoadAnnotations plus
# a check): a label value outside the classes [0, 21) and the ignore index
# 255, or a file that cannot be decoded, stops training, validation and
# testing with an error naming the file (docs/datasets.md). num_classes must
# be the dataset's; our tools check it against the dataset's metainfo.
_base_ = ['mmseg::_base_/datasets/pascal_voc12.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=21),
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
# MMSeg's test pipeline, restated for the label check.
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(2048, 512), keep_ratio=True),
    dict(type='LoadCheckedAnnotations', num_classes=21),
    dict(type='PackSegInputs')
]
img_ratios = [0.5, 0.75, 1.0, 1.25, 1.5, 1.75]
tta_pipeline = [
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
            ], [dict(type='LoadCheckedAnnotations', num_classes=21)],
            [dict(type='PackSegInputs')]
        ])
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
# mIoU, Boundary IoU and boundary F-score in one pass (docs/metrics.md).
val_evaluator = dict(_delete_=True, type='BoundaryIoUMetric')
test_evaluator = val_evaluator
