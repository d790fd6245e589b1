# CPU demo with CBL: the tiny-HRNet OCRNet demo with its OCR head switched to
# CBLOCRHead (Conditional Boundary Loss on the OCR bottleneck features).
# Baseline:
#   ../ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py
# (the same model, schedule and data; the train pipeline already has
# GenerateBoundary(dilation=0.02), right after LoadAnnotations).
_base_ = ['../ocrnet/ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py']

model = dict(
    # mmengine replaces lists instead of merging them: the base's two heads,
    # the OCR one switched to CBL.
    decode_head=[
        _base_.model.decode_head[0],
        dict(
            _base_.model.decode_head[1],
            type='CBLOCRHead',
            cbl_loss=dict(type='ConditionalBoundaryLoss')),
    ])
