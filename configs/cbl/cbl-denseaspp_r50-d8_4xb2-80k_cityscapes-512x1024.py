# CBL DenseASPP, ResNet-50-D8, Cityscapes 512x1024, 4 GPUs x 2, 80k iters.
# Baseline:
#   ../denseaspp/denseaspp_r50-d8_4xb2-80k_cityscapes-512x1024.py
# Differences: decode head DenseASPPHead -> CBLDenseASPPHead (Conditional
# Boundary Loss on the fusion_conv output); the same model, schedule and data
# (the train pipeline already has GenerateBoundary(dilation=0.02), right
# after LoadAnnotations).
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = ['../denseaspp/denseaspp_r50-d8_4xb2-80k_cityscapes-512x1024.py']

model = dict(decode_head=dict(type='CBLDenseASPPHead'))
