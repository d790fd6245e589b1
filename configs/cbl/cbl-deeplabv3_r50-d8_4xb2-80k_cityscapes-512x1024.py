# CBL DeepLabV3, ResNet-50-D8, Cityscapes 512x1024, 4 GPUs x 2, 80k iters.
# Baseline: ../deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py
# (MMSeg's mmseg::deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py
# with our dataset config: GenerateBoundary right after LoadAnnotations,
# BoundaryIoUMetric).
# Difference: decode head ASPPHead -> CBLASPPHead.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = ['../deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py']

model = dict(decode_head=dict(type='CBLASPPHead'))
