"""Tests of the synthetic Cityscapes / VOC data generator."""
import os
import os.path as osp
import runpy
import sys

import numpy as np
import pytest
from PIL import Image

from cblseg.datasets.cityscapes_labels import (CITYSCAPES_LABELS,
                                               CITYSCAPES_TRAIN_CLASSES,
                                               CITYSCAPES_TRAIN_PALETTE,
                                               ids_to_color,
                                               label_id_to_train_id_lut)
from cblseg.datasets.synthetic import (generate_synthetic_cityscapes,
                                       generate_synthetic_voc,
                                       render_street_scene, render_voc_scene)
from cblseg.datasets.synthetic.writer import META_FILENAME
from cblseg.datasets.voc_labels import (VOC_BORDER_COLOR, VOC_CLASSES,
                                        VOC_PALETTE, voc_palette_bytes)

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# Official ids (labels.py of cityscapesScripts) that the checks below rely
# on; spelled out here so that the table is checked, not just reused.
OFFICIAL_TRAIN_ID = {
    7: 0,
    8: 1,
    11: 2,
    12: 3,
    13: 4,
    17: 5,
    19: 6,
    20: 7,
    21: 8,
    22: 9,
    23: 10,
    24: 11,
    25: 12,
    26: 13,
    27: 14,
    28: 15,
    31: 16,
    32: 17,
    33: 18
}
STORED_LABEL_IDS = set(range(34)) | {255}  # 255: license plate (id -1)
IGNORED_STREET_IDS = {1, 2, 3, 4, 5, 6, 255}


def _street(seed, height=128, width=256):
    return render_street_scene(np.random.default_rng(seed), height, width)


def _voc(seed, height=128, width=128):
    return render_voc_scene(np.random.default_rng(seed), height, width)


def _horizontal_runs(mask):
    """Lengths of the horizontal runs of True pixels in a 2D mask."""
    padded = np.pad(mask.astype(np.int8), ((0, 0), (1, 1)))
    steps = np.diff(padded, axis=1)
    rows_start, cols_start = np.nonzero(steps == 1)
    rows_end, cols_end = np.nonzero(steps == -1)
    assert (rows_start == rows_end).all()
    return cols_end - cols_start


def _files(root):
    found = set()
    for parent, _, names in os.walk(root):
        for name in names:
            found.add(osp.relpath(osp.join(parent, name), root))
    return found


# -- label tables ----------------------------------------------------------


def test_cityscapes_label_table():
    ids = [label.id for label in CITYSCAPES_LABELS]
    assert ids == list(range(34)) + [-1]
    by_name = {label.name: label for label in CITYSCAPES_LABELS}
    assert by_name['road'].trainId == 0
    assert by_name['road'].color == (128, 64, 128)
    assert by_name['license plate'].trainId == -1
    assert by_name['license plate'].color == (0, 0, 142)
    for label in CITYSCAPES_LABELS:
        if label.ignoreInEval:
            assert label.trainId in (255, -1), label.name
        else:
            assert OFFICIAL_TRAIN_ID[label.id] == label.trainId, label.name
    assert len(CITYSCAPES_TRAIN_CLASSES) == 19
    assert CITYSCAPES_TRAIN_CLASSES[0] == 'road'
    assert CITYSCAPES_TRAIN_CLASSES[-1] == 'bicycle'
    assert CITYSCAPES_TRAIN_PALETTE[10] == [70, 130, 180]  # sky

    lut = label_id_to_train_id_lut()
    assert lut.dtype == np.uint8 and lut.shape == (256, )
    expected = np.full(256, 255, dtype=np.uint8)
    for label_id, train_id in OFFICIAL_TRAIN_ID.items():
        expected[label_id] = train_id
    np.testing.assert_array_equal(lut, expected)

    colors = ids_to_color(np.array([[7, 26], [255, 0]], dtype=np.uint8))
    assert colors.dtype == np.uint8 and colors.shape == (2, 2, 3)
    assert colors[0, 0].tolist() == [128, 64, 128]
    assert colors[0, 1].tolist() == [0, 0, 142]
    assert colors[1, 0].tolist() == [0, 0, 142]  # license plate
    assert colors[1, 1].tolist() == [0, 0, 0]


