"""Each dataset config loads and its train pipeline runs on synthetic data,
producing a gt_edge_map aligned with the label."""
import glob
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from cblseg.ops import label_to_boundary, radius_from_dilation
from cblseg.utils import iter_dataset_cfgs
from conftest import REPO_ROOT

# The ADE20K and Pascal Context configs have their own synthetic data:
# tests/test_dataset_configs_ade20k_pascal_context.py.
DATASET_CONFIGS = sorted(
    path
    for path in glob.glob(osp.join(REPO_ROOT, 'configs/_base_/datasets/*.py'))
    if not osp.basename(path).startswith(('ade20k', 'pascal_context',
                                          'synthetic_ade20k',
                                          'synthetic_pascal_context')))


@pytest.fixture(scope='module')
def synthetic_voc(tmp_path_factory):
    """Synthetic VOC layout plus a stand-in 'aug' split (SegmentationClassAug
    and aug.txt, as the SBD merge writes them)."""
    from cblseg.datasets import generate_synthetic_voc
    root = tmp_path_factory.mktemp('voc') / 'VOC2012'
    generate_synthetic_voc(
        str(root), num_train=3, num_val=2, height=64, width=80, seed=1)
    shutil.copytree(root / 'SegmentationClass', root / 'SegmentationClassAug')
    shutil.copy(root / 'ImageSets/Segmentation/train.txt',
                root / 'ImageSets/Segmentation/aug.txt')
    return str(root)


def test_every_dataset_config_is_covered():
    names = {osp.basename(p) for p in DATASET_CONFIGS}
    assert {
        'cityscapes_512x1024.py', 'pascal_voc12_512x512.py',
        'pascal_voc12_aug_512x512.py', 'synthetic_cityscapes_128x256.py',
        'synthetic_voc12_128x128.py'
    } <= names


@pytest.mark.parametrize('config', DATASET_CONFIGS, ids=osp.basename)
def test_train_pipeline_runs_with_boundaries(config, synthetic_cityscapes,
                                             synthetic_voc):
    init_default_scope('mmseg')
    cfg = Config.fromfile(config)
    assert 'cblseg' in cfg.custom_imports.imports
    dataset_cfg = cfg.train_dataloader.dataset
    leaves = list(iter_dataset_cfgs(dataset_cfg))
    is_voc = 'VOC' in leaves[0]['type']
    for leaf in leaves:
        leaf['data_root'] = synthetic_voc if is_voc else synthetic_cityscapes
        types = [t['type'] for t in leaf['pipeline']]
        # boundaries come after every geometric transform
        assert types[-2:] == ['GenerateBoundary', 'PackSegInputs'], types
    dataset = DATASETS.build(dataset_cfg)
    assert len(dataset) > 0
    crop = tuple(cfg.crop_size)
    for index in (0, len(dataset) - 1):
        sample = dataset[index]['data_samples']
        label = sample.gt_sem_seg.data[0].numpy()
        edge = sample.gt_edge_map.data[0].numpy()
        assert edge.shape == label.shape
        assert label.shape[0] <= crop[0] and label.shape[1] <= crop[1]
        np.testing.assert_array_equal(edge == 255, label == 255)
        radius = radius_from_dilation(0.02, *label.shape)
        np.testing.assert_array_equal(edge,
                                      label_to_boundary(label, radius, 255))
        assert set(np.unique(edge)) <= {0, 1, 255}
