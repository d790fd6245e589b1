"""LoadCheckedAnnotations and the label-value check: real PNG files, edge
cases, and the class count of a config against its dataset."""
import copy
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import TRANSFORMS
from PIL import Image

from cblseg.datasets import (LoadCheckedAnnotations, bad_label_values,
                             check_label_loaders, describe_bad_values,
                             label_loader_problems)
from helpers import REPO_ROOT


@pytest.fixture(autouse=True)
def mmseg_scope():
    init_default_scope('mmseg')


def write_png(path, label):
    cv2.imwrite(str(path), label)  # uint8 or uint16, one channel
    return str(path)


def info(path, reduce_zero_label=False, label_map=None):
    """What BaseSegDataset.get_data_info gives the pipeline."""
    return dict(
        seg_map_path=path,
        reduce_zero_label=reduce_zero_label,
        label_map=label_map,
        seg_fields=[])


def street(height=6, width=7):
    label = np.arange(height * width, dtype=np.uint8).reshape(height, width)
    label %= 19
    label[0, 0] = 255
    return label


# --------------------------------------------------------------------------
# bad_label_values / describe_bad_values
# --------------------------------------------------------------------------
@pytest.mark.parametrize('dtype', [np.uint8, np.int32, np.int64, np.uint16])
def test_bad_values_and_counts_for_each_integer_dtype(dtype):
    label = street().astype(dtype)
    assert bad_label_values(label, 19) == {}
    label[1, :3] = 40
    label[2, 0] = 19
    assert bad_label_values(label, 19) == {19: 1, 40: 3}
    # the ignore index is allowed, other values from K on are not
    assert bad_label_values(label, 19, ignore_index=40) == {19: 1, 255: 1}


def test_bad_values_edge_cases():
    assert bad_label_values(np.zeros((0, 5), np.uint8), 19) == {}
    assert bad_label_values(np.zeros((0, ), np.int64), 19) == {}
    assert bad_label_values(np.full((4, 4), 255, np.uint8), 19) == {}
    assert bad_label_values(np.array([[19]], np.uint8), 19) == {19: 1}
    assert bad_label_values(np.array([[0]], np.uint8), 1) == {}
    assert bad_label_values(np.array([-1, 3, 300], np.int16), 4) == {
        -1: 1,
        300: 1
    }
    # uint8 labels with an ignore index outside uint8, K above 255
    assert bad_label_values(np.array([255], np.uint8), 19, -1) == {255: 1}
    assert bad_label_values(np.array([255, 3], np.uint8), 300) == {}
    with pytest.raises(TypeError, match='float'):
        bad_label_values(np.zeros((2, 2), np.float32), 19)
    with pytest.raises(TypeError, match='bool'):
        bad_label_values(np.zeros((2, 2), bool), 19)


def test_describe_bad_values():
    assert describe_bad_values({}) == ''
    assert describe_bad_values({40: 12, 41: 1}) == \
        '40 (12 pixels), 41 (1 pixel)'
    many = describe_bad_values({v: 1 for v in range(20, 35)})
    assert many.endswith('and 5 more values') and '29 (1 pixel)' in many


# --------------------------------------------------------------------------
# The transform on real files
# --------------------------------------------------------------------------
def test_valid_labels_load_as_mmseg_loads_them(tmp_path):
    label = street()
    label[3, 3] = 0
    path = write_png(tmp_path / 'a.png', label)
    for kwargs in (dict(), dict(reduce_zero_label=True),
                   dict(label_map={
                       3: 7,
                       7: 3,
                       5: 255
                   })):
        ours = TRANSFORMS.build(
            dict(type='LoadCheckedAnnotations', num_classes=19))
        mmseg = TRANSFORMS.build(dict(type='LoadAnnotations'))
        a = ours(info(path, **kwargs))
        b = mmseg(info(path, **kwargs))
        assert a['gt_seg_map'].dtype == np.uint8
        np.testing.assert_array_equal(a['gt_seg_map'], b['gt_seg_map'])
        assert a['seg_fields'] == b['seg_fields'] == ['gt_seg_map']
    assert isinstance(ours, LoadCheckedAnnotations)


