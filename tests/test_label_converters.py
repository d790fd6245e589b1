"""Tests of the Cityscapes / VOC label converters and their CLI tools."""
import glob
import os
import os.path as osp
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from cblseg.datasets.cityscapes_labels import (CITYSCAPES_LABELS,
                                               label_id_to_train_id_lut)
from cblseg.datasets.label_converters import (
    AMBIGUOUS_COLORS, color_to_train_id_map, color_to_train_ids,
    convert_cityscapes, convert_voc, label_id_to_train_id_map,
    label_ids_to_train_ids, load_voc_label, merge_sbd, rgb_to_voc_indices,
    voc_color_to_index_map)
from cblseg.datasets.synthetic import (generate_synthetic_cityscapes,
                                       generate_synthetic_voc)
from cblseg.datasets.voc_labels import VOC_BORDER_COLOR, voc_color_map
from helpers import REPO_ROOT

CAR, POLE, IGNORE = 13, 5, 255
PLATE_STORED_ID = 255


def _read(path):
    with Image.open(path) as image:
        return np.asarray(image).copy()


def _touch_after(src, reference):
    """Give ``src`` a modification time 1 s after ``reference``'s."""
    mtime = os.stat(reference).st_mtime_ns + 10**9
    os.utime(src, ns=(mtime, mtime))


@pytest.fixture(scope='module')
def source_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('label_converters')
    cityscapes = generate_synthetic_cityscapes(
        str(root / 'cityscapes'), num_train=6, num_val=2, height=64,
        width=128)['root']
    voc = generate_synthetic_voc(
        str(root / 'VOC2012'), num_train=6, num_val=2, height=64,
        width=64)['root']
    return dict(cityscapes=cityscapes, voc=voc)


@pytest.fixture
def cityscapes(source_data, tmp_path):
    """A copy of the synthetic Cityscapes data without labelTrainIds.

    Returns:
        tuple: (root, {labelTrainIds path: ground-truth train ids}).
    """
    root = str(tmp_path / 'cityscapes')
    shutil.copytree(source_data['cityscapes'], root)
    truth = {}
    for path in sorted(
            glob.glob(osp.join(root, 'gtFine', '*', '*', '*TrainIds.png'))):
        truth[path] = _read(path)
        os.remove(path)
    assert len(truth) == 8
    return root, truth


@pytest.fixture
def voc(source_data, tmp_path):
    """A copy of the synthetic VOC data whose even-numbered labels are saved
    as RGB colour images.

    Returns:
        tuple: (root, {label path: indices}, [paths saved as RGB]).
    """
    root = str(tmp_path / 'VOC2012')
    shutil.copytree(source_data['voc'], root)
    paths = sorted(glob.glob(osp.join(root, 'SegmentationClass', '*.png')))
    truth = {path: _read(path) for path in paths}
    rgb = paths[::2]
    for path in rgb:
        with Image.open(path) as image:
            image.convert('RGB').save(path)
    return root, truth, rgb


def _fake_sbd(root, voc_root):
    """A tiny SBD ``benchmark_RELEASE``: cls/*.mat for one VOC train id, one
    VOC val id and three SBD-only ids, plus train.txt / val.txt."""
    split_dir = osp.join(voc_root, 'ImageSets', 'Segmentation')
    with open(osp.join(split_dir, 'train.txt')) as file:
        voc_train = file.read().split()
    with open(osp.join(split_dir, 'val.txt')) as file:
        voc_val = file.read().split()
    dataset = osp.join(root, 'dataset')
    os.makedirs(osp.join(dataset, 'cls'))
    rng = np.random.default_rng(0)
    masks = {}
    ids = [
        voc_train[0], voc_val[0], '2008_000001', '2008_000002', '2008_000003'
    ]
    boundaries = np.empty((20, 1), dtype=object)  # a cell array, unused
    boundaries[:, 0] = [np.zeros((0, 0))] * 20
    for index, image_id in enumerate(ids):
        mask = rng.integers(0, 21, size=(32, 48)).astype(np.uint8)
        masks[image_id] = mask
        # SBD stores uint8; a double matrix must work too.
        stored = mask.astype(np.float64) if index == 3 else mask
        savemat(
            osp.join(dataset, 'cls', image_id + '.mat'), {
                'GTcls': {
                    'Segmentation': stored,
                    'Boundaries': boundaries,
                    'CategoriesPresent': np.unique(mask).astype(np.uint8),
                }
            })
    with open(osp.join(dataset, 'train.txt'), 'w') as file:
        file.write(f'{ids[0]}\n{ids[2]}\n{ids[3]}\n')
    with open(osp.join(dataset, 'val.txt'), 'w') as file:
        file.write(f'{ids[1]}\n{ids[4]}\n')
    return root, masks, voc_train, voc_val


