# CPU demo with CBL: the tiny-ResNet-18 DeepLabV3 demo with its decode head
# switched to CBLASPPHead.
# Baseline:
#   ../deeplabv3/deeplabv3_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py
# (the same model, schedule and data; the train pipeline already has
# GenerateBoundary(dilation=0.02), right after LoadAnnotations).
_base_ = [
    '../deeplabv3/'
    'deeplabv3_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py'
]

model = dict(decode_head=dict(type='CBLASPPHead'))
