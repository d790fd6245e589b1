"""The ADE20K and Pascal Context dataset configs: their train, val and test
datasets build on the synthetic data and run their pipelines, and the label
0 that reduce_zero_label removes is ignore for the boundaries and the
metric, end to end from a label PNG."""
import copy
import glob
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.datasets import (ADE20KDataset, PascalContextDataset,
                            PascalContextDataset59)
from mmseg.registry import DATASETS, METRICS
from PIL import Image

from cblseg.ops import label_to_boundary, radius_from_dilation
from helpers import REPO_ROOT
from helpers.configs import load_config

CONFIG_DIR = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
# config -> (dataset class, synthetic layout, reduce_zero_label, crop size)
CONFIGS = {
    'ade20k_512x512.py': (ADE20KDataset, 'ade20k', True, (512, 512)),
    'ade20k_640x640.py': (ADE20KDataset, 'ade20k', True, (640, 640)),
    'pascal_context_59_480x480.py':
    (PascalContextDataset59, 'pascal_context', True, (480, 480)),
    'pascal_context_480x480.py':
    (PascalContextDataset, 'pascal_context', False, (480, 480)),
    'synthetic_ade20k_128x128.py': (ADE20KDataset, 'ade20k', True, (128, 128)),
    'synthetic_pascal_context_59_128x128.py':
    (PascalContextDataset59, 'pascal_context', True, (128, 128)),
    'synthetic_pascal_context_128x128.py':
    (PascalContextDataset, 'pascal_context', False, (128, 128)),
}
SPLITS = ('train', 'val', 'test')


@pytest.fixture(scope='module')
def synthetic_roots(tmp_path_factory):
    from cblseg.datasets import (generate_synthetic_ade20k,
                                 generate_synthetic_pascal_context)
    root = tmp_path_factory.mktemp('ade_context')
    ade = root / 'ADEChallengeData2016'
    context = root / 'VOC2010'
    generate_synthetic_ade20k(
        str(ade), num_train=3, num_val=2, height=72, width=96, seed=0)
    generate_synthetic_pascal_context(
        str(context), num_train=3, num_val=2, height=80, width=64, seed=0)
    return dict(ade20k=str(ade), pascal_context=str(context))


def _load(name, synthetic_roots):
    """The config with every split's data_root on the synthetic data."""
    init_default_scope('mmseg')
    cfg = load_config(osp.join(CONFIG_DIR, name))
    root = synthetic_roots[CONFIGS[name][1]]
    for split in SPLITS:
        cfg[f'{split}_dataloader'].dataset.data_root = root
    return cfg


def _types(pipeline):
    return [transform['type'] for transform in pipeline]


@pytest.mark.slow  # a sweep: every config resolves its mmseg:: bases
@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_config_builds_and_runs_every_pipeline(name, synthetic_roots):
    dataset_class, _, reduce_zero_label, crop = CONFIGS[name]
    cfg = _load(name, synthetic_roots)
    assert 'cblseg' in cfg.custom_imports.imports
    assert cfg.val_evaluator.type == cfg.test_evaluator.type == \
        'BoundaryIoUMetric'
    train_types = _types(cfg.train_dataloader.dataset.pipeline)
    # boundaries on the full-resolution label, before any geometry
    assert train_types[:3] == [
        'LoadImageFromFile', 'LoadCheckedAnnotations', 'GenerateBoundary'
    ], train_types
    assert train_types[-1] == 'PackSegInputs' and 'Pad' not in train_types
    num_classes = len(dataset_class.METAINFO['classes'])
    for split in SPLITS:
        dataset = DATASETS.build(cfg[f'{split}_dataloader'].dataset)
        assert type(dataset) is dataset_class
        assert dataset.metainfo['classes'] == \
            dataset_class.METAINFO['classes']
        assert dataset.reduce_zero_label == reduce_zero_label
        assert len(dataset) == (3 if split == 'train' else 2)
        for index in (0, len(dataset) - 1):
            sample = dataset[index]['data_samples']
            label = sample.gt_sem_seg.data[0].numpy()
            values = set(np.unique(label).tolist())
            assert values <= set(range(num_classes)) | {255}
            # the synthetic scenes always have some of label 0
            assert (255 in values) == reduce_zero_label or split == 'train'
            if split != 'train':
                continue
            edge = sample.gt_edge_map.data[0].numpy()
            assert edge.shape == label.shape
            assert label.shape[0] <= crop[0] and label.shape[1] <= crop[1]
            np.testing.assert_array_equal(edge == 255, label == 255)
            assert set(np.unique(edge).tolist()) <= {0, 1, 255}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_boundaries_are_computed_on_the_full_resolution_label(
        name, synthetic_roots):
    cfg = _load(name, synthetic_roots)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    results = copy.deepcopy(dataset.get_data_info(0))
    for transform in dataset.pipeline.transforms[:3]:
        results = transform(results)
    png = np.asarray(Image.open(results['seg_map_path']))
    label = results['gt_seg_map']
    assert label.shape == png.shape  # nothing resized yet
    radius = radius_from_dilation(0.02, *png.shape)
    np.testing.assert_array_equal(results['gt_edge_map'],
                                  label_to_boundary(label, radius, 255))


