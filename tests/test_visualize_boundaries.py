"""Tests of the boundary pictures (cblseg/visualization/boundary_grid.py and
tools/analysis/visualize_boundaries.py)."""
import math
import os.path as osp
import runpy
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from cblseg.datasets.cityscapes_labels import (CITYSCAPES_TRAIN_CLASSES,
                                               CITYSCAPES_TRAIN_PALETTE)
from cblseg.datasets.voc_labels import VOC_CLASSES, VOC_PALETTE
from cblseg.ops import class_boundaries, ignore_aware_one_hot, resolve_radius
from cblseg.visualization.boundary_grid import (
    GAP, HEADER_HEIGHT, TILE_GAP, TITLE_HEIGHT, boundary_grid_size,
    classes_to_show, compose_boundary_grid, overlay_boundaries, tile_shape)
from helpers import DEMO_BASELINE_CONFIG, REPO_ROOT, run_tool

TOOL = osp.join(REPO_ROOT, 'tools/analysis/visualize_boundaries.py')


def expected_size(label_shape, num_shown, tile_width=160, columns=4):
    """The documented size formula, written out independently."""
    height, width = label_shape
    tile_height = min(4 * tile_width,
                      max(1, math.floor(tile_width * height / width + 0.5)))
    cells = 1 + num_shown
    cols = min(columns, cells)
    rows = math.ceil(cells / cols)
    return (HEADER_HEIGHT + rows * (TITLE_HEIGHT + tile_height) +
            (rows + 1) * GAP,
            cols * (2 * tile_width + TILE_GAP) + (cols + 1) * GAP)


