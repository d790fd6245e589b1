# U-Net (5 stages, output stride 16 in the encoder) with an FCN head,
# Cityscapes 512x1024, 4 GPUs x 4, 160k iters.
# Mirrors mmseg::unet/unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py
# with our dataset config, so the baseline is evaluated with the same
# BoundaryIoUMetric as its CBL version
# (../cbl/cbl-unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py).
# MMSeg's leaf config cannot be a base next to our dataset config (both
# inherit mmseg::_base_/datasets/..., and mmengine refuses a key defined by two
# bases), so this composes the same MMSeg bases as that leaf.
_base_ = [
    'mmseg::_base_/models/fcn_unet_s5-d16.py',
    '../_base_/datasets/cityscapes_512x1024.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_160k.py',
]

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=19),
    auxiliary_head=dict(num_classes=19),
    train_cfg=dict(),
    # Whole 1024x2048 test images: both sides divisible by the encoder's
    # downsample rate 16, which UNet asserts.
    test_cfg=dict(mode='whole'))
train_dataloader = dict(batch_size=4, num_workers=4)
val_dataloader = dict(batch_size=1, num_workers=4)
test_dataloader = val_dataloader