# A hand-made label PNG (values as stored on disk): classes 5 | 9 side by
# side over a strip of 20, a 0-blob inside the 5-region (farther than the
# band radius, 2 px, from any other class) and a 0-strip along the top edge
# across the 5 | 9 border.
LABEL_SHAPE = (60, 90)
BLOB = (slice(12, 24), slice(10, 30))
TOP = (slice(0, 4), slice(None))


def _label_png():
    label = np.full(LABEL_SHAPE, 5, np.uint8)
    label[:, 45:] = 9
    label[45:] = 20
    label[BLOB] = 0
    label[TOP] = 0
    return label


@pytest.fixture(scope='module')
def label_roots(tmp_path_factory):
    """One image with the label of :func:`_label_png` in the ADE20K and
    Pascal Context layouts (the same file for train and val)."""
    root = tmp_path_factory.mktemp('zero_label')
    rng = np.random.default_rng(0)
    image = Image.fromarray(
        rng.integers(0, 256, LABEL_SHAPE + (3, ), dtype=np.uint8))
    label = Image.fromarray(_label_png())
    ade = root / 'ade'
    for folder in ('training', 'validation'):
        (ade / 'images' / folder).mkdir(parents=True)
        (ade / 'annotations' / folder).mkdir(parents=True)
        image.save(ade / 'images' / folder / 'ADE_x_00000001.jpg')
        label.save(ade / 'annotations' / folder / 'ADE_x_00000001.png')
    context = root / 'context'
    for folder in ('JPEGImages', 'SegmentationClassContext',
                   'ImageSets/SegmentationContext'):
        (context / folder).mkdir(parents=True)
    image.save(context / 'JPEGImages' / '2008_000001.jpg')
    label.save(context / 'SegmentationClassContext' / '2008_000001.png')
    for split in ('train', 'val'):
        (context / 'ImageSets' / 'SegmentationContext' /
         f'{split}.txt').write_text('2008_000001\n')
    return dict(ade20k=str(ade), pascal_context=str(context))


def _evaluate(cfg, dataset, sample, pred):
    metric = METRICS.build(cfg.test_evaluator)
    metric.dataset_meta = dataset.metainfo
    sample = copy.deepcopy(sample)
    sample.pred_sem_seg = PixelData(data=torch.from_numpy(pred)[None])
    metric.process({}, [sample.to_dict()])
    return metric.evaluate(1)