def cell_origins(num_cells, tile_height, tile_width=160, columns=4):
    """Top-left corner of every cell's title bar."""
    cols = min(columns, num_cells)
    cell_h, cell_w = TITLE_HEIGHT + tile_height, 2 * tile_width + TILE_GAP
    return [(HEADER_HEIGHT + GAP + (i // cols) * (cell_h + GAP),
             GAP + (i % cols) * (cell_w + GAP)) for i in range(num_cells)]


def titled_cells(grid, tile_height, tile_width=160, columns=4, limit=64):
    """How many cell positions (in grid order) carry text in their title."""
    count = 0
    for top, left in cell_origins(limit, tile_height, tile_width, columns):
        bar = grid[top:top + TITLE_HEIGHT, left:left + 2 * tile_width]
        if bar.shape[0] < TITLE_HEIGHT or (bar < 100).sum() < 5:
            break
        count += 1
    return count


def street_label(height=37, width=61):
    """Three classes (road, sidewalk, car) and an ignored bottom strip."""
    label = np.zeros((height, width), dtype=np.uint8)  # road
    label[:, :width // 4] = 1  # sidewalk
    label[5:15, 30:45] = 13  # car
    label[-4:] = 255
    return label


def load_tool():
    return runpy.run_path(TOOL, run_name='visualize_boundaries')


# -- geometry -------------------------------------------------------------


@pytest.mark.parametrize('shape,tile_width,columns,num_shown',
                         [((128, 256), 160, 4, 0), ((128, 256), 160, 4, 19),
                          ((1, 1), 8, 1, 1), ((7, 13), 33, 3, 5),
                          ((13, 7), 20, 10, 2), ((1000, 3), 16, 2, 3)])
def test_grid_size_formula(shape, tile_width, columns, num_shown):
    tile_height, tw = tile_shape(shape, tile_width)
    assert tw == tile_width
    assert boundary_grid_size(num_shown, tile_height, tile_width,
                              columns) == expected_size(
                                  shape, num_shown, tile_width, columns)
    assert tile_shape((1000, 3), 16)[0] == 64  # capped at 4x the width


@pytest.mark.parametrize('shape', [(1, 1), (1, 9), (9, 1), (7, 13), (13, 7),
                                   (31, 17)])
def test_grid_odd_sizes(shape):
    rng = np.random.default_rng(sum(shape))
    label = rng.integers(0, 4, shape).astype(np.uint8)
    label[0, 0] = 255
    radius = resolve_radius(*shape[:2])
    assert radius == 1
    grid = compose_boundary_grid(label, VOC_CLASSES, VOC_PALETTE, radius)
    shown = classes_to_show(label, len(VOC_CLASSES))
    assert grid.dtype == np.uint8 and grid.ndim == 3
    assert grid.shape[:2] == expected_size(shape, len(shown))
    overlay = overlay_boundaries(
        np.full(shape + (3, ), 128, np.uint8), label, VOC_PALETTE, radius)
    assert overlay.shape == shape + (3, )


def test_cells_per_class_present_or_all():
    label = street_label()
    names, palette = CITYSCAPES_TRAIN_CLASSES, CITYSCAPES_TRAIN_PALETTE
    tile_height = tile_shape(label.shape)[0]
    grid = compose_boundary_grid(label, names, palette, 2)
    assert classes_to_show(label, 19) == [0, 1, 13]
    assert grid.shape[:2] == expected_size(label.shape, 3)
    assert titled_cells(grid, tile_height) == 1 + 3
    grid = compose_boundary_grid(label, names, palette, 2, all_classes=True)
    assert grid.shape[:2] == expected_size(label.shape, 19)
    assert titled_cells(grid, tile_height) == 1 + 19


def test_tiles_show_one_hot_and_class_boundaries():
    # Tile width == label width: no resampling, tiles are the masks.
    label = np.zeros((20, 40), dtype=np.uint8)
    label[4:16, 8:30] = 2
    label[10:, 30:] = 1
    grid = compose_boundary_grid(
        label, ['a', 'b', 'c'], [[10, 20, 30]] * 3, 2, tile_width=40)
    tensor = torch.from_numpy(label)
    masks = ignore_aware_one_hot(tensor, 3).numpy().astype(bool)
    bands = class_boundaries(tensor, 3, 2).numpy().astype(bool)
    origins = cell_origins(4, 20, tile_width=40)
    for k, (top, left) in zip([0, 1, 2], origins[1:]):
        tiles = grid[top + TITLE_HEIGHT:top + TITLE_HEIGHT + 20]
        mask_tile = tiles[:, left:left + 40]
        band_tile = tiles[:, left + 40 + TILE_GAP:left + 80 + TILE_GAP]
        assert ((mask_tile == 255).all(-1) == masks[k]).all()
        assert ((band_tile == 255).all(-1) == bands[k]).all()


def test_only_ignore_gives_single_cell(tmp_path):
    label = np.full((9, 14), 255, dtype=np.uint8)
    grid = compose_boundary_grid(label, VOC_CLASSES, VOC_PALETTE, 1)
    assert grid.shape[:2] == expected_size(label.shape, 0)
    assert titled_cells(grid, tile_shape(label.shape)[0]) == 1
    path = str(tmp_path / 'empty.png')
    Image.fromarray(grid).save(path)
    with Image.open(path) as image:
        assert image.format == 'PNG'
        assert image.size == (grid.shape[1], grid.shape[0])


def test_overlay_paints_band_in_class_colours():
    label = np.zeros((12, 20), dtype=np.uint8)
    label[:, 10:] = 1
    label[:2] = 255
    image = np.full((12, 20, 3), 100, np.uint8)
    palette = [[255, 0, 0], [0, 0, 255]]
    out = overlay_boundaries(
        image, label, palette, 1, alpha=1.0, ignore_style='none')
    # Radius 1: columns 9 and 10 meet; rows 2 (next to ignore) and the
    # image border are boundary too; (6, 5) is interior.
    assert (out[6, 9] == [255, 0, 0]).all()
    assert (out[6, 10] == [0, 0, 255]).all()
    assert (out[6, 5] == 100).all()
    assert (out[:2] == 100).all()
    darkened = overlay_boundaries(
        image, label, palette, 1, alpha=0.5, ignore_style='darken')
    assert (darkened[:2] < 100).all()
    hatched = overlay_boundaries(
        image, label, palette, 1, alpha=0.5, ignore_style='hatch')
    assert len(np.unique(hatched[:2].reshape(-1, 3), axis=0)) == 2


def test_errors():
    with pytest.raises(ValueError, match=r'\[30\]'):
        compose_boundary_grid(
            np.array([[30]], np.uint8), VOC_CLASSES, VOC_PALETTE, 1)
    with pytest.raises(ValueError, match='2D'):
        compose_boundary_grid(
            np.zeros((4, 4, 3), np.uint8), VOC_CLASSES, VOC_PALETTE, 1)
    with pytest.raises(ValueError, match='palette'):
        compose_boundary_grid(
            np.zeros((4, 4), np.uint8), VOC_CLASSES, VOC_PALETTE[:3], 1)
    with pytest.raises(ValueError, match='radius'):
        compose_boundary_grid(
            np.zeros((4, 4), np.uint8), VOC_CLASSES, VOC_PALETTE, 0)
    with pytest.raises(ValueError, match='not both'):
        resolve_radius(4, 4, radius=2, dilation=0.1)
    assert resolve_radius(1024, 2048) == 46
    assert resolve_radius(1024, 2048, dilation=0.01) == 23


# -- CLI ------------------------------------------------------------------


def _write_pair(tmp_path, image, label, name='scene'):
    img_path = str(tmp_path / f'{name}.jpg')
    label_path = str(tmp_path / f'{name}_label.png')
    Image.fromarray(image).save(img_path)
    Image.fromarray(label).save(label_path)
    return img_path, label_path


def test_cli_image_label_mode(tmp_path, capsys):
    label = street_label()
    image = np.random.default_rng(0).integers(
        0, 255, label.shape + (3, ), dtype=np.uint8)
    img_path, label_path = _write_pair(tmp_path, image, label)
    out_dir = tmp_path / 'out'
    paths = load_tool()['main']([
        '--img', img_path, '--label', label_path, '--dataset', 'cityscapes',
        '--out-dir',
        str(out_dir), '--columns', '3', '--tile-width', '64'
    ])
    assert paths == [
        str(out_dir / 'scene_boundary_grid.png'),
        str(out_dir / 'scene_boundary_overlay.png')
    ]
    assert capsys.readouterr().out.split() == paths
    with Image.open(paths[0]) as grid:
        assert grid.format == 'PNG' and grid.mode == 'RGB'
        assert grid.size[::-1] == expected_size(label.shape, 3, 64, 3)
    with Image.open(paths[1]) as overlay:
        assert overlay.size == (label.shape[1], label.shape[0])


@pytest.mark.parametrize('shape,value', [((1, 1), 3), ((5, 7), 255)])
def test_cli_tiny_and_ignore_only(tmp_path, shape, value):
    label = np.full(shape, value, dtype=np.uint8)
    image = np.zeros(shape, dtype=np.uint8)  # grey image
    img_path = str(tmp_path / 'tiny.png')
    label_path = str(tmp_path / 'tiny_label.png')
    Image.fromarray(image).save(img_path)
    Image.fromarray(label).save(label_path)
    paths = load_tool()['main']([
        '--img', img_path, '--label', label_path, '--num-classes', '5',
        '--out-dir',
        str(tmp_path), '--dilation', '0.02'
    ])
    with Image.open(paths[0]) as grid:
        assert grid.size[::-1] == expected_size(shape, int(value != 255))
    with Image.open(paths[1]) as overlay:
        assert overlay.size == shape[::-1]


def test_cli_rejects_bad_input(tmp_path):
    main = load_tool()['main']
    with pytest.raises(SystemExit):  # neither mode
        main(['--out-dir', str(tmp_path)])
    label = np.full((4, 4), 40, dtype=np.uint8)
    img_path, label_path = _write_pair(tmp_path, np.zeros((4, 4, 3), np.uint8),
                                       label)
    with pytest.raises(SystemExit, match=r'\[40\]'):
        main([
            '--img', img_path, '--label', label_path, '--dataset', 'voc',
            '--out-dir',
            str(tmp_path)
        ])
    rgb_path = str(tmp_path / 'rgb.png')
    Image.fromarray(np.zeros((4, 4, 3), np.uint8)).save(rgb_path)
    with pytest.raises(SystemExit, match='colour'):
        main([
            '--img', img_path, '--label', rgb_path, '--dataset', 'voc',
            '--out-dir',
            str(tmp_path)
        ])


@pytest.mark.slow
def test_cli_config_mode_subprocess(synthetic_cityscapes_root, tmp_path):
    out_dir = str(tmp_path / 'pictures')
    result = run_tool([
        sys.executable, TOOL, '--config', DEMO_BASELINE_CONFIG, '--index', '1',
        '--split', 'val', '--radius', '3', '--out-dir', out_dir,
        '--cfg-options',
        f'val_dataloader.dataset.data_root={synthetic_cityscapes_root}'
    ],
                      timeout=120)
    assert result.returncode == 0, result.stdout
    stem = 'testville_000001_000019_leftImg8bit'
    paths = [
        osp.join(out_dir, f'{stem}_boundary_{kind}.png')
        for kind in ('grid', 'overlay')
    ]
    assert result.stdout.split()[-2:] == paths
    label_path = osp.join(synthetic_cityscapes_root, 'gtFine', 'val',
                          'testville',
                          'testville_000001_000019_gtFine_labelTrainIds.png')
    label = np.array(Image.open(label_path))
    num_present = len(set(np.unique(label).tolist()) - {255})
    assert num_present > 1
    with Image.open(paths[0]) as grid:
        assert grid.format == 'PNG'
        assert grid.size[::-1] == expected_size(label.shape, num_present)
        grid = np.array(grid)
    assert titled_cells(grid, tile_shape(label.shape)[0]) == 1 + num_present
    with Image.open(paths[1]) as overlay:
        assert overlay.size == label.shape[::-1]