def test_voc_label_table():
    assert len(VOC_CLASSES) == 21 and VOC_CLASSES[0] == 'background'
    assert VOC_CLASSES[-1] == 'tvmonitor'
    assert VOC_PALETTE[:4] == [[0, 0, 0], [128, 0, 0], [0, 128, 0],
                               [128, 128, 0]]
    assert VOC_PALETTE[20] == [0, 64, 128]
    palette = np.frombuffer(
        voc_palette_bytes(), dtype=np.uint8).reshape(256, 3)
    assert palette[:21].tolist() == VOC_PALETTE
    assert tuple(palette[255]) == VOC_BORDER_COLOR == (224, 224, 192)


# -- rendering -------------------------------------------------------------


def test_street_scene_is_deterministic():
    image_a, label_a = _street([3, 1])
    image_b, label_b = _street([3, 1])
    assert image_a.dtype == np.uint8 and image_a.shape == (128, 256, 3)
    assert label_a.dtype == np.uint8 and label_a.shape == (128, 256)
    assert label_a.tobytes() == label_b.tobytes()
    assert image_a.tobytes() == image_b.tobytes()
    image_c, label_c = _street([3, 2])
    assert label_a.tobytes() != label_c.tobytes()
    assert image_a.tobytes() != image_c.tobytes()


def test_voc_scene_is_deterministic():
    image_a, label_a = _voc([5, 1])
    image_b, label_b = _voc([5, 1])
    assert image_a.shape == (128, 128, 3) and label_a.shape == (128, 128)
    assert label_a.tobytes() == label_b.tobytes()
    assert image_a.tobytes() == image_b.tobytes()
    assert label_a.tobytes() != _voc([5, 2])[1].tobytes()


def test_street_scenes_use_official_ids_and_void_classes():
    seen = set()
    for index in range(10):
        _, label = _street([11, index])
        values = set(np.unique(label).tolist())
        assert values <= STORED_LABEL_IDS
        # Every scene has the main street classes.
        assert {7, 8, 11, 23} <= values
        seen |= values
    assert IGNORED_STREET_IDS <= seen
    # Thing classes of the 19 evaluated ones.
    assert {17, 19, 20, 21, 24, 25, 26, 33} <= seen


def test_street_scenes_have_thin_poles():
    thin_found = False
    for index in range(6):
        _, label = _street([13, index])
        runs = _horizontal_runs(label == 17)
        if runs.size and runs.min() <= 3:
            thin_found = True
            break
    assert thin_found


def test_voc_scene_labels_and_void_border():
    classes_seen = set()
    for index in range(10):
        _, label = _voc([17, index])
        values = set(np.unique(label).tolist())
        assert values <= set(range(21)) | {255}
        objects = values - {0, 255}
        assert objects, 'every scene has at least one object'
        assert 255 in values
        classes_seen |= objects
        # The void band separates objects from the background: no object
        # pixel touches a background pixel horizontally.
        left, right = label[:, :-1], label[:, 1:]
        touching = ((left == 0) & (right != 0) &
                    (right != 255)) | ((right == 0) & (left != 0) &
                                       (left != 255))
        assert not touching.any()
    assert len(classes_seen) >= 5


@pytest.mark.parametrize('size', [(1, 1), (2, 3), (33, 65), (32, 64),
                                  (65, 33)])
def test_odd_sizes_do_not_crash(size):
    height, width = size
    for render in (render_street_scene, render_voc_scene):
        for seed in range(3):
            image, label = render(np.random.default_rng(seed), height, width)
            assert image.shape == (height, width, 3)
            assert label.shape == (height, width)
            assert image.dtype == label.dtype == np.uint8


def test_invalid_size_is_rejected():
    with pytest.raises(ValueError):
        render_street_scene(np.random.default_rng(0), 0, 10)


# -- file layouts ----------------------------------------------------------