@pytest.mark.parametrize('name', [
    'ade20k_512x512.py', 'ade20k_640x640.py', 'pascal_context_59_480x480.py',
    'pascal_context_480x480.py', 'synthetic_ade20k_128x128.py'
])
def test_label_zero_is_ignore_end_to_end(name, label_roots):
    """A label PNG with 0-pixels through the config: with reduce_zero_label
    they are 255 in gt_seg_map and gt_edge_map, their neighbours are
    boundary for training, and the metric leaves them out; in Pascal
    Context 60 they are the evaluated class background."""
    _, _, reduce_zero_label, _ = CONFIGS[name]
    cfg = _load(name, label_roots)
    png = _label_png()
    zero = png == 0

    # the train pipeline up to GenerateBoundary: pixel for pixel the PNG
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    results = copy.deepcopy(dataset.get_data_info(0))
    for transform in dataset.pipeline.transforms[:3]:
        results = transform(results)
    label, edge = results['gt_seg_map'], results['gt_edge_map']
    radius = radius_from_dilation(0.02, *LABEL_SHAPE)
    assert radius == 2
    if reduce_zero_label:
        np.testing.assert_array_equal(label, np.where(zero, 255, png - 1))
        np.testing.assert_array_equal(edge == 255, zero)
        # GenerateBoundary counts an ignored neighbour as another label
        ring = label_to_boundary(
            np.where(zero, 1, 0).astype(np.uint8), radius, 255) == 1
        ring &= ~zero
        assert (edge[ring] == 1).all()
        assert edge[30:40, 15:25].max() == 0  # inside the 5-region
    else:
        np.testing.assert_array_equal(label, png)
        assert not (edge == 255).any()
        # background is a class: its interior is no boundary
        assert (edge[BLOB][radius:-radius, radius:-radius] == 0).all()

    # the whole train pipeline keeps gt_edge_map aligned with the label
    sample = dataset[0]['data_samples']
    np.testing.assert_array_equal(sample.gt_edge_map.data[0].numpy() == 255,
                                  sample.gt_sem_seg.data[0].numpy() == 255)

    # the metric, on the val pipeline's full-resolution label
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    sample = dataset[0]['data_samples']
    gt = sample.gt_sem_seg.data[0].numpy().astype(np.int64)
    np.testing.assert_array_equal(gt, label)
    num_classes = len(dataset.metainfo['classes'])
    # a class that is nowhere in the ground truth; predicting it also checks
    # that the metric took all the classes from the dataset (a value
    # outside [0, K) raises)
    wrong = num_classes - 1
    assert wrong not in gt
    keys = ('aAcc', 'mIoU', 'mAcc', 'mBIoU', 'mBF@1px', 'mBF@5px')
    # under the 0-pixels, the class around them
    filled = gt.copy()
    filled[BLOB] = gt[30, 20]
    filled[TOP] = gt[5]
    if reduce_zero_label:
        scores = _evaluate(cfg, dataset, sample, filled)
        for key in keys:
            assert scores[key] == 100.0, (key, scores)
        # a wrong class under them: region metrics do not see it; boundary
        # metrics only where it borders counted pixels (docs/metrics.md,
        # ignore rule 3)
        pred = gt.copy()
        pred[zero] = wrong
        scores = _evaluate(cfg, dataset, sample, pred)
        for key in ('aAcc', 'mIoU', 'mAcc'):
            assert scores[key] == 100.0, (key, scores)
        assert scores['mBIoU'] < 100.0
    else:
        scores = _evaluate(cfg, dataset, sample, gt.copy())
        for key in keys:
            assert scores[key] == 100.0, (key, scores)
        # background is counted: missing it costs
        scores = _evaluate(cfg, dataset, sample, filled)
        assert scores['aAcc'] < 100.0 and scores['mIoU'] < 100.0
    # control: the same error on counted pixels costs
    pred = gt.copy()
    pred[30:40, 15:25] = wrong
    assert _evaluate(cfg, dataset, sample, pred)['aAcc'] < 100.0


def test_every_ade20k_and_pascal_context_config_is_covered():
    # tests/test_dataset_configs.py leaves these names to this module
    names = {
        osp.basename(path)
        for path in glob.glob(osp.join(CONFIG_DIR, '*.py'))
        if osp.basename(path).startswith(('ade20k', 'pascal_context',
                                          'synthetic_ade20k',
                                          'synthetic_pascal_context'))
    }
    assert names == set(CONFIGS)


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_every_pipeline_checks_its_labels(name):
    """Train, val, test and TTA pipelines load labels with
    LoadCheckedAnnotations, num_classes = the dataset's classes (counted
    after reduce_zero_label)."""
    from cblseg.datasets import label_loader_problems
    from cblseg.datasets.label_loading import iter_transform_cfgs
    from cblseg.utils import iter_dataset_cfgs
    init_default_scope('mmseg')
    cfg = load_config(osp.join(CONFIG_DIR, name))
    splits = ('train', 'val', 'test')
    assert label_loader_problems(cfg, splits) == []
    pipelines = [
        leaf['pipeline'] for split in splits
        for leaf in iter_dataset_cfgs(cfg[f'{split}_dataloader'].dataset)
    ]
    if 'tta_pipeline' in cfg:
        pipelines.append(cfg.tta_pipeline)
    num_classes = len(CONFIGS[name][0].METAINFO['classes'])
    for pipeline in pipelines:
        loaders = [
            t for t in iter_transform_cfgs(pipeline)
            if t['type'].endswith('Annotations')
        ]
        assert loaders == [
            dict(type='LoadCheckedAnnotations', num_classes=num_classes)
        ], pipeline
