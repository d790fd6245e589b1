# CBL U-Net (S5-D16) with an FCN head, Cityscapes 512x1024, 4 GPUs x 4,
# 160k iters.
# Baseline: ../unet/unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py
# (MMSeg's mmseg::unet/unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py with
# our dataset config: GenerateBoundary right after LoadAnnotations,
# BoundaryIoUMetric).
# Difference: decode head FCNHead -> CBLFCNHead (on the full-resolution last
# decoder stage); the auxiliary FCNHead is unchanged.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = ['../unet/unet-s5-d16_fcn_4xb4-160k_cityscapes-512x1024.py']

model = dict(decode_head=dict(type='CBLFCNHead'))
