# CBL OCRNet, HRNet-W18, Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4,
# 20k iters.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr18_4xb4-20k_voc12aug-512x512.py
# Differences: OCR head OCRHead -> CBLOCRHead, GenerateBoundary in the train
# pipeline (after Pad, so the padding is ignore in gt_edge_map too).
# MMSeg's leaf config cannot be a base next to our dataset config (both
# inherit mmseg::_base_/datasets/..., and mmengine refuses a key defined by two
# bases), so this composes the same MMSeg bases as that leaf, with our dataset
# config (GenerateBoundary on the full label, right after LoadAnnotations)
# for MMSeg's.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = [
    'mmseg::_base_/models/ocrnet_hr18.py',
    '../_base_/datasets/pascal_voc12_aug_512x512.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_20k.py',
]

crop_size = (512, 512)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    # mmengine replaces lists instead of merging them: the base's two heads,
    # the OCR one switched to CBL.
    decode_head=[
        dict(_base_.model.decode_head[0], num_classes=21),
        dict(
            _base_.model.decode_head[1],
            type='CBLOCRHead',
            num_classes=21,
            cbl_loss=dict(
                type='ConditionalBoundaryLoss',
                loss_weight_context=1.0,
                loss_weight_nce=0.2,
                loss_weight_cn=2.0)),
    ])
