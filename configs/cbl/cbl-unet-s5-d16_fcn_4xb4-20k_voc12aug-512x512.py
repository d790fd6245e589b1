# CBL U-Net (S5-D16) with an FCN head, Pascal VOC 2012 + SBD (aug) 512x512,
# 4 GPUs x 4, 20k iters.
# Baseline: ../unet/unet-s5-d16_fcn_4xb4-20k_voc12aug-512x512.py (no MMSeg
# counterpart; its header explains the schedule and the slide test).
# Difference: decode head FCNHead -> CBLFCNHead (on the full-resolution last
# decoder stage); the auxiliary FCNHead is unchanged.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = ['../unet/unet-s5-d16_fcn_4xb4-20k_voc12aug-512x512.py']

model = dict(decode_head=dict(type='CBLFCNHead'))
