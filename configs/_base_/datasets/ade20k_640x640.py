# ADE20K 640x640 (MMSeg's mmseg::_base_/datasets/ade20k_640x640.py; the CBL
# paper's Mask2Former and MaskFormer Swin-B setup) with boundary ground truth
# for CBL: our ADE20K config (./ade20k_512x512.py: label 0 ("other objects")
# becomes 255 and is ignore for the loss, the boundaries and the metric;
# labels loaded by LoadCheckedAnnotations, GenerateBoundary right after it on
# the full-resolution label; BoundaryIoUMetric) at MMSeg's 640 sizes.
_base_ = ['./ade20k_512x512.py']

crop_size = (640, 640)
train_pipeline = [
    *_base_.train_pipeline[:3],  # image, checked label, GenerateBoundary
    dict(
        type='RandomResize',
        scale=(2560, 640),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    *_base_.train_pipeline[5:],  # flip, photometric distortion, packing
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
test_pipeline = [
    dict(t, scale=(2560, 640)) if t['type'] == 'Resize' else t
    for t in _base_.test_pipeline
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
