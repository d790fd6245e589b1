# CBL DeepLabV3, ResNet-50-D8, Pascal VOC 2012 + SBD (aug) 512x512,
# 4 GPUs x 4, 20k iters.
# Baseline: ../deeplabv3/deeplabv3_r50-d8_4xb4-20k_voc12aug-512x512.py
# (MMSeg's mmseg::deeplabv3/deeplabv3_r50-d8_4xb4-20k_voc12aug-512x512.py
# with our dataset config: GenerateBoundary right after LoadAnnotations,
# PadSegFields for Pad, BoundaryIoUMetric).
# Difference: decode head ASPPHead -> CBLASPPHead.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = ['../deeplabv3/deeplabv3_r50-d8_4xb4-20k_voc12aug-512x512.py']

model = dict(decode_head=dict(type='CBLASPPHead'))
