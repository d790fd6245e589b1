"""The synthetic ADE20K and Pascal Context generators: scenes, file layouts,
determinism and the command-line tool."""
import os
import os.path as osp
import runpy
import sys

import numpy as np
import pytest
from mmseg.datasets import ADE20KDataset, PascalContextDataset
from PIL import Image

from cblseg.datasets import (generate_synthetic_ade20k,
                             generate_synthetic_pascal_context,
                             render_ade20k_scene, render_class_scene,
                             render_pascal_context_scene)
from cblseg.datasets.synthetic.writer import META_FILENAME
from helpers import REPO_ROOT, run_tool

NUM_ADE20K_CLASSES = len(ADE20KDataset.METAINFO['classes'])  # 150
NUM_CONTEXT_LABELS = len(PascalContextDataset.METAINFO['classes'])  # 60


def _files(root):
    found = set()
    for parent, _, names in os.walk(root):
        for name in names:
            found.add(osp.relpath(osp.join(parent, name), root))
    return found


def _labels(render, seeds, height=96, width=128):
    return [
        render(np.random.default_rng(seed), height, width)[1] for seed in seeds
    ]


# -- scenes ----------------------------------------------------------------


@pytest.mark.parametrize('render, num_labels',
                         [(render_ade20k_scene, NUM_ADE20K_CLASSES + 1),
                          (render_pascal_context_scene, NUM_CONTEXT_LABELS)])
def test_scene_labels_cover_the_classes_and_other(render, num_labels):
    seen = set()
    for label in _labels(render, [[7, i] for i in range(40)]):
        assert label.dtype == np.uint8 and label.shape == (96, 128)
        values = set(np.unique(label).tolist())
        assert values <= set(range(num_labels))
        # "other" / background (0) and at least one class in every scene
        assert 0 in values and len(values) >= 2
        seen |= values
    # many classes over a few dozen scenes, stuff and things alike
    assert len(seen) >= min(num_labels, 50) * 0.6


def test_scene_is_deterministic():
    image_a, label_a = render_ade20k_scene(np.random.default_rng(3), 64, 80)
    image_b, label_b = render_ade20k_scene(np.random.default_rng(3), 64, 80)
    assert image_a.shape == (64, 80, 3) and image_a.dtype == np.uint8
    assert image_a.tobytes() == image_b.tobytes()
    assert label_a.tobytes() == label_b.tobytes()
    assert label_a.tobytes() != render_ade20k_scene(
        np.random.default_rng(4), 64, 80)[1].tobytes()


@pytest.mark.parametrize('size', [(1, 1), (2, 3), (33, 65), (65, 33)])
def test_odd_sizes_do_not_crash(size):
    for render in (render_ade20k_scene, render_pascal_context_scene):
        for seed in range(3):
            image, label = render(np.random.default_rng(seed), *size)
            assert image.shape == size + (3, ) and label.shape == size


def test_any_class_list_and_bad_arguments():
    image, label = render_class_scene(
        np.random.default_rng(0), 32, 32, ('thing', ))
    assert set(np.unique(label).tolist()) <= {0, 1}
    with pytest.raises(ValueError, match='254'):
        render_class_scene(
            np.random.default_rng(0), 8, 8, [str(i) for i in range(255)])
    with pytest.raises(ValueError, match='254'):
        render_class_scene(np.random.default_rng(0), 8, 8, ())
    with pytest.raises(ValueError, match='positive'):
        render_class_scene(np.random.default_rng(0), 0, 8, ('a', ))


# -- file layouts ----------------------------------------------------------


def test_ade20k_layout(tmp_path):
    root = tmp_path / 'ADEChallengeData2016'
    summary = generate_synthetic_ade20k(
        str(root), num_train=3, num_val=2, height=48, width=64, seed=1)
    assert not summary['skipped'] and summary['files_written'] == 10
    expected = {META_FILENAME}
    for folder, tag, count in (('training', 'train', 3), ('validation', 'val',
                                                          2)):
        for n in range(1, count + 1):
            stem = f'ADE_{tag}_{n:08d}'
            expected.add(osp.join('images', folder, stem + '.jpg'))
            expected.add(osp.join('annotations', folder, stem + '.png'))
    assert _files(root) == expected
    for name in expected - {META_FILENAME}:
        image = Image.open(root / name)
        assert image.size == (64, 48)
        if name.endswith('.jpg'):
            assert image.format == 'JPEG' and image.mode == 'RGB'
        else:
            assert image.format == 'PNG' and image.mode == 'L'
            values = np.unique(np.asarray(image))
            assert values.max() <= NUM_ADE20K_CLASSES and 0 in values


