# CBL CPU model with CBL: the tiny-ResNet-18 MaskFormer (64 channels, 20
# queries) trained from scratch on the synthetic street scenes.
# Baseline (in maskformer/):
#   maskformer_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py
# Differences: decode head MaskFormerHead -> CBLMaskFormerHead, with the CBL as
# the authors compute it for mask classification (docs/cbl.md): context 2.0,
# NCE 0.4, CN 4.0 (their SetCriterion's weights), 5x5 window (their hard-coded
# kernel), on the pixel decoder's mask features and the last decoder layer's
# outputs. The boundary ground truth (GenerateBoundary, dilation 0.02, on the
# full label) is already in the baseline's pipeline.
_base_ = [
    '../maskformer/'
    'maskformer_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py'
]

model = dict(
    decode_head=dict(
        type='CBLMaskFormerHead',
        cbl_loss=dict(
            type='MaskConditionalBoundaryLoss',
            loss_weight_context=2.0,
            loss_weight_nce=0.4,
            loss_weight_cn=4.0,
            kernel_size=5)))
