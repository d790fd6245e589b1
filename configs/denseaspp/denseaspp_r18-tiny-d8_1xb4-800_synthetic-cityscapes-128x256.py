# CPU demo baseline: DenseASPP on a tiny dilated ResNetV1c-18 (stem and base
# channels 16, so stages of 16-128 channels; output stride 8) with small
# DenseASPP widths, trained from scratch on the embedded synthetic street
# scenes. BN instead of SyncBN so it also runs without a launcher; optimizer,
# schedule and hooks of the tiny OCRNet demo
# (../_base_/synthetic-cityscapes_1xb4-800.py, as the tiny OCRNet demo).
# Its CBL version: ../cbl/cbl-denseaspp_r18-tiny-d8_1xb4-800_...
_base_ = [
    '../_base_/models/denseaspp_r50-d8.py',
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
        # the paper's DenseNet-161 widths (512 / 128 on 1104 channels)
        # scaled to the 128 input channels
        bottleneck_channels=64,
        growth_channels=16,
        # fusion_conv: 128 + 5 * 16 = 208 -> 64 channels for cls_seg
        channels=64,
        norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=64, channels=32, norm_cfg=norm_cfg))
