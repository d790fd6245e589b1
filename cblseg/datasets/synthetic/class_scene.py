"""Procedural scenes for label sets with many classes (ADE20K, Pascal
Context).

:func:`render_class_scene` draws a scene for any tuple of class names, class
``k`` stored as label ``k + 1``: two stuff regions (wall over floor, sky over
grass, ... when the label set has such classes), objects, and patches of the
"other" label 0, which is what ADE20K's unlabelled pixels and Pascal
Context's background look like in the label PNGs. Classes that have a shape
family in the VOC scenes (person, car, chair, ...) are drawn with it; every
other class gets a generic shape (box, blob, bar, ellipse or framed box)
and a hue, both fixed per class, so that shape and colour carry some class
information and a network has something to learn.

It reuses the segment canvas, materials, object painters and image composer
of the VOC scenes (see :mod:`.appearance` for how label map and image are
kept in exact agreement). All randomness comes from the generator passed in.
"""
import numpy as np

from .appearance import StyleBook, compose_image
from .materials import VOC_MATERIALS
from .primitives import (SegmentCanvas, below_horizon_points, blob_points,
                         checked_image_size, ellipse_points,
                         image_frame_points, rounded_rect_points)
from .voc_painters import VOC_AIRBORNE, VOC_PAINTERS, ObjectPainter

__all__ = ['render_class_scene', 'OTHER_LABEL']

# Label of pixels that belong to no class of the list: "other objects" in
# ADE20K, "background" in Pascal Context. reduce_zero_label turns it into
# the ignore index 255.
OTHER_LABEL = 0

# Dataset class names drawn with a VOC shape family (ADE20K and Pascal
# Context spell some classes differently from VOC).
_SHAPE_FAMILIES = {
    'aeroplane': 'aeroplane',
    'airplane': 'aeroplane',
    'bicycle': 'bicycle',
    'bird': 'bird',
    'boat': 'boat',
    'ship': 'boat',
    'bottle': 'bottle',
    'bus': 'bus',
    'truck': 'bus',
    'car': 'car',
    'van': 'car',
    'cat': 'cat',
    'chair': 'chair',
    'armchair': 'chair',
    'swivel chair': 'chair',
    'cow': 'cow',
    'table': 'diningtable',
    'desk': 'diningtable',
    'coffee table': 'diningtable',
    'dog': 'dog',
    'animal': 'dog',
    'horse': 'horse',
    'motorbike': 'motorbike',
    'minibike': 'motorbike',
    'person': 'person',
    'pottedplant': 'pottedplant',
    'plant': 'pottedplant',
    'flower': 'pottedplant',
    'sheep': 'sheep',
    'sofa': 'sofa',
    'train': 'train',
    'tvmonitor': 'tvmonitor',
    'monitor': 'tvmonitor',
    'computer': 'tvmonitor',
    'television receiver': 'tvmonitor',
    'crt screen': 'tvmonitor',
}

# Stuff classes that can fill the upper / lower part of a scene, with the
# material they are painted in.
_TOP_STUFF = {
    'sky': 'sky',
    'wall': 'wall',
    'ceiling': 'wall',
    'building': 'building',
    'skyscraper': 'building',
    'house': 'building',
    'mountain': 'grass',
    'hill': 'grass',
    'tree': 'leaf',
}
_BOTTOM_STUFF = {
    'floor': 'floor',
    'rug': 'floor',
    'platform': 'floor',
    'ground': 'floor',
    'earth': 'floor',
    'sand': 'floor',
    'path': 'floor',
    'dirt track': 'floor',
    'track': 'floor',
    'road': 'road',
    'sidewalk': 'road',
    'runway': 'road',
    'grass': 'grass',
    'field': 'grass',
    'land': 'grass',
    'water': 'water',
    'sea': 'water',
    'river': 'water',
    'lake': 'water',
    'snow': 'water',
}

_GENERIC_SHAPES = ('box', 'blob', 'bar', 'ellipse', 'framed')
_GOLDEN_ANGLE = 137.508  # degrees: spreads class hues evenly


def _class_style(styles, class_index):
    hue = (class_index * _GOLDEN_ANGLE) % 360.0
    return styles('clutter', hue=(hue - 12.0, hue + 12.0))


def _draw_generic(canvas, styles, rng, label, class_index, center, size):
    """Draw the generic shape of a class without a shape family."""
    shape = _GENERIC_SHAPES[class_index % len(_GENERIC_SHAPES)]
    segment = canvas.new_segment(label, _class_style(styles, class_index))
    center_x, center_y = center
    aspect = rng.uniform(0.4, 1.0)
    half_w, half_h = size, size * aspect
    if rng.random() < 0.5:  # upright or lying
        half_w, half_h = half_h, half_w
    if shape == 'bar':
        angle = rng.normal(0.5 * np.pi, 0.2) if rng.random() < 0.6 else \
            rng.uniform(0, np.pi)
        direction = np.array([np.cos(angle), np.sin(angle)]) * size
        canvas.stroke([center - direction, center + direction],
                      max(1.0, size * rng.uniform(0.08, 0.2)), segment)
    elif shape == 'blob':
        canvas.fill(
            blob_points(rng, center_x, center_y, half_w, half_h, 0.5), segment)
    elif shape == 'ellipse':
        canvas.fill(
            ellipse_points(center_x, center_y, half_w, half_h,
                           rng.uniform(0, np.pi)), segment)
    else:
        canvas.fill(
            rounded_rect_points(center_x - half_w, center_y - half_h,
                                center_x + half_w, center_y + half_h,
                                size * rng.uniform(0.0, 0.15)), segment)
        if shape == 'framed':
            # A picture, a window, a cabinet door: an inner panel of the
            # same class in another appearance.
            inner = canvas.new_segment(label, styles('clutter'))
            margin = rng.uniform(0.12, 0.3)
            canvas.fill(
                rounded_rect_points(center_x - half_w * (1 - margin),
                                    center_y - half_h * (1 - margin),
                                    center_x + half_w * (1 - margin),
                                    center_y + half_h * (1 - margin), 0.0),
                inner)


