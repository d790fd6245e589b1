# CPU demo baseline: DeepLabV3 on a tiny dilated ResNetV1c-18 (channels
# 16-128, output stride 8), trained from scratch on the embedded synthetic
# street scenes. BN instead of SyncBN so it also runs without a launcher.
# Schedule, optimizer and hooks are those of the OCRNet demo
# (../_base_/synthetic-cityscapes_1xb4-800.py, as the tiny OCRNet demo).
# CBL version: ../cbl/cbl-deeplabv3_r18-tiny-d8_1xb4-800_...
_base_ = [
    'mmseg::_base_/models/deeplabv3_r50-d8.py',
    '../_base_/synthetic-cityscapes_1xb4-800.py',
]

crop_size = (128, 256)
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        depth=18, stem_channels=16, base_channels=16, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=128,
        channels=64,
        # MMSeg's rates (1, 12, 24, 36) are for 64x128 features (512x1024 at
        # stride 8); these 16x32 features get them scaled by 1/4, so the
        # atrous branches still sample inside the feature map.
        dilations=(1, 3, 6, 9),
        norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=64, channels=32, norm_cfg=norm_cfg))