def test_value_outside_the_classes_names_file_values_counts(tmp_path):
    label = street()
    label[2, 1:4] = 40
    label[5, 6] = 41
    path = write_png(tmp_path / 'frankfurt_000000_gtFine_labelTrainIds.png',
                     label)
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations(num_classes=19)(info(path))
    message = str(err.value)
    assert path in message
    assert '40 (3 pixels), 41 (1 pixel)' in message
    assert '19 classes [0, 18]' in message and 'ignore index 255' in message
    assert 'tools/check_dataset.py' in message


def test_one_pixel_and_ignore_only_labels(tmp_path):
    one = write_png(tmp_path / 'one.png', np.array([[19]], np.uint8))
    with pytest.raises(ValueError, match=r'19 \(1 pixel\)'):
        LoadCheckedAnnotations(num_classes=19)(info(one))
    ok = write_png(tmp_path / 'ok.png', np.array([[18]], np.uint8))
    assert LoadCheckedAnnotations(num_classes=19)(
        info(ok))['gt_seg_map'].shape == (1, 1)
    ignore = write_png(tmp_path / 'ignore.png', np.full((5, 9), 255, np.uint8))
    results = LoadCheckedAnnotations(num_classes=19)(info(ignore))
    assert (results['gt_seg_map'] == 255).all()
    # another ignore index: 255 is then a bad value
    with pytest.raises(ValueError, match=r'255 \(45 pixels\)'):
        LoadCheckedAnnotations(num_classes=19, ignore_index=0)(info(ignore))


@pytest.mark.filterwarnings('ignore:`reduce_zero_label` will be deprecated')
def test_reduce_zero_label_is_applied_before_the_check(tmp_path):
    # ADE20K-style: 0 is "other" (-> ignore), 1..150 are the classes
    label = np.array([[0, 1, 150], [150, 0, 2]], np.uint8)
    path = write_png(tmp_path / 'ade.png', label)
    loader = LoadCheckedAnnotations(num_classes=150)
    results = loader(info(path, reduce_zero_label=True))
    np.testing.assert_array_equal(results['gt_seg_map'],
                                  [[255, 0, 149], [149, 255, 1]])
    bad = write_png(tmp_path / 'bad.png', np.array([[151, 1]], np.uint8))
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations(num_classes=150)(
            info(bad, reduce_zero_label=True))
    assert '150 (1 pixel)' in str(err.value)
    assert 'after reduce_zero_label' in str(err.value)
    with pytest.raises(
            ValueError,
            match=r'reduce_zero_label=True\) but the '
            'dataset has reduce_zero_label=False'):
        LoadCheckedAnnotations(
            num_classes=150, reduce_zero_label=True)(
                info(path))


def test_sixteen_bit_labels(tmp_path):
    label = street().astype(np.uint16)
    path = write_png(tmp_path / 'ok16.png', label)
    results = LoadCheckedAnnotations(num_classes=19)(info(path))
    assert results['gt_seg_map'].dtype == np.uint8
    np.testing.assert_array_equal(results['gt_seg_map'], label)
    # MMSeg's cast alone would make 300 class 44
    label[1, 1] = 300
    wide = write_png(tmp_path / 'wide16.png', label)
    with pytest.raises(ValueError) as err:
        LoadCheckedAnnotations(num_classes=19)(info(wide))
    assert wide in str(err.value) and '300 (1 pixel)' in str(err.value)


