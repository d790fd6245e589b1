# CBL PSPNet, ResNet-50-D8, Cityscapes 512x1024, 4 GPUs x 2, 80k iters.
# Baseline (MMSeg):
#   mmseg::pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py
# Differences: decode head PSPHead -> CBLPSPHead, GenerateBoundary in the
# train pipeline.
# MMSeg's leaf config cannot be a base next to our dataset config (both
# inherit mmseg::_base_/datasets/..., and mmengine refuses a key defined by two
# bases), so this composes the same MMSeg bases as that leaf, with our dataset
# config (GenerateBoundary on the full label, right after LoadAnnotations)
# for MMSeg's.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = [
    'mmseg::_base_/models/pspnet_r50-d8.py',
    '../_base_/datasets/cityscapes_512x1024.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor, decode_head=dict(type='CBLPSPHead'))
