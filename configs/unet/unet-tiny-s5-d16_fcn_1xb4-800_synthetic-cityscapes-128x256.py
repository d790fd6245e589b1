# CPU demo baseline: U-Net (5 stages, channels 16-256) with an FCN head,
# trained from scratch on the embedded synthetic street scenes. BN instead of
# SyncBN so it also runs without a launcher. One conv per encoder/decoder
# block instead of MMSeg's two: a U-Net spends most of its step at full and
# half resolution, and this keeps a CPU step about as long as the OCRNet
# demo's. Inputs must be multiples of 16 (four 2x downsamplings, asserted by
# UNet): 128x256 crops and test images are. Schedule, optimizer and hooks are
# those of the OCRNet demo
# (../_base_/synthetic-cityscapes_1xb4-800.py, as the tiny OCRNet demo).
# CBL version: ../cbl/cbl-unet-tiny-s5-d16_fcn_1xb4-800_...
_base_ = [
    'mmseg::_base_/models/fcn_unet_s5-d16.py',
    '../_base_/synthetic-cityscapes_1xb4-800.py',
]

crop_size = (128, 256)
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(
        base_channels=16,
        enc_num_convs=(1, 1, 1, 1, 1),
        dec_num_convs=(1, 1, 1, 1),
        norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=16, channels=16, num_classes=19, norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=32, channels=16, num_classes=19, norm_cfg=norm_cfg),
    # 128x256 test images are one window; as in MMSeg's Cityscapes U-Net.
    test_cfg=dict(mode='whole'))