def test_cityscapes_layout(tmp_path):
    root = tmp_path / 'cityscapes'
    summary = generate_synthetic_cityscapes(
        str(root), num_train=3, num_val=2, height=64, width=128, seed=1)
    assert not summary['skipped']
    assert summary['num_images'] == dict(train=3, val=2)
    stems = {
        ('train', 'synthtown', 'synthtown_000000_000019'),
        ('train', 'modelburg', 'modelburg_000000_000019'),
        ('train', 'synthtown', 'synthtown_000001_000019'),
        ('val', 'testville', 'testville_000000_000019'),
        ('val', 'testville', 'testville_000001_000019'),
    }
    expected = {META_FILENAME}
    for split, city, stem in stems:
        expected.add(
            osp.join('leftImg8bit', split, city, stem + '_leftImg8bit.png'))
        for suffix in ('labelIds', 'labelTrainIds', 'color'):
            expected.add(
                osp.join('gtFine', split, city, f'{stem}_gtFine_{suffix}.png'))
    assert _files(root) == expected
    assert summary['files_written'] == 20

    official_colors = np.zeros((256, 3), dtype=np.uint8)
    for label in CITYSCAPES_LABELS:
        official_colors[label.id % 256] = label.color
    for split, city, stem in stems:
        gt_prefix = root / 'gtFine' / split / city / f'{stem}_gtFine_'
        image = Image.open(root / 'leftImg8bit' / split / city /
                           f'{stem}_leftImg8bit.png')
        assert image.mode == 'RGB' and image.size == (128, 64)
        label_image = Image.open(f'{gt_prefix}labelIds.png')
        train_image = Image.open(f'{gt_prefix}labelTrainIds.png')
        color_image = Image.open(f'{gt_prefix}color.png')
        assert label_image.mode == 'L' and train_image.mode == 'L'
        assert color_image.mode == 'RGB'
        label_ids = np.asarray(label_image)
        train_ids = np.asarray(train_image)
        assert set(np.unique(label_ids).tolist()) <= STORED_LABEL_IDS
        expected_train = np.full_like(label_ids, 255)
        for label_id, train_id in OFFICIAL_TRAIN_ID.items():
            expected_train[label_ids == label_id] = train_id
        np.testing.assert_array_equal(train_ids, expected_train)
        np.testing.assert_array_equal(
            np.asarray(color_image), official_colors[label_ids])


def test_voc_layout(tmp_path):
    root = tmp_path / 'VOC2012'
    summary = generate_synthetic_voc(
        str(root), num_train=3, num_val=2, height=48, width=64, seed=2)
    ids = [f'2007_{n:06d}' for n in range(1, 6)]
    expected = {META_FILENAME}
    expected |= {osp.join('JPEGImages', f'{i}.jpg') for i in ids}
    expected |= {osp.join('SegmentationClass', f'{i}.png') for i in ids}
    expected |= {
        osp.join('ImageSets', 'Segmentation', f'{name}.txt')
        for name in ('train', 'val', 'trainval')
    }
    assert _files(root) == expected
    assert summary['files_written'] == 13
    split_dir = root / 'ImageSets' / 'Segmentation'
    assert (split_dir / 'train.txt').read_text().split() == ids[:3]
    assert (split_dir / 'val.txt').read_text().split() == ids[3:]
    assert (split_dir / 'trainval.txt').read_text().split() == ids

    voids = 0
    for image_id in ids:
        image = Image.open(root / 'JPEGImages' / f'{image_id}.jpg')
        assert image.format == 'JPEG' and image.mode == 'RGB'
        assert image.size == (64, 48)
        label_image = Image.open(root / 'SegmentationClass' /
                                 f'{image_id}.png')
        assert label_image.mode == 'P'
        palette = label_image.getpalette()
        assert palette[:63] == [c for color in VOC_PALETTE for c in color]
        assert tuple(palette[765:768]) == VOC_BORDER_COLOR
        label = np.asarray(label_image)
        assert set(np.unique(label).tolist()) <= set(range(21)) | {255}
        voids += int((label == 255).sum())
    assert voids > 0


