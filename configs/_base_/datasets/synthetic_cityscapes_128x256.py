# The embedded synthetic street scenes in the Cityscapes layout (official ids,
# 19 train ids), written by tools/dataset_converters/generate_synthetic_data.py.
# MMSeg's Cityscapes config with a smaller root, image size and loader, and
# boundary ground truth (GenerateBoundary on the full label, right after
# LoadAnnotations, as in the CBL reference and cityscapes_512x1024.py).
# Labels are loaded by LoadCheckedAnnotations (MMSeg's LoadAnnotations plus
# a check): a label value outside the classes [0, 19) and the ignore index
# 255, or a file that cannot be decoded, stops training, validation and
# testing with an error naming the file (docs/datasets.md). num_classes must
# be the dataset's; our tools check it against the dataset's metainfo.
_base_ = ['mmseg::_base_/datasets/cityscapes.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

data_root = 'data/synthetic/cityscapes/'
crop_size = (128, 256)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadCheckedAnnotations', num_classes=19),
    dict(type='GenerateBoundary', dilation=0.02),
    dict(
        type='RandomResize',
        scale=(256, 128),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(256, 128), keep_ratio=True),
    dict(type='LoadCheckedAnnotations', num_classes=19),
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
            ], [dict(type='LoadCheckedAnnotations', num_classes=19)],
            [dict(type='PackSegInputs')]
        ])
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
