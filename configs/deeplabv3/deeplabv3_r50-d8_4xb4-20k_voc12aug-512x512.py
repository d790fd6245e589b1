# DeepLabV3, ResNet-50-D8, Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4,
# 20k iters.
# Mirrors mmseg::deeplabv3/deeplabv3_r50-d8_4xb4-20k_voc12aug-512x512.py
# with our dataset config, so the baseline is evaluated with the same
# BoundaryIoUMetric as its CBL version
# (../cbl/cbl-deeplabv3_r50-d8_4xb4-20k_voc12aug-512x512.py).
# MMSeg's leaf config cannot be a base next to our dataset config (both
# inherit mmseg::_base_/datasets/..., and mmengine refuses a key defined by two
# bases), so this composes the same MMSeg bases as that leaf.
_base_ = [
    'mmseg::_base_/models/deeplabv3_r50-d8.py',
    '../_base_/datasets/pascal_voc12_aug_512x512.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    decode_head=dict(num_classes=21),
    auxiliary_head=dict(num_classes=21))