# -- tables and arrays ------------------------------------------------------


def test_label_table_equals_cityscapesscripts():
    """Our table is the official one, row for row and field for field."""
    official = pytest.importorskip('cityscapesscripts.helpers.labels')
    assert [tuple(label) for label in CITYSCAPES_LABELS
            ] == [tuple(label) for label in official.labels]
    assert CITYSCAPES_LABELS[0]._fields == official.labels[0]._fields


@pytest.mark.parametrize('unknown', [255, 254, 19])
def test_id_lut_equals_cityscapesscripts(unknown):
    """The one id -> train id table: official ids get cityscapesScripts'
    train id (ignored ones, 255 or -1, as 255; the license plate, id -1,
    is stored as 255), every other id the ``unknown`` entry."""
    official = pytest.importorskip('cityscapesscripts.helpers.labels')
    lut = label_id_to_train_id_lut(unknown=unknown)
    assert lut.dtype == np.uint8 and lut.shape == (256, )
    expected = np.full(256, unknown, dtype=np.uint8)
    for label in official.labels:
        stored = PLATE_STORED_ID if label.id == -1 else label.id
        expected[stored] = label.trainId if 0 <= label.trainId < 255 \
            else IGNORE
    np.testing.assert_array_equal(lut, expected)
    assert lut[PLATE_STORED_ID] == IGNORE and lut[26] == CAR
    # a new array per call: callers may write into it
    lut[:] = 0
    assert label_id_to_train_id_lut(unknown=unknown)[26] == CAR


@pytest.mark.parametrize('unknown', [0, 18, -1, 256, True, 254.0, '254'])
def test_id_lut_rejects_unknown_marks_that_pass_for_a_class(unknown):
    with pytest.raises(
            ValueError,
            match=r'unknown must be an integer in '
            r'\[19, 255\] \(not a train id\)'):
        label_id_to_train_id_lut(unknown=unknown)


def test_label_id_mapping_is_the_official_one():
    official = label_id_to_train_id_lut()
    mapping = label_id_to_train_id_map()
    assert set(mapping) == set(range(34)) | {PLATE_STORED_ID}
    assert all(mapping[i] == official[i] for i in mapping)
    ids = np.array([list(range(34)) + [PLATE_STORED_ID]], dtype=np.uint8)
    train_ids, unknown = label_ids_to_train_ids(ids)
    assert unknown == {} and train_ids.dtype == np.uint8
    assert np.array_equal(train_ids, official[ids])
    assert train_ids[0, -1] == IGNORE  # license plate

    ids = np.full((4, 5), 7, dtype=np.uint8)
    ids[0, :3] = 40
    ids[3, 4] = 254
    train_ids, unknown = label_ids_to_train_ids(ids)
    assert unknown == {40: 3, 254: 1}
    assert (train_ids[1:3] == 0).all()
    # Signed / wide arrays: -1 is the license plate, out-of-range is unknown.
    train_ids, unknown = label_ids_to_train_ids(
        np.array([[-1, 26, 300, -5]], dtype=np.int32))
    assert unknown == {300: 1, -5: 1}
    assert list(train_ids[0, :2]) == [IGNORE, CAR]