@pytest.mark.slow
def test_nproc_gives_identical_files(tmp_path):
    for generate, kwargs in (
        (generate_synthetic_cityscapes, dict(height=40, width=80)),
        (generate_synthetic_voc, dict(height=40, width=40)),
    ):
        roots = []
        for nproc in (1, 2):
            root = tmp_path / f'{generate.__name__}_{nproc}'
            generate(
                str(root),
                num_train=4,
                num_val=2,
                seed=3,
                nproc=nproc,
                **kwargs)
            roots.append(root)
        files = _files(roots[0])
        assert files == _files(roots[1])
        for relative in files:
            assert (roots[0] /
                    relative).read_bytes() == (roots[1] /
                                               relative).read_bytes(), relative


def test_regeneration_is_skipped_and_idempotent(tmp_path):
    root = tmp_path / 'cityscapes'
    kwargs = dict(num_train=2, num_val=1, height=32, width=64, seed=4)
    generate_synthetic_cityscapes(str(root), **kwargs)
    files = sorted(_files(root))
    contents = {name: (root / name).read_bytes() for name in files}
    mtimes = {name: os.stat(root / name).st_mtime_ns for name in files}

    summary = generate_synthetic_cityscapes(str(root), **kwargs)
    assert summary['skipped'] and summary['files_written'] == 0
    assert {name: os.stat(root / name).st_mtime_ns for name in files} == mtimes

    summary = generate_synthetic_cityscapes(
        str(root), overwrite=True, **kwargs)
    assert not summary['skipped'] and summary['files_written'] == 12
    assert {name: (root / name).read_bytes() for name in files} == contents

    # A missing file triggers regeneration.
    image = (
        root / 'leftImg8bit' / 'val' / 'testville' /
        'testville_000000_000019_leftImg8bit.png')
    image.unlink()
    summary = generate_synthetic_cityscapes(str(root), **kwargs)
    assert not summary['skipped'] and image.exists()

    # Other arguments regenerate and drop samples that no longer exist.
    summary = generate_synthetic_cityscapes(
        str(root), **dict(kwargs, num_train=1))
    assert not summary['skipped']
    assert not any('modelburg_000000' in name for name in _files(root))
    assert any('synthtown_000000' in name for name in _files(root))


def test_foreign_directory_is_not_overwritten(tmp_path):
    root = tmp_path / 'VOC2012'
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'JPEGImages' / '2007_000001.jpg').write_bytes(b'real data')
    with pytest.raises(FileExistsError):
        generate_synthetic_voc(
            str(root), num_train=1, num_val=1, height=16, width=16)
    assert (root / 'JPEGImages' / '2007_000001.jpg').read_bytes() == \
        b'real data'


def test_command_line_tool(tmp_path, monkeypatch, capsys):
    script = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                      'generate_synthetic_data.py')
    monkeypatch.setattr(sys, 'argv', [
        script, '--out-dir',
        str(tmp_path), '--num-train', '1', '--num-val', '1', '--height', '32',
        '--width', '48'
    ])
    runpy.run_path(script, run_name='__main__')
    output = capsys.readouterr().out
    assert 'cityscapes' in output and 'voc' in output
    assert (tmp_path / 'cityscapes' / 'leftImg8bit' / 'train' / 'synthtown' /
            'synthtown_000000_000019_leftImg8bit.png').is_file()
    assert (tmp_path / 'VOCdevkit' / 'VOC2012' / 'JPEGImages' /
            '2007_000002.jpg').is_file()


@pytest.mark.parametrize('size', [(1024, 2048), (256, 512), (64, 128)])
def test_benchmark_labels_have_all_classes_and_ignore(size):
    from cblseg.datasets.benchmark_labels import synthetic_street_label
    for seed in range(3):
        label = synthetic_street_label(*size, seed=seed)
        assert label.shape == size and label.dtype == np.uint8
        assert set(np.unique(label).tolist()) == set(range(19)) | {255}
