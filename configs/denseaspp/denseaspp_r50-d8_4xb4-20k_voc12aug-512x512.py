# DenseASPP, ResNet-50-D8, Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4,
# 20k iters: the bases and settings of MMSeg's
# deeplabv3/deeplabv3_r50-d8_4xb4-20k_voc12aug-512x512.py with the DenseASPP
# model base for the DeepLabV3 one and our VOC aug config (GenerateBoundary
# right after LoadAnnotations, unused by this head; BoundaryIoUMetric).
_base_ = [
    '../_base_/models/denseaspp_r50-d8.py',
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