def test_color_mapping_resolves_shared_colours():
    mapping = color_to_train_id_map()
    for label in CITYSCAPES_LABELS:
        sharing = [
            other for other in CITYSCAPES_LABELS if other.color == label.color
        ]
        if len(sharing) == 1:
            expected = label.trainId if 0 <= label.trainId < 255 else IGNORE
            assert mapping[label.color] == expected, label.name
    assert mapping[(0, 0, 0)] == IGNORE  # five void labels, all ignored
    assert mapping[(0, 0, 142)] == CAR  # car and license plate
    assert mapping[(153, 153, 153)] == POLE  # pole and polegroup
    assert AMBIGUOUS_COLORS == {
        (0, 0, 142): (('car', 'license plate'), 'car'),
        (153, 153, 153): (('pole', 'polegroup'), 'pole'),
    }
    image = np.zeros((3, 4, 4), dtype=np.uint8)  # RGBA: alpha is ignored
    image[...] = (0, 0, 142, 255)
    image[0, 0, :3] = (1, 2, 3)
    image[2, :2, :3] = (70, 130, 180)  # sky
    train_ids, unknown = color_to_train_ids(image)
    assert unknown == {(1, 2, 3): 1}
    assert train_ids[1].tolist() == [CAR] * 4
    assert train_ids[2].tolist() == [10, 10, CAR, CAR]


def test_voc_colour_table():
    mapping = voc_color_to_index_map()
    assert len(mapping) == 22 and mapping[VOC_BORDER_COLOR] == 255
    colors = voc_color_map(256)
    indices = np.array([list(range(21)) + [255]], dtype=np.uint8)
    result, unknown = rgb_to_voc_indices(colors[indices])
    assert unknown == {} and np.array_equal(result, indices)
    rgb = colors[np.zeros((2, 3), dtype=np.uint8)]
    rgb[1, 1] = (5, 5, 5)
    assert rgb_to_voc_indices(rgb)[1] == {(5, 5, 5): 1}


# -- Cityscapes files -------------------------------------------------------


def test_cityscapes_label_ids_idempotent(cityscapes):
    root, truth = cityscapes
    summary = convert_cityscapes(root, nproc=2, progress=False)
    assert summary.counts == dict(converted=8, skipped=0, failed=0)
    assert summary.ok
    for path, expected in truth.items():
        assert np.array_equal(_read(path), expected), path

    again = convert_cityscapes(root, progress=False)
    assert again.counts == dict(converted=0, skipped=8, failed=0)
    assert {result.reason for result in again.skipped} == {'up to date'}

    touched = sorted(truth)[3].replace('labelTrainIds', 'labelIds')
    _touch_after(touched, sorted(truth)[3])
    redo = convert_cityscapes(root, progress=False)
    assert [result.src for result in redo.converted] == [touched]
    assert redo.counts['skipped'] == 7

    forced = convert_cityscapes(root, force=True, progress=False)
    assert forced.counts['converted'] == 8


def test_cityscapes_color_makes_plates_cars(cityscapes):
    root, truth = cityscapes
    summary = convert_cityscapes(root, source='color', progress=False)
    assert summary.counts == dict(converted=8, skipped=0, failed=0)
    plate_pixels = 0
    for path, expected in truth.items():
        label_ids = _read(path.replace('labelTrainIds', 'labelIds'))
        plates = label_ids == PLATE_STORED_ID
        plate_pixels += plates.sum()
        result = _read(path)
        # Exactly the license plate pixels differ: ignored -> car.
        assert (expected[plates] == IGNORE).all()
        assert (result[plates] == CAR).all()
        assert np.array_equal(result[~plates], expected[~plates])
    assert plate_pixels > 0, 'the synthetic data should hold license plates'


