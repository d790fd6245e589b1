"""Each dataset config loads and its train pipeline runs on synthetic data,
producing a gt_edge_map aligned with the label."""
import copy
import glob
import os.path as osp
import random
import shutil

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS, TRANSFORMS

from cblseg.ops import label_to_boundary, radius_from_dilation
from cblseg.utils import iter_dataset_cfgs
from helpers import REPO_ROOT

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


def run_with_source_probes(pipeline_cfg, info):
    """Run a train pipeline config on a dataset info, with extra seg fields
    added right after GenerateBoundary that hold each pixel's source row and
    column: wherever the packed maps came from, ``src[rows, cols]`` is what
    a transform that carries a field must give.

    Returns:
        tuple: (the packed data sample, the full-resolution label and edge
        map as GenerateBoundary saw and made them, the source rows and
        columns, and where the pixels have a source (not padding)).
    """
    names = [t['type'] for t in pipeline_cfg]
    assert names[1].endswith('Annotations'), names
    assert names[2] == 'GenerateBoundary', names
    transforms = [TRANSFORMS.build(copy.deepcopy(t)) for t in pipeline_cfg]
    results = copy.deepcopy(info)
    for name, transform in zip(names, transforms):
        if name == 'PackSegInputs':
            packed = transform(results)
            break
        results = transform(results)
        if name == 'GenerateBoundary':
            full_label = results['gt_seg_map'].copy()
            full_edge = results['gt_edge_map'].copy()
            rows, cols = np.indices(full_label.shape, dtype=np.uint16)
            # 1 where a pixel has a source; padding writes 255 there
            valid = np.ones(full_label.shape, np.uint8)
            results.update(src_row=rows, src_col=cols, src_valid=valid)
            results['seg_fields'] += ['src_row', 'src_col', 'src_valid']
    valid = results['src_valid'] == 1
    return (packed['data_samples'], full_label, full_edge,
            np.where(valid, results['src_row'],
                     0), np.where(valid, results['src_col'], 0), valid)


@pytest.mark.parametrize('config', DATASET_CONFIGS, ids=osp.basename)
def test_every_pipeline_checks_its_labels(config):
    """Train, val, test and TTA pipelines load labels with
    LoadCheckedAnnotations, num_classes = the dataset's classes."""
    from cblseg.datasets import label_loader_problems
    from cblseg.datasets.label_loading import iter_transform_cfgs
    init_default_scope('mmseg')
    cfg = Config.fromfile(config)
    splits = ('train', 'val', 'test')
    assert label_loader_problems(cfg, splits) == []
    pipelines = [cfg.tta_pipeline] + [
        leaf['pipeline'] for split in splits
        for leaf in iter_dataset_cfgs(cfg[f'{split}_dataloader'].dataset)
    ]
    num_classes = 21 if 'voc' in osp.basename(config) else 19
    for pipeline in pipelines:
        loaders = [
            t for t in iter_transform_cfgs(pipeline)
            if t['type'].endswith('Annotations')
        ]
        assert loaders == [
            dict(type='LoadCheckedAnnotations', num_classes=num_classes)
        ], pipeline


@pytest.mark.parametrize('config', DATASET_CONFIGS, ids=osp.basename)
def test_train_pipeline_runs_with_boundaries(config, synthetic_cityscapes_root,
                                             synthetic_voc):
    init_default_scope('mmseg')
    cfg = Config.fromfile(config)
    assert 'cblseg' in cfg.custom_imports.imports
    dataset_cfg = cfg.train_dataloader.dataset
    leaves = list(iter_dataset_cfgs(dataset_cfg))
    is_voc = 'VOC' in leaves[0]['type']
    for leaf in leaves:
        root = synthetic_voc if is_voc else synthetic_cityscapes_root
        leaf['data_root'] = root
        types = [t['type'] for t in leaf['pipeline']]
        # boundaries on the full label, before every geometric transform,
        # as in the CBL reference (CBLorc_config.py)
        assert types[:3] == [
            'LoadImageFromFile', 'LoadCheckedAnnotations', 'GenerateBoundary'
        ], types
        assert types[-1] == 'PackSegInputs' and 'Pad' not in types, types
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
        assert set(np.unique(edge)) <= {0, 1, 255}
    # the packed edge map is the full label's, carried by every transform
    leaf = leaves[0]
    info = DATASETS.build(dict(leaf, pipeline=[])).get_data_info(0)
    sample, full_label, full_edge, rows, cols, valid = \
        run_with_source_probes(leaf['pipeline'], info)
    radius = radius_from_dilation(0.02, *full_label.shape)
    np.testing.assert_array_equal(full_edge,
                                  label_to_boundary(full_label, radius))
    label = sample.gt_sem_seg.data[0].numpy()
    edge = sample.gt_edge_map.data[0].numpy()
    assert label.shape == edge.shape == valid.shape
    np.testing.assert_array_equal(label[valid], full_label[rows, cols][valid])
    np.testing.assert_array_equal(edge[valid], full_edge[rows, cols][valid])
    # padding (PadSegFields in VOC aug) is ignore in both maps
    assert (label[~valid] == 255).all() and (edge[~valid] == 255).all()


@pytest.fixture(scope='module')
def full_size_cityscapes(tmp_path_factory):
    """One synthetic Cityscapes training image at the real 1024x2048."""
    from cblseg.datasets import generate_synthetic_cityscapes
    root = tmp_path_factory.mktemp('full') / 'cityscapes'
    generate_synthetic_cityscapes(
        str(root), num_train=1, num_val=0, height=1024, width=2048, seed=3)
    return str(root)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_cityscapes_crop_carries_the_full_resolution_boundary(
        seed, full_size_cityscapes):
    """The real Cityscapes 512x1024 train pipeline (the config's own, built
    through MMSeg's TRANSFORMS) on a 1024x2048 sample: the packed
    gt_edge_map is the boundary of the full-resolution label (46 px band)
    carried through the same resize, crop and flip, not the boundary
    recomputed on the crop (23 px band, crop borders as boundary)."""
    from cblseg.datasets import train_pipeline_and_samples
    init_default_scope('mmseg')
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/_base_/datasets/cityscapes_512x1024.py'))
    pipeline, infos = train_pipeline_and_samples(cfg, full_size_cityscapes)
    random.seed(seed)
    np.random.seed(seed)
    sample, full_label, full_edge, rows, cols, valid = \
        run_with_source_probes(pipeline, infos[0])
    assert valid.all()
    assert full_label.shape == (1024, 2048)
    radius = radius_from_dilation(0.02, 1024, 2048)
    assert radius == 46
    np.testing.assert_array_equal(full_edge,
                                  label_to_boundary(full_label, radius))
    label = sample.gt_sem_seg.data[0].numpy()
    edge = sample.gt_edge_map.data[0].numpy()
    assert label.shape == edge.shape == (512, 1024)
    np.testing.assert_array_equal(label, full_label[rows, cols])
    np.testing.assert_array_equal(edge, full_edge[rows, cols])
    # ... and not the crop's own boundary
    on_crop = label_to_boundary(label, radius_from_dilation(0.02, 512, 1024))
    assert (on_crop != edge).mean() > 0.01
