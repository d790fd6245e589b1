# CBL OCRNet, HRNet-W48, Pascal VOC 2012 + SBD (aug) 512x512, 4 GPUs x 4,
# 20k iters.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr48_4xb4-20k_voc12aug-512x512.py
# Differences: OCR head OCRHead -> CBLOCRHead, GenerateBoundary in the train
# pipeline. Same deltas over W18 as MMSeg's W48 config.
_base_ = './cbl-ocrnet_hr18_4xb4-20k_voc12aug-512x512.py'
model = dict(
    pretrained='open-mmlab://msra/hrnetv2_w48',
    backbone=dict(
        extra=dict(
            stage2=dict(num_channels=(48, 96)),
            stage3=dict(num_channels=(48, 96, 192)),
            stage4=dict(num_channels=(48, 96, 192, 384)))),
    # mmengine replaces lists instead of merging them: the W18 CBL heads with
    # W48's channels.
    decode_head=[
        dict(
            _base_.model.decode_head[0],
            in_channels=[48, 96, 192, 384],
            channels=sum([48, 96, 192, 384])),
        dict(_base_.model.decode_head[1], in_channels=[48, 96, 192, 384]),
    ])
