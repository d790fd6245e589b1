"""tools/check_dataset.py on a synthetic Cityscapes set with one fault
planted per file, the clean case, and --nproc 2 against --nproc 1."""
import copy
import json
import os
import os.path as osp
import sys

import cv2
import pytest
from mmengine.config import Config

from cblseg.datasets import check_dataset, format_check_report
from cblseg.datasets.synthetic.cityscapes import cityscapes_files
from helpers import REPO_ROOT, run_tool

CONFIG = osp.join(REPO_ROOT,
                  'configs/_base_/datasets/synthetic_cityscapes_128x256.py')


def roots(root):
    return [
        f'{split}_dataloader.dataset.data_root={root}'
        for split in ('train', 'val', 'test')
    ]


def truncate(path):
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:len(data) // 3])


@pytest.fixture(scope='module')
def faulty_cityscapes(tmp_path_factory):
    """8 train and 2 val images; train 0-4 and val 0 have one fault each.

    Returns:
        tuple: (root, {kind: [file, ...]}) with the planted faults.
    """
    from cblseg.datasets import generate_synthetic_cityscapes
    root = str(tmp_path_factory.mktemp('faulty') / 'cityscapes')
    generate_synthetic_cityscapes(
        root, num_train=8, num_val=2, height=48, width=96, seed=2)

    def path(split, index, key='train_ids'):
        return osp.join(root, cityscapes_files(split, index)[key])

    bad = path('train', 0)
    label = cv2.imread(bad, cv2.IMREAD_UNCHANGED)
    label[5, 10:17] = 40
    label[6, 0] = 41
    cv2.imwrite(bad, label)
    truncate(path('train', 1))
    truncate(path('train', 2, 'image'))
    os.remove(path('train', 3))
    small = cv2.imread(path('train', 4), cv2.IMREAD_UNCHANGED)[:40, :90]
    cv2.imwrite(path('train', 4), small)
    val = path('val', 0)
    label = cv2.imread(val, cv2.IMREAD_UNCHANGED)
    label[0, 0] = 19
    cv2.imwrite(val, label)
    planted = dict(
        bad_values=[bad, val],
        unreadable_label=[path('train', 1)],
        unreadable_image=[path('train', 2, 'image')],
        missing_label=[path('train', 3)],
        size_mismatch=[path('train', 4, 'image')])
    return root, planted


def file_of(problem):
    if problem['kind'] in ('unreadable_image', 'size_mismatch',
                           'missing_image'):
        return problem['img_path']
    return problem['seg_map_path']


@pytest.mark.slow
def test_every_planted_fault_is_found_once(faulty_cityscapes, tmp_path):
    root, planted = faulty_cityscapes
    out = tmp_path / 'report.json'
    proc = run_tool([
        sys.executable, 'tools/check_dataset.py', CONFIG, '--out',
        str(out), '--cfg-options'
    ] + roots(root))
    assert proc.returncode == 1, proc.stdout[-3000:]
    report = json.loads(out.read_text())
    found = {}
    for problem in report['problems']:
        found.setdefault(problem['kind'], []).append(file_of(problem))
    assert {k: sorted(v) for k, v in found.items()} == \
        {k: sorted(v) for k, v in planted.items()}
    by_file = {file_of(p): p for p in report['problems']}
    bad = by_file[planted['bad_values'][0]]
    assert bad['values'] == {'40': 7, '41': 1} and bad['split'] == 'train'
    assert '40 (7 pixels), 41 (1 pixel)' in bad['detail']
    val = by_file[planted['bad_values'][1]]
    assert val['values'] == {'19': 1} and val['split'] == 'val/test'
    assert 'truncated' in by_file[planted['unreadable_label'][0]]['detail']
    assert '48x96' in by_file[planted['size_mismatch'][0]]['detail']
    assert '40x90' in by_file[planted['size_mismatch'][0]]['detail']
    assert report['num_pairs'] == 10
    assert report['counts']['bad_values'] == 2
    # the table names the files and the summary counts them
    for files in planted.values():
        for name in files:
            assert name in proc.stdout
    assert '10 image/label pairs checked: 6 problems' in proc.stdout

    proc2 = run_tool([
        sys.executable, 'tools/check_dataset.py', CONFIG, '--nproc', '2',
        '--out',
        str(tmp_path / 'report2.json'), '--cfg-options'
    ] + roots(root))
    assert proc2.returncode == 1, proc2.stdout[-3000:]
    assert json.loads((tmp_path / 'report2.json').read_text()) == report


@pytest.mark.slow
def test_clean_dataset_exits_zero(synthetic_cityscapes_root, tmp_path):
    out = tmp_path / 'report.json'
    proc = run_tool([
        sys.executable, 'tools/check_dataset.py', CONFIG, '--splits', 'train',
        'val', '--out',
        str(out), '--cfg-options'
    ] + roots(synthetic_cityscapes_root))
    assert proc.returncode == 0, proc.stdout[-3000:]
    report = json.loads(out.read_text())
    assert report['ok'] and report['problems'] == []
    assert report['num_pairs'] == 12  # 8 train + 4 val
    assert 'no problems found' in proc.stdout


def test_config_and_missing_image_problems(tmp_path):
    """A num_classes that contradicts the dataset, and an image listed in
    the split file but absent (VOC layout: the ann_file lists ids)."""
    from cblseg.datasets import generate_synthetic_voc
    root = tmp_path / 'VOC2012'
    generate_synthetic_voc(
        str(root), num_train=2, num_val=1, height=32, width=40, seed=0)
    cfg = Config.fromfile(
        osp.join(REPO_ROOT,
                 'configs/_base_/datasets/synthetic_voc12_128x128.py'))
    for split in ('train', 'val'):
        cfg[f'{split}_dataloader'].dataset.data_root = str(root)
    first = open(root / 'ImageSets/Segmentation/train.txt').read().split()[0]
    os.remove(root / 'JPEGImages' / f'{first}.jpg')
    wrong = copy.deepcopy(cfg)
    wrong.train_dataloader.dataset.pipeline[1]['num_classes'] = 20
    report = check_dataset(wrong, ('train', 'val'), progress=False)
    assert not report['ok']
    kinds = sorted(p['kind'] for p in report['problems'])
    assert kinds == ['config', 'missing_image'], report['problems']
    config_problem = report['problems'][0]
    assert 'num_classes=20' in config_problem['detail']
    assert first in format_check_report(report)
    with pytest.raises(ValueError, match='nproc'):
        check_dataset(cfg, ('train', ), nproc=0)
