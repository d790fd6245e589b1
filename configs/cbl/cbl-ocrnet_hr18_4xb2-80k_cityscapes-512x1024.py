# CBL OCRNet, HRNet-W18, Cityscapes 512x1024, 4 GPUs x 2, 80k iters.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py
# Differences: OCR head OCRHead -> CBLOCRHead (CBL on the OCR bottleneck
# features, as in the CBL reference), GenerateBoundary in the train pipeline.
# MMSeg's leaf config cannot be a base next to our dataset config (both
# inherit mmseg::_base_/datasets/..., and mmengine refuses a key defined by two
# bases), so this composes the same MMSeg bases as that leaf, with our dataset
# config (GenerateBoundary last in the train pipeline) for MMSeg's.
# tests/test_cbl_heads.py checks it equals the baseline up to the CBL changes.
_base_ = [
    'mmseg::_base_/models/ocrnet_hr18.py',
    '../_base_/datasets/cityscapes_512x1024.py',
    'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py',
]
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    data_preprocessor=data_preprocessor,
    # mmengine replaces lists instead of merging them: both heads in full.
    decode_head=[
        dict(
            type='FCNHead',
            in_channels=[18, 36, 72, 144],
            channels=sum([18, 36, 72, 144]),
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            kernel_size=1,
            num_convs=1,
            concat_input=False,
            dropout_ratio=-1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
        dict(
            type='CBLOCRHead',
            in_channels=[18, 36, 72, 144],
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            channels=512,
            ocr_channels=256,
            dropout_ratio=-1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            cbl_loss=dict(
                type='ConditionalBoundaryLoss',
                loss_weight_context=1.0,
                loss_weight_nce=0.2,
                loss_weight_cn=2.0)),
    ])
