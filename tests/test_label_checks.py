"""The checks shared by the pictures (boundary grid, model comparison)."""
import numpy as np
import pytest

from cblseg.visualization.label_checks import (MAX_CLASSES, check_label_map,
                                               check_palette, check_rgb_image)


def test_returns_the_classes_present_without_ignore():
    label = np.array([[3, 255, 0], [3, 3, 255]], dtype=np.uint8)
    present = check_label_map(label, 'label', 4, 255)
    assert present.tolist() == [0, 3]
    assert present.dtype == np.int64
    # ignore-only: nothing present, no error
    ignored = np.full((1, 1), 255, dtype=np.uint8)
    assert check_label_map(ignored, 'label', 4, 255).size == 0


@pytest.mark.parametrize(
    'label, error, message',
    [(np.zeros((2, 3, 3), np.uint8), ValueError,
      r'^gt must be a 2D .* \(2, 3, 3\) \(an RGB colour label\?'),
     (np.zeros(4, np.uint8), ValueError, r'got shape \(4,\)$'),
     (np.zeros((2, 2), np.float32), TypeError, 'integer array, got float32'),
     (np.zeros((0, 5), np.uint8), ValueError, r'must not be empty'),
     (np.array([[-1, 4, 0]]), ValueError,
      r'^gt contains values \[-1, 4\] .* \[0, 4\) nor the ignore index 255$'),
     (np.arange(20).reshape(1, 20) + 4, ValueError,
      r'values \[4, 5, 6, 7, 8, 9, 10, 11, \.\.\. \(12 more\)\]')])
def test_bad_label_maps_are_named(label, error, message):
    with pytest.raises(error, match=message):
        check_label_map(label, 'gt', 4, 255)


def test_too_many_classes():
    label = np.zeros((1, 1), np.int64)
    check_label_map(label, 'label', MAX_CLASSES, 255)
    with pytest.raises(ValueError, match='at most 255 classes, got 256'):
        check_label_map(label, 'label', MAX_CLASSES + 1, 255)


def test_palette():
    palette = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    colors = check_palette(palette, 2)
    assert colors.dtype == np.uint8 and colors.tolist() == palette[:2]
    assert check_palette(palette).shape == (3, 3)
    with pytest.raises(ValueError, match='palette has 3 colours for 4'):
        check_palette(palette, 4)
    with pytest.raises(ValueError, match=r'\[r, g, b\] .* shape \(3,\)'):
        check_palette([1, 2, 3])
    with pytest.raises(ValueError, match='at least one colour'):
        check_palette(np.zeros((0, 3)))


def test_rgb_image():
    grey = np.arange(6, dtype=np.uint8).reshape(2, 3)
    rgb = check_rgb_image(grey)
    assert rgb.shape == (2, 3, 3) and (rgb[..., 2] == grey).all()
    with pytest.raises(ValueError, match=r'shape \(2, 3, 4\) and dtype uint8'):
        check_rgb_image(np.zeros((2, 3, 4), np.uint8))
    with pytest.raises(ValueError, match='dtype float32'):
        check_rgb_image(np.zeros((2, 3, 3), np.float32))
