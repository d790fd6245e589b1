# CPU demo baseline: OCRNet on a tiny HRNet (channels 16-128, one block per
# branch), trained from scratch on the embedded synthetic street scenes. BN
# instead of SyncBN so it also runs without a launcher. `make demo` trains its
# CBL version (configs/cbl/cbl-ocrnet_hr-tiny_1xb4-800_...); 800 iterations
# keep the demo within 10 minutes on 2 CPU cores.
_base_ = [
    'mmseg::_base_/models/ocrnet_hr18.py',
    '../_base_/synthetic-cityscapes_1xb4-800.py',
]

crop_size = (128, 256)
norm_cfg = dict(type='BN', requires_grad=True)
hr_channels = (16, 32, 64, 128)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        norm_cfg=norm_cfg,
        extra=dict(
            stage1=dict(num_blocks=(1, ), num_channels=(32, )),
            stage2=dict(num_blocks=(1, 1), num_channels=hr_channels[:2]),
            stage3=dict(
                num_modules=1,
                num_blocks=(1, 1, 1),
                num_channels=hr_channels[:3]),
            stage4=dict(
                num_modules=1,
                num_blocks=(1, 1, 1, 1),
                num_channels=hr_channels))),
    # mmengine replaces lists instead of merging them: the base's two heads
    # (FCN auxiliary, OCR) on the tiny branches.
    decode_head=[
        dict(
            _base_.model.decode_head[0],
            in_channels=list(hr_channels),
            channels=sum(hr_channels),
            norm_cfg=norm_cfg),
        dict(
            _base_.model.decode_head[1],
            in_channels=list(hr_channels),
            channels=64,
            ocr_channels=32,
            norm_cfg=norm_cfg),
    ])
