"""PASCAL VOC-like object scenes: VOC class indices, 255 on object
outlines."""
from ..voc_labels import VOC_CLASSES, VOC_IGNORE_INDEX
from .appearance import StyleBook, compose_image
from .materials import VOC_MATERIALS
from .primitives import (SegmentCanvas, add_void_border, below_horizon_points,
                         blob_points, checked_image_size, image_frame_points,
                         rounded_rect_points)
from .voc_painters import VOC_AIRBORNE, VOC_PAINTERS, ObjectPainter

_VOC_CONTEXTS = dict(
    sky=('aeroplane', 'bird'),
    water=('boat', 'bird', 'person', 'dog'),
    field=('cow', 'sheep', 'horse', 'dog', 'person', 'bicycle', 'motorbike',
           'bird'),
    street=('car', 'bus', 'motorbike', 'bicycle', 'person', 'train', 'dog'),
    indoor=('chair', 'sofa', 'diningtable', 'tvmonitor', 'bottle',
            'pottedplant', 'cat', 'dog', 'person'),
)


def _draw_voc_background(canvas, styles, rng, context, height, width):
    """Fill the background (class 0) for a context; returns the horizon row
    where objects stand (or None for airborne scenes)."""
    horizon = height * rng.uniform(0.25, 0.6)
    if context == 'indoor':
        top, bottom = 'wall', 'floor'
    elif context == 'water':
        top, bottom = 'sky', 'water'
    elif context == 'field':
        top, bottom = 'sky', 'grass'
    elif context == 'street':
        top, bottom = 'sky', 'road'
    else:
        top, bottom = 'sky', ('grass' if rng.random() < 0.4 else None)
        horizon = height * rng.uniform(0.7, 1.1)
    canvas.fill(
        image_frame_points(height, width), canvas.new_segment(0, styles(top)))
    if context == 'street':
        # Houses on the horizon.
        x = -1.0
        while x < width:
            step = width * rng.uniform(0.1, 0.35)
            roof = horizon - height * rng.uniform(0.1, 0.4)
            canvas.fill([(x, horizon + 1), (x, roof), (x + step, roof),
                         (x + step, horizon + 1)],
                        canvas.new_segment(0, styles('building')))
            x += step
    if bottom is not None:
        canvas.fill(
            below_horizon_points(rng, height, width, horizon, 0.02),
            canvas.new_segment(0, styles(bottom)))
    # Background clutter of the same kinds of shapes objects are made of, so
    # that "any blob" is not a cue for "object".
    short_side = min(height, width)
    for _ in range(int(rng.integers(0, 5))):
        segment = canvas.new_segment(0, styles('clutter'))
        center_x, center_y = rng.uniform(0, width), rng.uniform(0, height)
        size = short_side * rng.uniform(0.05, 0.3)
        shape = rng.integers(3)
        if shape == 0:
            canvas.fill(
                rounded_rect_points(center_x - size, center_y - size * 0.6,
                                    center_x + size, center_y + size * 0.6,
                                    size * 0.1), segment)
        elif shape == 1:
            canvas.fill(
                blob_points(rng, center_x, center_y, size, size * 0.7, 0.4),
                segment)
        else:
            canvas.stroke([(center_x - size, center_y),
                           (center_x + size, center_y + rng.normal(0, size))],
                          max(1.0, size * 0.1), segment)
    return None if context == 'sky' else horizon


def render_voc_scene(rng, height, width):
    """Render a synthetic PASCAL VOC-style object scene.

    A textured background that fits the first object (sky, water, field,
    street or a room) with background clutter, and 1-4 objects of random
    VOC classes drawn from class-specific shape families (an aeroplane has a
    fuselage, wings and a tail fin, a bicycle two wheel rings and a thin
    frame, ...), with jittered colours and textures; later objects may
    occlude earlier ones. As in the real annotations, a band of 255 ("void")
    a few pixels wide (about 5 px at VOC resolution, at least 1 px) runs
    along every visible object outline, computed from the final map.

    Args:
        rng (np.random.Generator): Source of randomness; the result is a
            deterministic function of its state and the size.
        height (int): Image height in pixels (>= 1).
        width (int): Image width in pixels (>= 1).

    Returns:
        tuple[np.ndarray, np.ndarray]: HxWx3 uint8 RGB image and HxW uint8
        labels: VOC class indices 0..20 and 255 on object outlines.
    """
    height, width = checked_image_size(height, width)
    styles = StyleBook(rng, VOC_MATERIALS)
    canvas = SegmentCanvas(height, width, 0, styles('wall'))
    object_classes = list(VOC_CLASSES[1:])
    first = object_classes[int(rng.integers(len(object_classes)))]
    contexts = [
        name for name, members in _VOC_CONTEXTS.items() if first in members
    ]
    context = contexts[int(rng.integers(len(contexts)))]
    horizon = _draw_voc_background(canvas, styles, rng, context, height, width)

    short_side = min(height, width)
    num_objects = int(rng.integers(1, 5))
    for instance in range(1, num_objects + 1):
        if instance == 1:
            name = first
        elif horizon is None or rng.random() < 0.8:
            # Sky scenes have no ground to stand on: only flying classes.
            members = _VOC_CONTEXTS[context]
            name = members[int(rng.integers(len(members)))]
        else:
            name = object_classes[int(rng.integers(len(object_classes)))]
        # The first object is the large, central subject; later ones are
        # smaller and may be anywhere, partly outside the image.
        size = short_side * (
            rng.uniform(0.45, 0.85) if instance == 1 else rng.uniform(
                0.2, 0.55))
        scale = size / 2.0
        center_x = width * (
            rng.uniform(0.3, 0.7) if instance == 1 else rng.uniform(
                0.05, 0.95))
        if horizon is None or name in VOC_AIRBORNE:
            center_y = height * rng.uniform(0.25, 0.75)
            angle = rng.normal(0, 0.25)
        else:
            # Stand on the ground, a bit below the horizon.
            ground = rng.uniform(max(horizon, height * 0.4), height * 1.05)
            center_y = ground - scale
            angle = rng.normal(0, 0.05)
        scale *= rng.uniform(0.9, 1.2)
        painter = ObjectPainter(canvas, styles, VOC_CLASSES.index(name),
                                instance, (center_x, center_y), scale, angle,
                                rng.choice([-1.0, 1.0]))
        VOC_PAINTERS[name](painter, rng)

    label = canvas.label_map()
    border_width = max(1, int(round(short_side / 75.0)))
    label = add_void_border(label, canvas.instance_map(), border_width,
                            VOC_IGNORE_INDEX)
    image = compose_image(rng, canvas.segments, canvas.style_table())
    return image, label
