# Copyright (c) cblseg contributors. All rights reserved.
"""Multi-scale + flip testing with the mask-classification heads
(Mask2Former, MaskFormer): ``MaskAwareSegTTAModel`` merges their class
scores as their own test-time augmentation does (the mean, no softmax), one
augmentation gives plain testing's prediction, flips and scales give the
mean of the model's own predictions on flipped and resized images, other
models keep MMSeg's ``SegTTAModel``, and ``tools/test.py --tta`` runs on the
tiny configs."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmseg.registry import MODELS

import cblseg  # noqa: F401  (registers MaskAwareSegTTAModel)
from cblseg.models.segmentors import (MaskAwareSegTTAModel, average_score_maps,
                                      predicts_class_scores)
from helpers import DEMO_BASELINE_CONFIG, REPO_ROOT, run_tool
from helpers.configs import load_config

pytestmark = pytest.mark.usefixtures('one_torch_thread',
                                     'mmseg_scope_and_seed')

MASK_CONFIGS = {
    'mask2former':
    'configs/mask2former/'
    'mask2former_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py',
    'maskformer':
    'configs/maskformer/'
    'maskformer_r18-tiny_1xb4-800_synthetic-cityscapes-128x256.py',
}
DEEPLAB = ('configs/deeplabv3/'
           'deeplabv3_r18-tiny-d8_1xb4-800_synthetic-cityscapes-128x256.py')
# An odd size: Resize(scale=(256, 128)) makes it 128x230 and the Mask2Former
# config's test_cfg pads that to 128x256 (padding removed afterwards).
IMAGE_HW = (50, 90)
SCALES = ((256, 128), (192, 96))


def _model(config):
    cfg = load_config(osp.join(REPO_ROOT, config))
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def _image(seed=0):
    rng = np.random.default_rng(seed)
    # Smooth blobs rather than noise, so the predictions have structure.
    small = rng.integers(0, 256, (5, 9, 3)).astype(np.uint8)
    blobs = np.kron(small, np.ones((10, 10, 1), np.uint8))
    return np.ascontiguousarray(blobs[:IMAGE_HW[0], :IMAGE_HW[1]])


def _inputs(image):
    return dict(
        img=image,
        img_path='image.png',
        img_shape=image.shape[:2],
        ori_shape=image.shape[:2])


def _plain(model, image, scale):
    """The model's own test_step on one image resized as the test
    pipeline does."""
    pipeline = Compose([
        dict(type='Resize', scale=scale, keep_ratio=True),
        dict(type='PackSegInputs')
    ])
    with torch.no_grad():
        sample, = model.test_step(pseudo_collate([pipeline(_inputs(image))]))
    return sample


def _tta(tta_model, image, scales, flips):
    pipeline = Compose([
        dict(
            type='TestTimeAug',
            transforms=[
                [
                    dict(type='Resize', scale=scale, keep_ratio=True)
                    for scale in scales
                ],
                [
                    dict(type='RandomFlip', prob=prob, direction='horizontal')
                    for prob in flips
                ],
                [dict(type='PackSegInputs')],
            ])
    ])
    with torch.no_grad():
        sample, = tta_model.test_step(
            pseudo_collate([pipeline(_inputs(image))]))
    return sample


def _assert_same_prediction(sample, scores):
    """``sample`` holds ``scores`` and their argmax (except where the two
    best classes tie within rounding)."""
    torch.testing.assert_close(
        sample.seg_logits.data, scores, rtol=1e-5, atol=1e-6)
    pred = sample.pred_sem_seg.data
    assert pred.shape == (1, ) + IMAGE_HW
    top2 = scores.topk(2, dim=0).values
    clear = (top2[0] - top2[1]) > 1e-5
    assert clear.float().mean() > 0.9
    assert torch.equal(pred[0][clear], scores.argmax(0)[clear])


def test_average_score_maps():
    a, b = torch.rand(3, 4, 5), torch.rand(3, 4, 5)
    torch.testing.assert_close(average_score_maps([a, b]), (a + b) / 2)
    assert torch.equal(average_score_maps([a]), a)
    with pytest.raises(ValueError, match='at least one'):
        average_score_maps([])
    with pytest.raises(ValueError, match='differ in shape'):
        average_score_maps([a, torch.rand(3, 4, 6)])


@pytest.mark.parametrize('algo', sorted(MASK_CONFIGS))
def test_tta_matches_the_models_own_predictions(algo):
    model = _model(MASK_CONFIGS[algo])
    assert predicts_class_scores(model)
    tta = MODELS.build(dict(type='MaskAwareSegTTAModel', module=model))
    image = _image()
    flipped = np.ascontiguousarray(image[:, ::-1])

    # One augmentation: plain testing's prediction.
    plain = _plain(model, image, SCALES[0])
    single = _tta(tta, image, SCALES[:1], flips=(0., ))
    assert torch.equal(single.seg_logits.data, plain.seg_logits.data)
    assert torch.equal(single.pred_sem_seg.data, plain.pred_sem_seg.data)
    assert single.img_shape == plain.img_shape

    # Flip: the mean of the scores on the image and, flipped back, on the
    # flipped image.
    mirrored = _plain(model, flipped, SCALES[0]).seg_logits.data.flip(-1)
    expected = (plain.seg_logits.data + mirrored) / 2
    _assert_same_prediction(
        _tta(tta, image, SCALES[:1], flips=(0., 1.)), expected)

    # Two scales x flip: the mean of four plain predictions.
    maps = []
    for scale in SCALES:
        maps.append(_plain(model, image, scale).seg_logits.data)
        maps.append(_plain(model, flipped, scale).seg_logits.data.flip(-1))
    _assert_same_prediction(
        _tta(tta, image, SCALES, flips=(0., 1.)),
        torch.stack(maps).mean(0))


def test_other_models_keep_mmseg_merging():
    """A per-pixel model: MaskAwareSegTTAModel is MMSeg's SegTTAModel."""
    model = _model(DEEPLAB)
    assert not predicts_class_scores(model)
    ours = MaskAwareSegTTAModel(module=model)
    mmseg_tta = MODELS.build(dict(type='SegTTAModel', module=model))
    image = _image(1)
    a = _tta(ours, image, SCALES, flips=(0., 1.))
    b = _tta(mmseg_tta, image, SCALES, flips=(0., 1.))
    assert torch.equal(a.pred_sem_seg.data, b.pred_sem_seg.data)
    assert torch.equal(a.seg_logits.data, b.seg_logits.data)