def _draw_stuff(canvas, styles, rng, class_names, height, width):
    """Fill the scene with an upper and a lower stuff region; returns the
    horizon row (None when the label set has no lower stuff class)."""
    index = {name: k for k, name in enumerate(class_names)}
    tops = [name for name in _TOP_STUFF if name in index]
    bottoms = [name for name in _BOTTOM_STUFF if name in index]
    if tops:
        top = tops[int(rng.integers(len(tops)))]
        segment = canvas.new_segment(index[top] + 1, styles(_TOP_STUFF[top]))
    else:
        segment = canvas.new_segment(OTHER_LABEL, styles('wall'))
    canvas.fill(image_frame_points(height, width), segment)
    if not bottoms:
        return None
    bottom = bottoms[int(rng.integers(len(bottoms)))]
    horizon = height * rng.uniform(0.3, 0.7)
    canvas.fill(
        below_horizon_points(rng, height, width, horizon, 0.03),
        canvas.new_segment(index[bottom] + 1, styles(_BOTTOM_STUFF[bottom])))
    return horizon


def _draw_other(canvas, styles, rng, height, width, short_side):
    """A patch of the "other" label: unlabelled clutter."""
    segment = canvas.new_segment(OTHER_LABEL, styles('clutter'))
    size = short_side * rng.uniform(0.08, 0.25)
    canvas.fill(
        blob_points(rng, rng.uniform(0, width), rng.uniform(0, height), size,
                    size * rng.uniform(0.4, 1.0), 0.6), segment)


def render_class_scene(rng, height, width, class_names, max_objects=6):
    """Render a scene whose labels are indices into ``class_names`` plus 1.

    Args:
        rng (np.random.Generator): Source of randomness; the result is a
            deterministic function of its state, the size and the names.
        height (int): Image height in pixels (>= 1).
        width (int): Image width in pixels (>= 1).
        class_names (Sequence[str]): The classes, at most 254; class ``k``
            is stored as label ``k + 1`` and 0 is :data:`OTHER_LABEL`.
        max_objects (int): Most objects per scene (at least 2 are drawn).

    Returns:
        tuple[np.ndarray, np.ndarray]: HxWx3 uint8 RGB image and HxW uint8
        labels in ``0..len(class_names)``; every scene has some 0 pixels
        (an "other" patch is drawn last), unless it is only a pixel or two.
    """
    height, width = checked_image_size(height, width)
    class_names = tuple(class_names)
    if not 1 <= len(class_names) <= 254:
        raise ValueError('class_names must hold 1 to 254 classes (labels '
                         f'1..254 in a uint8 PNG), got {len(class_names)}')
    styles = StyleBook(rng, VOC_MATERIALS)
    canvas = SegmentCanvas(height, width, OTHER_LABEL, styles('wall'))
    horizon = _draw_stuff(canvas, styles, rng, class_names, height, width)
    short_side = min(height, width)
    for _ in range(int(rng.integers(0, 2))):
        _draw_other(canvas, styles, rng, height, width, short_side)

    for number in range(int(rng.integers(2, max(2, max_objects) + 1))):
        class_index = int(rng.integers(len(class_names)))
        family = _SHAPE_FAMILIES.get(class_names[class_index])
        size = short_side * (
            rng.uniform(0.35, 0.7) if number == 0 else rng.uniform(0.15, 0.45))
        center_x = width * rng.uniform(0.05, 0.95)
        if horizon is None or family in VOC_AIRBORNE or family is None:
            center_y = height * rng.uniform(0.1, 0.9)
        else:
            # Stand on the ground, a bit below the horizon.
            center_y = rng.uniform(max(horizon, height * 0.4),
                                   height * 1.05) - size / 2
        if family is None:
            _draw_generic(canvas, styles, rng, class_index + 1, class_index,
                          np.array([center_x, center_y]), size / 2)
        else:
            painter = ObjectPainter(canvas, styles, class_index + 1, 0,
                                    (center_x, center_y),
                                    size / 2 * rng.uniform(0.9, 1.2),
                                    rng.normal(0,
                                               0.05), rng.choice([-1.0, 1.0]))
            VOC_PAINTERS[family](painter, rng)
    _draw_other(canvas, styles, rng, height, width, short_side)
    label = canvas.label_map()
    image = compose_image(rng, canvas.segments, canvas.style_table())
    return image, label
