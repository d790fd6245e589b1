# CBL OCRNet, HRNet-W48, Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4,
# 40k iters: the 20k config with MMSeg's 40k schedule.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr48_4xb4-40k_voc12aug-512x512.py
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = ['./cbl-ocrnet_hr48_4xb4-20k_voc12aug-512x512.py']

# What mmseg::_base_/schedules/schedule_40k.py changes over the 20k schedule
# (a second schedule base cannot redefine the keys the 20k one set).
param_scheduler = [dict(_base_.param_scheduler[0], end=40000)]
train_cfg = dict(max_iters=40000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
