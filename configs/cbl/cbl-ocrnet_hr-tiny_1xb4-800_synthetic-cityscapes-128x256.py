# CPU demo with CBL: the tiny-HRNet OCRNet demo with its OCR head switched to
# CBLOCRHead (Conditional Boundary Loss on the OCR bottleneck features).
# Baseline:
#   ../ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py
# (the same model, schedule and data; the train pipeline already ends with
# GenerateBoundary(dilation=0.02)).
_base_ = ['../ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py']
custom_imports = dict(imports=['cblseg'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
hr_channels = (16, 32, 64, 128)
model = dict(
    # mmengine replaces lists instead of merging them: both heads in full.
    decode_head=[
        dict(
            type='FCNHead',
            in_channels=list(hr_channels),
            channels=sum(hr_channels),
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
            in_channels=list(hr_channels),
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            channels=64,
            ocr_channels=32,
            dropout_ratio=-1,
            num_classes=19,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
            cbl_loss=dict(type='ConditionalBoundaryLoss')),
    ])
