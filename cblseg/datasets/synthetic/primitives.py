"""Drawing into a segment map: the canvas and the outlines it fills.

:class:`SegmentCanvas` holds a map of segment indices with a label,
instance and style per segment; the functions return outlines as (N, 2)
arrays of (x, y) pixels (ellipses, Bezier curves, blobs, rounded
rectangles). Sub-pixel vertices are kept (cv2 fixed-point drawing), so
small, far-away shapes do not snap to the pixel grid.
"""
import math

import cv2
import numpy as np

# cv2 drawing takes fixed-point coordinates with this many fractional bits;
# sub-pixel vertices keep small, far-away shapes from snapping to the grid.
_SHIFT_BITS = 4
_SHIFT_SCALE = float(1 << _SHIFT_BITS)


def checked_image_size(height, width):
    """``(int(height), int(width))``; a ValueError unless both are
    positive."""
    height, width = int(height), int(width)
    if height < 1 or width < 1:
        raise ValueError(f'image size must be positive, got {height}x{width}')
    return height, width


class SegmentCanvas:
    """A map of segment indices plus per-segment label, instance and style.

    Args:
        height (int): Image height.
        width (int): Image width.
        label (int): Label of the background segment (index 0).
        style (np.ndarray): Style of the background segment.
    """

    def __init__(self, height, width, label, style):
        self.height = height
        self.width = width
        self.segments = np.zeros((height, width), dtype=np.int32)
        self._labels = [label]
        self._instances = [0]
        self._styles = [style]

    def new_segment(self, label, style, instance=0):
        """Register a segment and return its index."""
        self._labels.append(label)
        self._instances.append(instance)
        self._styles.append(style)
        return len(self._labels) - 1

    def fill(self, polygon, segment):
        """Fill a polygon given as an (N, 2) array of (x, y) pixels."""
        points = np.round(
            np.asarray(polygon, dtype=np.float64) * _SHIFT_SCALE).astype(
                np.int32).reshape(-1, 1, 2)
        cv2.fillPoly(self.segments, [points], int(segment), cv2.LINE_8,
                     _SHIFT_BITS)

    def stroke(self, points, thickness, segment, closed=False):
        """Draw a polyline; ``thickness`` in pixels, at least 1."""
        points = np.round(np.asarray(points, dtype=np.float64) *
                          _SHIFT_SCALE).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(self.segments, [points], closed, int(segment),
                      max(1, int(round(thickness))), cv2.LINE_8, _SHIFT_BITS)

    def label_map(self):
        return np.asarray(self._labels, dtype=np.uint8)[self.segments]

    def instance_map(self):
        return np.asarray(self._instances, dtype=np.int32)[self.segments]

    def style_table(self):
        return np.stack(self._styles).astype(np.float32)


def uniform_between(rng, bound_a, bound_b):
    """A uniform draw between two bounds given in either order."""
    return bound_a + (bound_b - bound_a) * rng.random()


# Cosines and sines of sampled arcs, cached by (num, start, stop).
_UNIT_ARCS = {}


def ellipse_points(center_x,
                   center_y,
                   radius_x,
                   radius_y,
                   angle=0.0,
                   num=32,
                   start=0.0,
                   stop=2 * np.pi):
    """Points on a (rotated) ellipse or elliptic arc, (num, 2)."""
    key = (num, start, stop)
    if key not in _UNIT_ARCS:
        theta = np.linspace(start, stop, num, endpoint=False)
        _UNIT_ARCS[key] = (np.cos(theta), np.sin(theta))
    unit_x, unit_y = _UNIT_ARCS[key]
    local_x = radius_x * unit_x
    local_y = radius_y * unit_y
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    return np.stack([
        center_x + cos_a * local_x - sin_a * local_y,
        center_y + sin_a * local_x + cos_a * local_y
    ],
                    axis=1)


def bezier_points(control_points, num=16):
    """Points on a Bezier curve through its control points (de Casteljau)."""
    control = np.asarray(control_points, dtype=np.float64)
    t = np.linspace(0.0, 1.0, num)[:, None, None]
    points = np.broadcast_to(control, (num, ) + control.shape).copy()
    while points.shape[1] > 1:
        points = (1 - t) * points[:, :-1] + t * points[:, 1:]
    return points[:, 0]


def blob_points(rng,
                center_x,
                center_y,
                radius_x,
                radius_y,
                roughness,
                num=40):
    """A closed, wobbly blob: an ellipse with random low harmonics."""
    theta = np.linspace(0, 2 * np.pi, num, endpoint=False)
    radius = np.ones(num)
    for harmonic in range(2, 7):
        radius += roughness / harmonic * rng.uniform(
            -1, 1) * np.sin(harmonic * theta + rng.uniform(0, 2 * np.pi))
    return np.stack([
        center_x + radius_x * radius * np.cos(theta),
        center_y + radius_y * radius * np.sin(theta)
    ],
                    axis=1)


_CORNER_ARCS = {}


def image_frame_points(height, width):
    """Outline of the whole image with a margin of a pixel."""
    return [(-1, -1), (width + 1, -1), (width + 1, height + 1),
            (-1, height + 1)]


def below_horizon_points(rng, height, width, horizon, wobble):
    """Outline of the part of the image below a wavy horizon line at row
    ``horizon``, waving by ``wobble`` times the height."""
    wave = height * wobble * np.sin(
        np.linspace(0, rng.uniform(1, 6), 16) + rng.uniform(0, 6))
    line = np.stack([np.linspace(-1, width + 1, 16), horizon + wave], 1)
    return np.concatenate([line, [(width + 1, height + 1), (-1, height + 1)]])


def _corner_arcs(per_corner):
    """Unit vectors of the four quarter-circle corners of a rounded
    rectangle (counter-clockwise from the bottom right in image axes) and the
    corner index of each; cached per resolution."""
    if per_corner not in _CORNER_ARCS:
        theta = (np.arange(4)[:, None] * 0.5 * np.pi +
                 np.linspace(0, 0.5 * np.pi, per_corner)[None, :]).ravel()
        _CORNER_ARCS[per_corner] = (np.stack(
            [np.cos(theta), np.sin(theta)],
            axis=1), np.repeat(np.arange(4), per_corner))
    return _CORNER_ARCS[per_corner]


def rounded_rect_points(x0, y0, x1, y1, radius, per_corner=4):
    """Outline of an axis-aligned rectangle with rounded corners."""
    radius = max(0.0, min(radius, (x1 - x0) / 2, (y1 - y0) / 2))
    arcs, corner_index = _corner_arcs(per_corner)
    centers = np.array([(x1 - radius, y1 - radius), (x0 + radius, y1 - radius),
                        (x0 + radius, y0 + radius),
                        (x1 - radius, y0 + radius)])
    return centers[corner_index] + radius * arcs


def add_void_border(label, instances, width, void_index):
    """Set a band of ``width`` pixels along instance outlines to
    ``void_index``.

    The band is the morphological gradient (dilation differs from erosion)
    of the final instance map, so it follows what is visible after
    occlusion, including outlines between touching objects.
    """
    if width <= 0:
        return label
    kernel = np.ones((width + 1, width + 1), dtype=np.uint8)
    # Instances fit in uint16; cv2 morphology does not take int32.
    instances = instances.astype(np.uint16)
    band = cv2.dilate(instances, kernel) != cv2.erode(instances, kernel)
    label = label.copy()
    label[band] = void_index
    return label
