# CPU demo with CBL: the tiny DenseASPP demo with its decode head switched to
# CBLDenseASPPHead (Conditional Boundary Loss on the fusion_conv output).
# Baseline:
#   ../denseaspp/denseaspp_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py
# (the same model, schedule and data; the train pipeline already has
# GenerateBoundary(dilation=0.02), right after LoadAnnotations).
_base_ = [
    '../denseaspp/'
    'denseaspp_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py'
]

model = dict(decode_head=dict(type='CBLDenseASPPHead'))