def test_undecodable_files_are_named(tmp_path):
    label = np.random.default_rng(0).integers(0, 19, (200, 300), np.uint8)
    good = write_png(tmp_path / 'good.png', label)
    data = open(good, 'rb').read()
    truncated = tmp_path / 'truncated.png'
    truncated.write_bytes(data[:len(data) // 2])
    not_png = tmp_path / 'notes.png'
    not_png.write_text('not an image')
    for path, cause in ((str(truncated), 'truncated'), (str(not_png),
                                                        'identify'),
                        (str(tmp_path / 'missing.png'), 'No such file')):
        with pytest.raises(OSError) as err:
            LoadCheckedAnnotations(num_classes=19)(info(path))
        assert path in str(err.value) and cause in str(err.value)


def test_inference_without_a_label_passes_through(tmp_path):
    """MMSeg's inference_model removes only transforms named
    'LoadAnnotations' from the test pipeline; ours then sees an image and
    no seg_map_path."""
    import torch
    from mmseg.apis import inference_model
    from mmseg.models import build_segmentor

    results = dict(img=np.zeros((4, 5, 3), np.uint8))
    out = LoadCheckedAnnotations(num_classes=19)(dict(results))
    assert set(out) == {'img'}
    cfg = Config.fromfile(
        osp.join(
            REPO_ROOT, 'configs/ocrnet/'
            'ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py'))
    assert 'LoadCheckedAnnotations' in [t['type'] for t in cfg.test_pipeline]
    torch.manual_seed(0)
    model = build_segmentor(cfg.model)
    model.cfg = cfg
    model.eval()
    image = np.random.default_rng(0).integers(0, 256, (64, 128, 3), np.uint8)
    prediction = inference_model(model, image)
    assert tuple(prediction.pred_sem_seg.shape) == (64, 128)
    assert 'gt_sem_seg' not in prediction


def test_colour_label_is_refused(tmp_path):
    rgb = np.zeros((4, 5, 3), np.uint8)
    path = str(tmp_path / 'color.png')
    Image.fromarray(rgb).save(path)
    with pytest.raises(ValueError, match='not a map of class indices'):
        LoadCheckedAnnotations(num_classes=19)(info(path))


def test_arguments_are_checked():
    for bad in (0, -1, True, '19', 19.0, None):
        with pytest.raises(ValueError, match='num_classes'):
            LoadCheckedAnnotations(num_classes=bad)
    with pytest.raises(ValueError, match='ignore_index'):
        LoadCheckedAnnotations(num_classes=19, ignore_index='255')
    with pytest.raises(TypeError, match='num_classes'):
        LoadCheckedAnnotations(ignore_index=255)
    with pytest.raises(TypeError, match='reduce_zero'):
        LoadCheckedAnnotations(num_classes=19, reduce_zero=True)
    assert repr(LoadCheckedAnnotations(num_classes=21)).startswith(
        'LoadCheckedAnnotations(num_classes=21, ignore_index=255')


# --------------------------------------------------------------------------
# num_classes against the dataset's classes
# --------------------------------------------------------------------------
def test_num_classes_is_checked_against_the_dataset():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT,
                 'configs/_base_/datasets/synthetic_cityscapes_128x256.py'))
    assert label_loader_problems(cfg, ('train', 'val', 'test')) == []
    wrong = copy.deepcopy(cfg)
    wrong.train_dataloader.dataset.pipeline[1]['num_classes'] = 20
    problems = label_loader_problems(wrong, ('train', 'val'))
    assert len(problems) == 1
    assert 'train_dataloader' in problems[0]
    assert 'num_classes=20' in problems[0] and '19 classes' in problems[0]
    with pytest.raises(ValueError, match='num_classes=20'):
        check_label_loaders(wrong, ('train', ))
    check_label_loaders(wrong, ('val', ))  # other splits are not looked at
    # metainfo=dict(classes=...) in the config is the dataset's truth
    subset = copy.deepcopy(cfg)
    subset.val_dataloader.dataset.metainfo = dict(classes=('road', 'car'))
    problems = label_loader_problems(subset, ('val', ))
    assert len(problems) == 1 and '2 classes' in problems[0]
