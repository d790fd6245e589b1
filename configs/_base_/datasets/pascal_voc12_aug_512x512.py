# Pascal VOC 2012 + SBD ("aug", 10582 images) 512x512, MMSeg's config with
# boundary ground truth, computed on the full label right after
# LoadAnnotations (as in the CBL reference). mmcv's Pad pads gt_seg_map only,
# so MMSeg's Pad(size=crop_size) becomes PadSegFields, which pads gt_edge_map
# too (with ignore, 255), as MMSeg 0.x's Pad did.
# SegmentationClassAug and aug.txt: tools/dataset_converters/voc.py --sbd-path.
# Labels are loaded by LoadCheckedAnnotations (MMSeg's LoadAnnotations plus
# a check): a label value outside the classes [0, 21) and the ignore index
# 255, or a file that cannot be decoded, stops training, validation and
# testing with an error naming the file (docs/datasets.md). num_classes must
# be the dataset's; our tools check it against the dataset's metainfo.
_base_ = ['mmseg::_base_/datasets/pascal_voc12_aug.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

dataset_type = 'PascalVOCDataset'
data_root = 'data/VOCdevkit/VOC2012'
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
    dict(type='PadSegFields', size=crop_size),
    dict(type='PackSegInputs')
]
# mmengine replaces lists instead of merging them: both datasets in full.
dataset_train = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(img_path='JPEGImages', seg_map_path='SegmentationClass'),
    ann_file='ImageSets/Segmentation/train.txt',
    pipeline=train_pipeline)
dataset_aug = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix=dict(
        img_path='JPEGImages', seg_map_path='SegmentationClassAug'),
    ann_file='ImageSets/Segmentation/aug.txt',
    pipeline=train_pipeline)
train_dataloader = dict(
    dataset=dict(type='ConcatDataset', datasets=[dataset_train, dataset_aug]))
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