def test_pascal_context_layout(tmp_path):
    root = tmp_path / 'VOC2010'
    summary = generate_synthetic_pascal_context(
        str(root), num_train=3, num_val=2, height=40, width=56, seed=2)
    assert not summary['skipped'] and summary['files_written'] == 12
    ids = [f'2008_{n:06d}' for n in range(1, 6)]
    expected = {META_FILENAME}
    expected |= {osp.join('JPEGImages', f'{i}.jpg') for i in ids}
    expected |= {osp.join('SegmentationClassContext', f'{i}.png') for i in ids}
    split_dir = osp.join('ImageSets', 'SegmentationContext')
    expected |= {osp.join(split_dir, f'{s}.txt') for s in ('train', 'val')}
    assert _files(root) == expected
    assert (root / split_dir / 'train.txt').read_text().split() == ids[:3]
    assert (root / split_dir / 'val.txt').read_text().split() == ids[3:]
    for image_id in ids:
        image = Image.open(root / 'JPEGImages' / f'{image_id}.jpg')
        assert image.format == 'JPEG' and image.size == (56, 40)
        label = Image.open(root / 'SegmentationClassContext' /
                           f'{image_id}.png')
        assert label.mode == 'L' and label.size == (56, 40)
        values = np.unique(np.asarray(label))
        assert values.max() < NUM_CONTEXT_LABELS and 0 in values


@pytest.mark.parametrize(
    'generate', [generate_synthetic_ade20k, generate_synthetic_pascal_context])
def test_deterministic_and_independent_of_nproc(tmp_path, generate):
    roots = []
    for name, seed, nproc in (('a', 5, 1), ('b', 5, 2), ('c', 6, 1)):
        root = tmp_path / name
        generate(
            str(root),
            num_train=3,
            num_val=1,
            height=32,
            width=40,
            seed=seed,
            nproc=nproc)
        roots.append(root)
    files = _files(roots[0])
    assert files == _files(roots[1]) == _files(roots[2])
    data = [name for name in files if name.endswith(('.jpg', '.png'))]
    for name in files:
        assert (roots[0] / name).read_bytes() == (roots[1] /
                                                  name).read_bytes(), name
    # another seed, other scenes
    assert all(
        (roots[0] / name).read_bytes() != (roots[2] / name).read_bytes()
        for name in data)


@pytest.mark.parametrize(
    'generate', [generate_synthetic_ade20k, generate_synthetic_pascal_context])
def test_rerun_is_skipped_and_arguments_regenerate(tmp_path, generate):
    root = tmp_path / 'data'
    kwargs = dict(num_train=2, num_val=1, height=24, width=32, seed=0)
    generate(str(root), **kwargs)
    files = _files(root)
    mtimes = {name: os.stat(root / name).st_mtime_ns for name in files}
    summary = generate(str(root), **kwargs)
    assert summary['skipped'] and summary['files_written'] == 0
    assert {name: os.stat(root / name).st_mtime_ns for name in files} == mtimes
    # fewer images: the extra samples are removed
    summary = generate(str(root), **dict(kwargs, num_train=1))
    assert not summary['skipped']
    assert len(_files(root)) < len(files)


@pytest.mark.parametrize('generate, folder',
                         [(generate_synthetic_ade20k, 'images'),
                          (generate_synthetic_pascal_context, 'JPEGImages')])
def test_foreign_directory_is_not_overwritten(tmp_path, generate, folder):
    (tmp_path / folder).mkdir()
    (tmp_path / folder / 'real.jpg').write_bytes(b'real data')
    with pytest.raises(FileExistsError, match='synthetic'):
        generate(str(tmp_path), num_train=1, num_val=1, height=8, width=8)
    assert (tmp_path / folder / 'real.jpg').read_bytes() == b'real data'


def test_command_line_tool_writes_the_new_layouts(tmp_path, monkeypatch,
                                                  capsys):
    script = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                      'generate_synthetic_data.py')
    for layout in ('ade20k', 'pascal_context'):
        monkeypatch.setattr(sys, 'argv', [
            script, '--layout', layout, '--out-dir',
            str(tmp_path), '--num-train', '2', '--num-val', '1'
        ])
        runpy.run_path(script, run_name='__main__')
    output = capsys.readouterr().out
    assert '[ade20k] wrote 6 files' in output
    assert '[pascal_context] wrote 8 files' in output
    ade = tmp_path / 'ade' / 'ADEChallengeData2016'
    assert Image.open(ade / 'images' / 'validation' /
                      'ADE_val_00000001.jpg').size == (160, 128)
    context = tmp_path / 'VOCdevkit' / 'VOC2010'
    assert (context / 'ImageSets' / 'SegmentationContext' /
            'val.txt').read_text() == '2008_000003\n'
    # only the requested layouts
    assert not (tmp_path / 'cityscapes').exists()
    assert not (tmp_path / 'VOCdevkit' / 'VOC2012').exists()


@pytest.mark.slow
def test_worker_pool_after_a_parallel_opencv_call(tmp_path):
    """Forked workers hung for good in cv2.setNumThreads once the parent
    had run a parallel OpenCV call (as the tests before this one do); in a
    subprocess so that a hang fails this test instead of blocking."""
    code = ('import sys, cv2, numpy as np\n'
            'cv2.setNumThreads(2)\n'
            'cv2.resize(np.zeros((1024, 1024, 3), np.uint8), (2048, 2048))\n'
            'from cblseg.datasets import generate_synthetic_ade20k\n'
            'summary = generate_synthetic_ade20k(sys.argv[1], num_train=3, '
            'num_val=1, height=16, width=16, nproc=2)\n'
            'print(summary["files_written"], cv2.getNumThreads())\n')
    result = run_tool([sys.executable, '-c', code, str(tmp_path)], timeout=180)
    assert result.returncode == 0, result.stdout
    assert result.stdout.split()[-2:] == ['8', '2']
