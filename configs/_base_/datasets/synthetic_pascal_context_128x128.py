# The embedded synthetic scenes in the Pascal Context layout, read as the 60
# classes (labels 0..59, 0 = background, evaluated as a class), written by
# tools/dataset_converters/generate_synthetic_data.py. Our Pascal Context
# (60) config (./pascal_context_480x480.py: MMSeg's, with labels loaded by
# LoadCheckedAnnotations, GenerateBoundary and BoundaryIoUMetric) with a
# smaller root, image size and loader.
_base_ = ['./pascal_context_480x480.py']

data_root = 'data/synthetic/VOCdevkit/VOC2010'
crop_size = (128, 128)
# The parent's pipelines (label check, GenerateBoundary on the full label
# right after it) at this size.
train_pipeline = [
    *_base_.train_pipeline[:3],  # image, checked label, GenerateBoundary
    dict(
        type='RandomResize',
        scale=(512, 128),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    *_base_.train_pipeline[5:],  # flip, photometric distortion, packing
]
test_pipeline = [
    dict(t, scale=(512, 128)) if t['type'] == 'Resize' else t
    for t in _base_.test_pipeline
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
