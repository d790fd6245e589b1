# CBL OCRNet, HRNet-W48, Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4,
# 40k iters.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr48_4xb4-40k_voc12aug-512x512.py
# Differences: OCR head OCRHead -> CBLOCRHead, GenerateBoundary in the train
# pipeline. Same deltas over W18 as MMSeg's W48 config.
_base_ = './cbl-ocrnet_hr18_4xb4-40k_voc12aug-512x512.py'
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    pretrained='open-mmlab://msra/hrnetv2_w48',
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384)))),
    # mmengine replaces lists instead of merging them: both heads in full.
    decode_head=[
        dict(
            type='FCNHead',
            in_channels=[48, 96, 192, 384],
            channels=sum([48, 96, 192, 384]),
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            kernel_size=1,
            num_convs=1,
            concat_input=False,
            dropout_ratio=-1,
            num_classes=21,
            norm_cfg=norm_cfg,
            align_corners=False,
            loss_decode=dict(
                type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
        dict(
            type='CBLOCRHead',
            in_channels=[48, 96, 192, 384],
            in_index=(0, 1, 2, 3),
            input_transform='resize_concat',
            channels=512,
            ocr_channels=256,
            dropout_ratio=-1,
            num_classes=21,
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
