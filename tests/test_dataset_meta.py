"""Classes, palettes and reduce_zero_label of the named datasets
(cblseg/datasets/dataset_meta.py) and the samples read with them
(cblseg/datasets/dataset_samples.py)."""
import numpy as np
import pytest
from PIL import Image

from cblseg.datasets.cityscapes_labels import (CITYSCAPES_TRAIN_CLASSES,
                                               CITYSCAPES_TRAIN_PALETTE)
from cblseg.datasets.dataset_meta import (DATASET_TYPES,
                                          dataset_classes_and_palette,
                                          dataset_metainfo, reduce_zero_label)
from cblseg.datasets.dataset_samples import load_sample_from_files
from cblseg.datasets.voc_labels import VOC_CLASSES, VOC_PALETTE


@pytest.mark.parametrize('name', sorted(DATASET_TYPES))
def test_metainfo_is_mmseg_metainfo(name):
    import mmseg.datasets
    cls = getattr(mmseg.datasets, DATASET_TYPES[name])
    meta = dataset_metainfo(name)
    assert meta['type'] == cls.__name__
    assert meta['classes'] == tuple(cls.METAINFO['classes'])
    assert meta['palette'] == [list(c) for c in cls.METAINFO['palette']]
    assert len(meta['palette']) == len(meta['classes'])
    names, palette = dataset_classes_and_palette(name)
    assert names == list(meta['classes']) and palette == meta['palette']


def test_reduce_zero_label_flags_and_our_tables():
    assert {
        name: dataset_metainfo(name)['reduce_zero_label']
        for name in DATASET_TYPES
    } == {
        'cityscapes': False,
        'voc': False,
        'ade20k': True,
        'pascal_context': False,
        'pascal_context_59': True
    }
    # the tables the synthetic data writer uses agree with MMSeg's
    assert dataset_classes_and_palette('cityscapes') == (
        list(CITYSCAPES_TRAIN_CLASSES), CITYSCAPES_TRAIN_PALETTE)
    assert dataset_classes_and_palette('voc') == (list(VOC_CLASSES),
                                                  VOC_PALETTE)


def test_generic_classes_and_errors():
    names, palette = dataset_classes_and_palette(num_classes=3)
    assert names == ['0', '1', '2'] and palette[1] == [128, 0, 0]
    with pytest.raises(ValueError, match='dataset must be one of'):
        dataset_classes_and_palette('kitti')
    with pytest.raises(ValueError, match='ade20k has 150 classes'):
        dataset_classes_and_palette('ade20k', 19)
    with pytest.raises(ValueError, match='give a dataset name'):
        dataset_classes_and_palette()
    with pytest.raises(ValueError, match='at most 255'):
        dataset_classes_and_palette(num_classes=256)


def test_reduce_zero_label_equals_mmseg(tmp_path):
    from mmseg.datasets.transforms import LoadAnnotations
    label = np.array([[0, 1, 2, 150], [253, 254, 255, 0]], np.uint8)
    path = str(tmp_path / 'label.png')
    Image.fromarray(label).save(path)
    expected = LoadAnnotations()(dict(
        seg_map_path=path, reduce_zero_label=True,
        seg_fields=[]))['gt_seg_map']
    reduced = reduce_zero_label(label)
    np.testing.assert_array_equal(reduced, expected)
    assert reduced.dtype == np.uint8
    np.testing.assert_array_equal(label[0], [0, 1, 2, 150])  # not in place
    assert reduce_zero_label(np.zeros((0, 0), np.uint8)).shape == (0, 0)
    with pytest.raises(ValueError, match='integer label map'):
        reduce_zero_label(np.zeros((2, 2), np.float32))


def test_sample_from_files_reduces_ade20k(tmp_path):
    label = np.zeros((5, 6), np.uint8)  # "other"
    label[:, 3:] = 1  # wall, class 0
    label[0, 0] = 150  # the last class
    Image.fromarray(np.zeros((5, 6, 3), np.uint8)).save(tmp_path / 'a.jpg')
    Image.fromarray(label).save(tmp_path / 'a.png')
    sample = load_sample_from_files(
        str(tmp_path / 'a.jpg'), str(tmp_path / 'a.png'), 'ade20k')
    assert len(sample['classes']) == 150 and sample['classes'][0] == 'wall'
    assert sample['label'][0, 0] == 149
    assert (sample['label'][1:, :3] == 255).all()
    assert (sample['label'][:, 3:] == 0).all()
    assert sample['stem'] == 'a'
    # Cityscapes train ids are read as they are
    sample = load_sample_from_files(
        str(tmp_path / 'a.jpg'), str(tmp_path / 'a.png'), 'cityscapes')
    np.testing.assert_array_equal(sample['label'], label)