def test_test_tool_switches_only_mmseg_default_for_mask_heads(tmp_path):
    """tools/test.py --tta: MMSeg's SegTTAModel becomes MaskAwareSegTTAModel
    for mask heads (a config inheriting MMSeg's Mask2Former config), and
    stays for per-pixel heads (the demo's OCRNet cascade); an explicit
    other choice is kept."""
    from cblseg.apis.test import _use_mask_aware_tta
    user_config = tmp_path / 'mask2former.py'
    user_config.write_text(
        "_base_ = ['mmseg::mask2former/"
        "mask2former_r50_8xb2-90k_cityscapes-512x1024.py']\n")
    mmseg_m2f = Config.fromfile(str(user_config))
    assert mmseg_m2f.tta_model.type == 'SegTTAModel'
    _use_mask_aware_tta(mmseg_m2f)
    assert mmseg_m2f.tta_model.type == 'MaskAwareSegTTAModel'

    demo = load_config(DEMO_BASELINE_CONFIG)
    _use_mask_aware_tta(demo)
    assert demo.tta_model.type == 'SegTTAModel'

    custom = load_config(osp.join(REPO_ROOT, MASK_CONFIGS['maskformer']))
    custom.tta_model.type = 'MyTTAModel'
    _use_mask_aware_tta(custom)
    assert custom.tta_model.type == 'MyTTAModel'


@pytest.mark.slow
@pytest.mark.parametrize('algo', sorted(MASK_CONFIGS))
def test_test_tool_tta(algo, synthetic_cityscapes_root, tmp_path):
    """tools/test.py --tta on a saved (randomly initialised) tiny model,
    with the config's tta_pipeline (6 scales x flip) and real PNGs. The
    MaskFormer run is given MMSeg's default tta_model: the tool switches it
    to MaskAwareSegTTAModel and says so."""
    config = MASK_CONFIGS[algo]
    ckpt = tmp_path / 'model.pth'
    torch.manual_seed(0)
    torch.save({'state_dict': _model(config).state_dict()}, ckpt)
    options = [
        f'test_dataloader.dataset.data_root={synthetic_cityscapes_root}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ]
    if algo == 'maskformer':
        options.append('tta_model.type=SegTTAModel')
    out_dir = tmp_path / 'pred'
    result = run_tool([
        sys.executable, 'tools/test.py', config,
        str(ckpt), '--tta', '--work-dir',
        str(tmp_path / 'work'), '--out',
        str(out_dir), '--cfg-options'
    ] + options)
    assert result.returncode == 0, result.stdout[-5000:]
    assert 'mIoU' in result.stdout
    switched = 'MaskAwareSegTTAModel averages them' in result.stdout
    assert switched == (algo == 'maskformer'), result.stdout[-3000:]
    assert len(sorted(out_dir.glob('*.png'))) == 4  # the 4 val images


@pytest.mark.slow
def test_compare_tta_merges(synthetic_cityscapes_root):
    """The figure of docs/tta.md: both merges on the same predictions. With
    one augmentation they cannot differ."""
    from cblseg.evaluation.tta_merge import compare_tta_merges
    cfg = load_config(osp.join(REPO_ROOT, MASK_CONFIGS['mask2former']))
    dataset = cfg.test_dataloader.dataset
    dataset.data_root = synthetic_cityscapes_root
    model = _model(MASK_CONFIGS['mask2former'])
    one = [
        dict(type='LoadImageFromFile'),
        dict(
            type='TestTimeAug',
            transforms=[[
                dict(type='Resize', scale=SCALES[1], keep_ratio=True)
            ], [dict(type='LoadAnnotations')], [dict(type='PackSegInputs')]])
    ]
    single = compare_tta_merges(model, dataset, one, max_images=2)
    assert single['images'] == 2 and single['augmentations'] == 1
    assert single['pixels'] == 2 * 64 * 128  # the original image size
    assert single['differing'] == 0
    assert single['acc_scores'] == single['acc_softmax']
    full = compare_tta_merges(model, dataset, cfg.tta_pipeline, max_images=1)
    assert full['augmentations'] == 12
    assert 0 <= full['differing'] <= full['pixels'] == 64 * 128