def test_cityscapes_unknown_values_are_reported(cityscapes):
    root, truth = cityscapes
    outputs = sorted(truth)
    bad_ids = outputs[0].replace('labelTrainIds', 'labelIds')
    ids = _read(bad_ids)
    ids[:3, :5] = 40
    ids[10, :2] = 250
    Image.fromarray(ids).save(bad_ids)
    corrupt = outputs[1].replace('labelTrainIds', 'labelIds')
    with open(corrupt, 'wb') as file:
        file.write(b'not a png')

    summary = convert_cityscapes(root, progress=False)
    assert summary.counts == dict(converted=6, skipped=0, failed=2)
    assert not summary.ok
    failed = {result.src: result for result in summary.failed}
    assert failed[bad_ids].unknown == {40: 15, 250: 2}
    assert failed[bad_ids].reason == 'unknown label ids'
    assert 'UnidentifiedImageError' in failed[corrupt].reason
    assert not osp.exists(outputs[0]) and not osp.exists(outputs[1])
    report = summary.format()
    assert f'{bad_ids}: unknown label ids: 40 x 15 px, 250 x 2 px' in report
    assert 'converted 6' in report and 'failed 2' in report

    bad_color = outputs[2].replace('labelTrainIds', 'color')
    rgb = _read(bad_color)
    rgb[-4:, -4:] = (1, 2, 3)
    Image.fromarray(rgb).save(bad_color)
    os.remove(outputs[2])
    summary = convert_cityscapes(root, source='color', progress=False)
    failed = {result.src: result for result in summary.failed}
    assert list(failed) == [bad_color]
    assert failed[bad_color].unknown == {(1, 2, 3): 16}
    assert not osp.exists(outputs[2])
    # The files converted from labelIds are newer than their colour labels.
    assert summary.counts['skipped'] == 5


# -- VOC files ---------------------------------------------------------------


def test_voc_in_place(voc):
    root, truth, rgb = voc
    summary = convert_voc(root, in_place=True, nproc=2, progress=False)
    assert summary.ok
    assert sorted(r.src for r in summary.converted) == rgb
    assert {r.reason for r in summary.skipped} == {'already indexed'}
    assert summary.counts['skipped'] == len(truth) - len(rgb)
    assert any((indices == 255).any() for indices in truth.values())
    for path, expected in truth.items():
        with Image.open(path) as image:
            assert image.mode == 'P'
        indices, unknown, indexed = load_voc_label(path)
        assert indexed and unknown == {}
        assert np.array_equal(indices, expected), path
    again = convert_voc(root, in_place=True, progress=False)
    assert again.counts == dict(converted=0, skipped=len(truth), failed=0)


def test_voc_out_dir_and_skip_rule(voc):
    root, truth, rgb = voc
    out_dir = osp.join(root, 'SegmentationClassIndex')
    summary = convert_voc(root, progress=False)
    assert summary.counts == dict(converted=len(truth), skipped=0, failed=0)
    copied = sorted(r.src for r in summary.converted
                    if r.reason == 'already indexed, copied')
    assert copied == sorted(set(truth) - set(rgb))
    for path, expected in truth.items():
        assert np.array_equal(
            _read(osp.join(out_dir, osp.basename(path))), expected)
    with Image.open(rgb[0]) as image:
        assert image.mode == 'RGB'  # originals untouched

    assert convert_voc(root, progress=False).counts['skipped'] == len(truth)
    _touch_after(rgb[1], osp.join(out_dir, osp.basename(rgb[1])))
    redo = convert_voc(root, progress=False)
    assert [r.src for r in redo.converted] == [rgb[1]]


def test_voc_unknown_colours_and_palettes(voc):
    root, truth, rgb = voc
    paths = sorted(truth)
    image = _read(rgb[0])
    image[:2, :3] = (1, 2, 3)
    Image.fromarray(image).save(rgb[0])
    # A VOC palette image using index 30, which is not a VOC class.
    bad_index = [p for p in paths if p not in rgb][0]
    indices = truth[bad_index].copy()
    indices[0, :4] = 30
    label = Image.fromarray(indices)
    label.putpalette(voc_color_map(256).tobytes())
    label.save(bad_index)
    # A palette image with another palette: converted through its colours.
    other = [p for p in paths if p not in rgb][1]
    order = np.random.default_rng(0).permutation(256).astype(np.uint8)
    inverse = np.argsort(order).astype(np.uint8)
    label = Image.fromarray(inverse[truth[other]])
    label.putpalette(voc_color_map(256)[order].tobytes())
    label.save(other)

    summary = convert_voc(root, in_place=True, progress=False)
    failed = {result.src: result for result in summary.failed}
    assert failed[rgb[0]].unknown == {(1, 2, 3): 6}
    assert failed[rgb[0]].reason == 'unknown colours'
    assert failed[bad_index].unknown == {30: 4}
    assert len(failed) == 2 and not summary.ok
    with Image.open(rgb[0]) as image:
        assert image.mode == 'RGB'  # not written
    assert other in [result.src for result in summary.converted]
    assert np.array_equal(_read(other), truth[other])
    assert f'{rgb[0]}: unknown colours: (1, 2, 3) x 6 px' in summary.format()


