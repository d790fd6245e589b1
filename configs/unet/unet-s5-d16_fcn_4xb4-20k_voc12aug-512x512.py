# U-Net (5 stages, output stride 16 in the encoder) with an FCN head,
# Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4, 20k iters.
# MMSeg has no U-Net VOC config. This is MMSeg's U-Net model
# (mmseg::_base_/models/fcn_unet_s5-d16.py, trained from scratch as there)
# with the 20k VOC aug schedule of MMSeg's VOC configs, 21 classes on both
# heads, and our dataset config (BoundaryIoUMetric, GenerateBoundary).
# Test: slide 512x512 windows, stride 341 (MMSeg's U-Net ratio 256/170).
# VOC's test Resize makes the short side 512 and the long side e.g. 683,
# which fails UNet's divisible-by-16 assertion in 'whole' mode, while every
# 512x512 window passes and matches the training crop. Test-time
# augmentation (--tta) rescales by 0.5-1.75 and can give sides that are not
# multiples of 16, which this model does not support.
_base_ = [
    'mmseg::_base_/models/fcn_unet_s5-d16.py',
    '../_base_/datasets/pascal_voc12_aug_512x512.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(341, 341)))
