# CBL OCRNet, HRNet-W48, Cityscapes 512x1024, 4 GPUs x 2, 80k iters, AMP fp16
# with dynamic loss scaling and SyncBN: the setting of the CBL reference
# (erocrnet_hr48_512x1024_80k_cityscapes_fp16; its README reports 81.95 mIoU
# vs 80.70 for MMSeg's OCRNet-W48).
# Baseline: mmseg::ocrnet/ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py (fp32;
# MMSeg has no AMP OCRNet config); differences: OCR head -> CBLOCRHead,
# GenerateBoundary in the train pipeline, AmpOptimWrapper. The CBL loss runs
# in fp32 under autocast. AmpOptimWrapper needs a GPU.
_base_ = './cbl-ocrnet_hr48_4xb2-80k_cityscapes-512x1024.py'
optim_wrapper = dict(type='AmpOptimWrapper', loss_scale='dynamic')