def test_sbd_merge(voc, tmp_path):
    root, truth, rgb = voc
    sbd, masks, voc_train, voc_val = _fake_sbd(str(tmp_path / 'sbd'), root)
    summary = merge_sbd(root, sbd, progress=False)
    assert summary.ok, summary.format()
    aug_dir = osp.join(root, 'SegmentationClassAug')
    voc_ids = {osp.basename(p)[:-4]: p for p in truth}
    sbd_only = sorted(set(masks) - set(voc_ids))
    assert sorted(os.listdir(aug_dir)) == sorted(
        f'{i}.png' for i in set(voc_ids) | set(masks))
    for image_id, path in voc_ids.items():  # VOC wins over SBD
        assert np.array_equal(
            _read(osp.join(aug_dir, image_id + '.png')), truth[path])
    for image_id in sbd_only:
        with Image.open(osp.join(aug_dir, image_id + '.png')) as image:
            assert image.mode == 'P'
        assert np.array_equal(
            _read(osp.join(aug_dir, image_id + '.png')), masks[image_id])
    split_dir = osp.join(root, 'ImageSets', 'Segmentation')
    with open(osp.join(split_dir, 'aug.txt')) as file:
        assert file.read().split() == sbd_only
    with open(osp.join(split_dir, 'trainaug.txt')) as file:
        assert file.read().split() == sorted((set(voc_train) | set(masks)) -
                                             set(voc_val))
    # Idempotent; the dataset folder itself is accepted too.
    again = merge_sbd(root, osp.join(sbd, 'dataset'), progress=False)
    assert again.counts['skipped'] == len(summary.results)


# -- command-line tools ------------------------------------------------------


@pytest.mark.slow
def test_cli_tools(cityscapes, voc, tmp_path):
    cs_root, cs_truth = cityscapes
    bad = sorted(cs_truth)[0].replace('labelTrainIds', 'labelIds')
    ids = _read(bad)
    ids[0, :6] = 99
    Image.fromarray(ids).save(bad)
    voc_root, voc_truth, _ = voc
    sbd, _, _, _ = _fake_sbd(str(tmp_path / 'sbd'), voc_root)
    tool_dir = osp.join(REPO_ROOT, 'tools', 'dataset_converters')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    commands = [
        [
            sys.executable,
            osp.join(tool_dir, 'cityscapes.py'), cs_root, '--nproc', '2'
        ],
        [
            sys.executable,
            osp.join(tool_dir, 'voc.py'), voc_root, '--in-place', '--sbd-path',
            sbd, '--nproc', '2'
        ],
    ]
    # Both at once: most of their time is importing mmseg.
    processes = [
        subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True) for command in commands
    ]
    (cs_out, _), (voc_out, _) = [p.communicate(timeout=120) for p in processes]

    assert processes[0].returncode == 1, cs_out
    assert f'FAILED {bad}: unknown label ids: 99 x 6 px' in cs_out
    assert ('cityscapes labelIds -> labelTrainIds: 8 files: converted 7, '
            'skipped 0, failed 1') in cs_out
    assert not osp.exists(sorted(cs_truth)[0])

    assert processes[1].returncode == 0, voc_out
    assert 'voc SegmentationClass in place: 8 files: converted 4' in voc_out
    assert 'skipped 4 (4 already indexed), failed 0' in voc_out
    assert 'aug.txt: 3 ids' in voc_out and 'failed 0' in voc_out.splitlines(
    )[-1]
    for path, expected in voc_truth.items():
        assert np.array_equal(_read(path), expected)
