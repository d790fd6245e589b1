# CBL OCRNet, HRNet-W18-Small, Cityscapes 512x1024, 4 GPUs x 2, 80k iters.
# Baseline (MMSeg):
#   mmseg::ocrnet/ocrnet_hr18s_4xb2-80k_cityscapes-512x1024.py
# Differences: OCR head OCRHead -> CBLOCRHead, GenerateBoundary in the train
# pipeline. Same deltas over W18 as MMSeg's W18-Small config.
_base_ = './cbl-ocrnet_hr18_4xb2-80k_cityscapes-512x1024.py'
model = dict(
    pretrained='open-mmlab://msra/hrnetv2_w18_small',
    backbone=dict(
        extra=dict(
            stage1=dict(num_blocks=(2, )),
            stage2=dict(num_blocks=(2, 2)),
            stage3=dict(num_modules=3, num_blocks=(2, 2, 2)),
            stage4=dict(num_modules=2, num_blocks=(2, 2, 2, 2)))))
