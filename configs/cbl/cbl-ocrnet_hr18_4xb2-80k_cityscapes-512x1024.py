# CBL OCRNet, HRNet-W18, Cityscapes 512x1024, 4 GPUs x 2, 80k iters.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py
# Differences: OCR head OCRHead -> CBLOCRHead (CBL on the OCR bottleneck
# features, as in the CBL reference), GenerateBoundary in the train pipeline.
# MMSeg's leaf config cannot be a base next to our dataset config (both
# inherit mmseg::_base_/datasets/..., and mmengine refuses a key defined by two
# bases), so this composes the same MMSeg bases as that leaf, with our dataset
# config (GenerateBoundary on the full label, right after LoadAnnotations)
# for MMSeg's.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = [
    'mmseg::_base_/models/ocrnet_hr18.py',
    '../_base_/datasets/cityscapes_512x1024.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    # mmengine replaces lists instead of merging them: the base's two heads,
    # the OCR one switched to CBL.
    decode_head=[
        _base_.model.decode_head[0],
        dict(
            _base_.model.decode_head[1],
            type='CBLOCRHead',
            cbl_loss=dict(
                type='ConditionalBoundaryLoss',
                loss_weight_context=1.0,
                loss_weight_nce=0.2,
                loss_weight_cn=2.0)),
    ])
