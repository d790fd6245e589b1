# CBL OCRNet, HRNet-W48, Cityscapes 512x1024, 4 GPUs x 2, 80k iters, fp32.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py
# Differences: OCR head OCRHead -> CBLOCRHead, GenerateBoundary in the train
# pipeline. Same deltas over W18 as MMSeg's W48 config (ImageNet HRNet-W48
# weights via init_cfg, loaded at init_weights(), not at build). The CBL
# reference trained with fp16:
#   cbl-ocrnet_hr48_4xb2-amp-80k_cityscapes-512x1024.py
_base_ = './cbl-ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py'
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
