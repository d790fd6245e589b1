# CPU demo with CBL: the tiny U-Net demo with its decode head switched to
# CBLFCNHead; the auxiliary FCNHead is unchanged.
# Baseline:
#   ../unet/unet-tiny-s5-d16_fcn_1xb4-800_synthetic-cityscapes-128x256.py
# (the same model, schedule and data; the train pipeline already has
# GenerateBoundary(dilation=0.02), right after LoadAnnotations).
_base_ = [
    '../unet/unet-tiny-s5-d16_fcn_1xb4-800_synthetic-cityscapes-128x256.py'
]

model = dict(decode_head=dict(type='CBLFCNHead'))
