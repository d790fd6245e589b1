# DenseASPP, ResNet-50-D8, Cityscapes 512x1024, 4 GPUs x 2, 80k iters: the
# bases and settings of MMSeg's
# deeplabv3/deeplabv3_r50-d8_4xb2-80k_cityscapes-512x1024.py with the DenseASPP
# model base for the DeepLabV3 one and our Cityscapes config (GenerateBoundary
# right after LoadAnnotations, unused by this head; BoundaryIoUMetric).
_base_ = [
    '../_base_/models/denseaspp_r50-d8.py',
    '../_base_/datasets/cityscapes_512x1024.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(data_preprocessor=data_preprocessor)
