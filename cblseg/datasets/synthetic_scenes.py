"""Procedural scenes for synthetic semantic segmentation data.

Two pure rendering functions, no file I/O:

* :func:`render_street_scene` draws a Cityscapes-like street seen from a car
  and returns the RGB image with a map of official Cityscapes *label ids*
  (including the ignored void classes and the license plate, id -1, stored
  as 255).
* :func:`render_voc_scene` draws 1-4 objects of PASCAL VOC classes on a
  textured background and returns the image with VOC class indices and the
  255 "void" band along object outlines.

Both draw into a *segment map* first: every drawn part (a window, a tyre, a
shirt) becomes a segment with a class label and an appearance (two colours
plus texture amplitudes). The label map is a lookup of the segment labels and
the image is composed from the appearances in one vectorised pass, so the
label map and the image always agree exactly, and textures and colours vary
within a class. Class colours are drawn per image from wide, overlapping
distributions so that a network has to use shape and context, not a colour
lookup.

All randomness comes from the ``np.random.Generator`` that is passed in, so
a scene is a deterministic function of the generator state and the size.
"""
import colorsys
import math

import cv2
import numpy as np

from .cityscapes_labels import (CITYSCAPES_NAME_TO_LABEL,
                                LICENSE_PLATE_STORED_ID)
from .voc_labels import VOC_CLASSES, VOC_IGNORE_INDEX

# cv2 drawing takes fixed-point coordinates with this many fractional bits;
# sub-pixel vertices keep small, far-away shapes from snapping to the grid.
_SHIFT_BITS = 4
_SHIFT_SCALE = float(1 << _SHIFT_BITS)


def _cityscapes_id(name):
    return CITYSCAPES_NAME_TO_LABEL[name].id


# Cityscapes label ids used by the street scene.
EGO_VEHICLE = _cityscapes_id('ego vehicle')
RECTIFICATION_BORDER = _cityscapes_id('rectification border')
OUT_OF_ROI = _cityscapes_id('out of roi')
STATIC = _cityscapes_id('static')
DYNAMIC = _cityscapes_id('dynamic')
GROUND = _cityscapes_id('ground')
ROAD = _cityscapes_id('road')
SIDEWALK = _cityscapes_id('sidewalk')
PARKING = _cityscapes_id('parking')
BUILDING = _cityscapes_id('building')
WALL = _cityscapes_id('wall')
FENCE = _cityscapes_id('fence')
POLE = _cityscapes_id('pole')
TRAFFIC_LIGHT = _cityscapes_id('traffic light')
TRAFFIC_SIGN = _cityscapes_id('traffic sign')
VEGETATION = _cityscapes_id('vegetation')
TERRAIN = _cityscapes_id('terrain')
SKY = _cityscapes_id('sky')
PERSON = _cityscapes_id('person')
RIDER = _cityscapes_id('rider')
CAR = _cityscapes_id('car')
TRUCK = _cityscapes_id('truck')
BUS = _cityscapes_id('bus')
MOTORCYCLE = _cityscapes_id('motorcycle')
BICYCLE = _cityscapes_id('bicycle')
LICENSE_PLATE = LICENSE_PLATE_STORED_ID

# ---------------------------------------------------------------------------
# Appearance: per-segment colours and textures
# ---------------------------------------------------------------------------

# One row of the appearance table of a scene: a primary and a secondary RGB
# colour, how much of the secondary colour a coarse noise field mixes in, and
# the amplitudes of brightness textures (fine noise, horizontal stripes,
# vertical stripes, a grid of dark lines, a vertical gradient).
_STYLE_SIZE = 12

_DEFAULT_STYLE_SPEC = dict(
    hue=(0, 360),  # degrees
    sat=(0.0, 0.3),
    val=(0.3, 0.7),
    # Per-segment jitter around the per-image base colour of the material:
    # hue shift (degrees, std), relative saturation and value spread.
    jitter=(4.0, 0.15, 0.12),
    # Secondary colour relative to the primary: hue shift, sat and val
    # factors.
    second=(0.0, 1.0, 0.75),
    mix=(0.0, 0.4),
    fine=(0.0, 0.06),
    hstripe=(0.0, 0.0),
    vstripe=(0.0, 0.0),
    grid=(0.0, 0.0),
    grad=(0.0, 0.0),
    # Fresh materials draw a new base colour for every segment (cars,
    # clothes); the others share one base colour per image.
    fresh=False,
)


def _hsv_to_rgb(hue, sat, val):
    red, green, blue = colorsys.hsv_to_rgb((hue / 360.0) % 1.0,
                                           min(max(sat, 0.0), 1.0),
                                           min(max(val, 0.0), 1.0))
    return 255.0 * red, 255.0 * green, 255.0 * blue


_TEXTURE_KEYS = ('mix', 'fine', 'hstripe', 'vstripe', 'grid', 'grad')


def _prepare_style_spec(spec):
    """Merge a material spec with the defaults into flat arrays: the lower
    bounds and widths of (hue, sat, val, *texture amplitudes)."""
    merged = dict(_DEFAULT_STYLE_SPEC)
    merged.update(spec)
    ranges = [merged['hue'], merged['sat'], merged['val']
              ] + [merged[key] for key in _TEXTURE_KEYS]
    low = np.array([r[0] for r in ranges], dtype=np.float64)
    span = np.array([r[1] - r[0] for r in ranges], dtype=np.float64)
    return low, span, merged['jitter'], merged['second'], merged['fresh']


class _StyleBook:
    """Draws appearances of named materials for one image.

    Each material has a base colour drawn once per image (so e.g. all road
    segments of a scene look alike, but roads differ between scenes) and a
    small per-segment jitter; ``fresh`` materials draw a new colour for every
    segment.

    Args:
        rng (np.random.Generator): Source of randomness.
        specs (dict): Material name -> overrides of ``_DEFAULT_STYLE_SPEC``.
    """

    def __init__(self, rng, specs):
        self._rng = rng
        self._specs = specs
        self._prepared = {}
        self._base_hsv = {}

    def __call__(self, material, **overrides):
        """Draw a style row (float32 array of ``_STYLE_SIZE``) for a
        segment; keyword arguments override ranges of the material spec."""
        if overrides:
            spec = dict(self._specs[material])
            spec.update(overrides)
            prepared = _prepare_style_spec(spec)
        else:
            prepared = self._prepared.get(material)
            if prepared is None:
                prepared = _prepare_style_spec(self._specs[material])
                self._prepared[material] = prepared
        low, span, jitter, second, fresh = prepared
        # One batch of uniforms per segment: base colour and texture
        # amplitudes, then three jitters.
        draws = low + span * self._rng.random(len(low))
        jitters = self._rng.random(3) * 2.0 - 1.0
        if fresh or overrides or material not in self._base_hsv:
            hue, sat, val = draws[:3]
            if not (fresh or overrides):
                self._base_hsv[material] = (hue, sat, val)
        else:
            hue, sat, val = self._base_hsv[material]
        hue_jitter, sat_spread, val_spread = jitter
        # Uniform jitter with the spread of a normal of std hue_jitter.
        hue += 1.7 * hue_jitter * jitters[0]
        sat *= 1.0 + sat_spread * jitters[1]
        val *= 1.0 + val_spread * jitters[2]
        dhue, sat_factor, val_factor = second
        style = np.empty(_STYLE_SIZE, dtype=np.float32)
        style[0:3] = _hsv_to_rgb(hue, sat, val)
        style[3:6] = _hsv_to_rgb(hue + dhue, sat * sat_factor,
                                 val * val_factor)
        style[6:] = draws[3:]
        return style


def _texture_fields(rng, height, width):
    """Image-sized texture fields shared by all segments of one image.

    Returns:
        tuple: coarse noise in [0, 1] (HxW), fine noise roughly in [-1, 1]
        (HxW), horizontal stripes (Hx1), vertical stripes (1xW), grid lines
        (HxW, -1 on the lines, 0 elsewhere) and a vertical ramp (Hx1).
    """
    short_side = min(height, width)
    # The texture scale grows with the image so that textures look alike at
    # every resolution, with a floor so tiny images still get texture.
    scale = max(1.0, short_side / 128.0)

    coarse_cell = max(3.0, short_side / rng.uniform(3.0, 8.0))
    coarse_grid = rng.random(
        (int(height / coarse_cell) + 2, int(width / coarse_cell) + 2),
        dtype=np.float32)
    coarse = cv2.resize(
        coarse_grid, (width, height), interpolation=cv2.INTER_CUBIC)
    np.clip(coarse, 0.0, 1.0, out=coarse)

    fine_cell = rng.uniform(1.0, 2.5) * scale
    fine_grid = rng.standard_normal(
        (int(height / fine_cell) + 2, int(width / fine_cell) + 2),
        dtype=np.float32)
    fine = cv2.resize(
        fine_grid, (width, height), interpolation=cv2.INTER_LINEAR) * 0.6

    rows = np.arange(height, dtype=np.float32)[:, None]
    cols = np.arange(width, dtype=np.float32)[None, :]
    hstripe = np.sin(2 * np.pi * rows / (rng.uniform(2.5, 6.0) * scale) +
                     rng.uniform(0, 2 * np.pi))
    vstripe = np.sin(2 * np.pi * cols / (rng.uniform(2.5, 6.0) * scale) +
                     rng.uniform(0, 2 * np.pi))
    grid_period = max(2, int(round(rng.uniform(3.0, 8.0) * scale)))
    grid = -((rows.astype(np.int32) % grid_period == 0)
             | (cols.astype(np.int32) % grid_period == 0)).astype(np.float32)
    ramp = rows / max(height - 1, 1) * 2.0 - 1.0
    return coarse, fine, hstripe, vstripe, grid, ramp


def _compose_image(rng, segments, style_table):
    """Paint the image from the segment map and the appearance table.

    Adds the global photometric effects of a camera: an illumination
    gradient, a colour cast, slight blur and sensor noise.

    Args:
        rng (np.random.Generator): Source of randomness.
        segments (np.ndarray): HxW int32 segment indices.
        style_table (np.ndarray): (num_segments, _STYLE_SIZE) float32.

    Returns:
        np.ndarray: HxWx3 uint8 RGB image.
    """
    height, width = segments.shape
    coarse, fine, hstripe, vstripe, grid, ramp = _texture_fields(
        rng, height, width)
    # Gather contiguous per-pixel arrays (one take per group is much faster
    # than slicing an interleaved HxWx12 array).
    # The colour cast (white balance) is applied to the table, not pixels.
    cast = rng.uniform(0.9, 1.1, size=3).astype(np.float32)
    primary = np.take(style_table[:, 0:3] * cast, segments, axis=0)
    secondary_delta = np.take(
        (style_table[:, 3:6] - style_table[:, 0:3]) * cast, segments, axis=0)
    mix, fine_amp, hstripe_amp, vstripe_amp, grid_amp, ramp_amp = np.take(
        np.ascontiguousarray(style_table[:, 6:12].T), segments, axis=1)

    mix *= coarse
    secondary_delta *= mix[..., None]
    image = primary
    image += secondary_delta

    # Brightness textures and global illumination: overall gain and a
    # linear light falloff in a random direction.
    shade = fine_amp
    shade *= fine
    shade += 1.0
    shade += hstripe_amp * hstripe
    shade += vstripe_amp * vstripe
    shade += grid_amp * grid
    shade += ramp_amp * ramp
    angle = rng.uniform(0, 2 * np.pi)
    rows = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    cols = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    shade *= np.float32(rng.uniform(
        0.65, 1.25)) * (1.0 + np.float32(rng.uniform(0.0, 0.25)) *
                        (np.float32(math.cos(angle)) * cols +
                         np.float32(math.sin(angle)) * rows))
    image *= shade[..., None]

    blur_sigma = rng.uniform(0.3, 0.9) * max(1.0, min(height, width) / 512.0)
    image = cv2.GaussianBlur(image, (0, 0), blur_sigma)
    # Sensor noise, mostly in luminance: one gaussian field for all
    # channels keeps this cheap.
    noise = rng.standard_normal((height, width), dtype=np.float32)
    noise *= np.float32(rng.uniform(1.0, 6.0))
    image += noise[..., None]
    image += 0.5
    np.clip(image, 0, 255, out=image)
    return image.astype(np.uint8)


# ---------------------------------------------------------------------------
# Drawing into the segment map
# ---------------------------------------------------------------------------


class _SegmentCanvas:
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


def _between(rng, bound_a, bound_b):
    """A uniform draw between two bounds given in either order."""
    return bound_a + (bound_b - bound_a) * rng.random()


# Cosines and sines of sampled arcs, cached by (num, start, stop).
_UNIT_ARCS = {}


def _ellipse_points(center_x,
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


def _bezier_points(control_points, num=16):
    """Points on a Bezier curve through its control points (de Casteljau)."""
    control = np.asarray(control_points, dtype=np.float64)
    t = np.linspace(0.0, 1.0, num)[:, None, None]
    points = np.broadcast_to(control, (num, ) + control.shape).copy()
    while points.shape[1] > 1:
        points = (1 - t) * points[:, :-1] + t * points[:, 1:]
    return points[:, 0]


def _blob_points(rng,
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


def _rounded_rect_points(x0, y0, x1, y1, radius, per_corner=4):
    """Outline of an axis-aligned rectangle with rounded corners."""
    radius = max(0.0, min(radius, (x1 - x0) / 2, (y1 - y0) / 2))
    arcs, corner_index = _corner_arcs(per_corner)
    centers = np.array([(x1 - radius, y1 - radius), (x0 + radius, y1 - radius),
                        (x0 + radius, y0 + radius),
                        (x1 - radius, y0 + radius)])
    return centers[corner_index] + radius * arcs


def _add_void_border(label, instances, width, void_index):
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


# ---------------------------------------------------------------------------
# Street scene (Cityscapes label ids)
# ---------------------------------------------------------------------------

_STREET_MATERIALS = dict(
    sky=dict(
        hue=(190, 225),
        sat=(0.05, 0.55),
        val=(0.6, 1.0),
        jitter=(2, 0.05, 0.03),
        second=(0, 0.2, 1.15),
        mix=(0.2, 0.9),
        fine=(0.0, 0.01),
        grad=(0.05, 0.2)),
    tower=dict(
        hue=(180, 260),
        sat=(0.0, 0.25),
        val=(0.45, 0.85),
        jitter=(10, 0.4, 0.15),
        second=(0, 1.0, 0.85)),
    building=dict(
        hue=(0, 60),
        sat=(0.0, 0.35),
        val=(0.3, 0.85),
        jitter=(25, 0.5, 0.25),
        second=(0, 1.2, 0.75),
        mix=(0.0, 0.5),
        fine=(0.02, 0.07),
        hstripe=(0.0, 0.06),
        grid=(0.0, 0.12)),
    window=dict(
        hue=(180, 240),
        sat=(0.0, 0.3),
        val=(0.05, 0.4),
        jitter=(15, 0.4, 0.4),
        second=(0, 0.5, 2.2),
        mix=(0.1, 0.6),
        grad=(0.0, 0.2)),
    road=dict(
        sat=(0.0, 0.08),
        val=(0.2, 0.5),
        jitter=(2, 0.1, 0.05),
        second=(0, 1.0, 0.8),
        mix=(0.2, 0.7),
        fine=(0.03, 0.09)),
    lane_mark=dict(
        hue=(40, 55),
        sat=(0.0, 0.15),
        val=(0.7, 0.95),
        jitter=(2, 0.2, 0.05),
        fine=(0.0, 0.05)),
    sidewalk=dict(
        hue=(0, 40),
        sat=(0.0, 0.25),
        val=(0.4, 0.8),
        jitter=(5, 0.2, 0.08),
        second=(0, 1.0, 0.8),
        fine=(0.02, 0.06),
        grid=(0.05, 0.2)),
    curb=dict(sat=(0.0, 0.1), val=(0.5, 0.9), jitter=(2, 0.1, 0.05)),
    parking=dict(
        hue=(0, 40),
        sat=(0.0, 0.2),
        val=(0.25, 0.6),
        jitter=(5, 0.2, 0.08),
        grid=(0.03, 0.15),
        fine=(0.02, 0.08)),
    vegetation=dict(
        hue=(70, 130),
        sat=(0.3, 0.75),
        val=(0.15, 0.55),
        jitter=(8, 0.2, 0.2),
        second=(15, 0.9, 1.6),
        mix=(0.4, 0.9),
        fine=(0.1, 0.25)),
    trunk=dict(
        hue=(20, 40),
        sat=(0.3, 0.6),
        val=(0.15, 0.35),
        jitter=(4, 0.2, 0.2),
        vstripe=(0.0, 0.1)),
    terrain=dict(
        hue=(45, 100),
        sat=(0.25, 0.7),
        val=(0.3, 0.65),
        jitter=(5, 0.15, 0.1),
        second=(-30, 0.8, 0.9),
        mix=(0.2, 0.8),
        fine=(0.05, 0.15)),
    ground=dict(
        hue=(20, 45),
        sat=(0.15, 0.5),
        val=(0.3, 0.6),
        jitter=(5, 0.2, 0.15),
        second=(0, 1.0, 0.7),
        mix=(0.3, 0.7),
        fine=(0.05, 0.12)),
    pole=dict(
        sat=(0.0, 0.2),
        val=(0.2, 0.65),
        jitter=(10, 0.5, 0.2),
        vstripe=(0.0, 0.1),
        grad=(-0.1, 0.1)),
    sign_red=dict(hue=(355, 365), sat=(0.6, 0.95), val=(0.5, 0.9), fresh=True),
    sign_blue=dict(
        hue=(205, 230), sat=(0.6, 0.95), val=(0.4, 0.8), fresh=True),
    sign_yellow=dict(
        hue=(42, 55), sat=(0.6, 0.95), val=(0.7, 0.95), fresh=True),
    sign_white=dict(
        sat=(0.0, 0.08), val=(0.75, 0.98), fresh=True, hstripe=(0.0, 0.1)),
    sign_back=dict(sat=(0.0, 0.1), val=(0.3, 0.7), fresh=True),
    light_box=dict(hue=(40, 55), sat=(0.0, 0.8), val=(0.03, 0.3), fresh=True),
    lamp_red=dict(hue=(355, 365), sat=(0.7, 1.0), val=(0.6, 1.0), fresh=True),
    lamp_yellow=dict(hue=(35, 50), sat=(0.7, 1.0), val=(0.6, 1.0), fresh=True),
    lamp_green=dict(
        hue=(120, 165), sat=(0.6, 1.0), val=(0.6, 1.0), fresh=True),
    lamp_off=dict(sat=(0.0, 0.2), val=(0.05, 0.2), fresh=True),
    skin=dict(hue=(15, 35), sat=(0.2, 0.6), val=(0.3, 0.9), fresh=True),
    hair=dict(hue=(20, 40), sat=(0.1, 0.6), val=(0.05, 0.6), fresh=True),
    cloth=dict(
        sat=(0.0, 0.8),
        val=(0.08, 0.85),
        fresh=True,
        hstripe=(0.0, 0.08),
        fine=(0.0, 0.05)),
    paint=dict(
        sat=(0.0, 0.85),
        val=(0.08, 0.9),
        fresh=True,
        second=(0, 0.6, 1.6),
        mix=(0.05, 0.35),
        fine=(0.0, 0.02),
        grad=(-0.2, 0.1)),
    glass=dict(
        hue=(190, 230),
        sat=(0.0, 0.3),
        val=(0.05, 0.35),
        jitter=(5, 0.3, 0.3),
        second=(0, 0.5, 2.5),
        mix=(0.1, 0.5)),
    tyre=dict(sat=(0.0, 0.1), val=(0.02, 0.15), jitter=(0, 0.1, 0.3)),
    tail_light=dict(
        hue=(355, 365), sat=(0.7, 1.0), val=(0.5, 0.9), fresh=True),
    head_light=dict(hue=(40, 60), sat=(0.0, 0.15), val=(0.7, 1.0), fresh=True),
    plate=dict(
        hue=(40, 60), sat=(0.0, 0.12), val=(0.7, 0.95), vstripe=(0.1, 0.35)),
    bike_frame=dict(sat=(0.0, 0.8), val=(0.1, 0.8), fresh=True),
    wall=dict(
        hue=(0, 50),
        sat=(0.0, 0.3),
        val=(0.35, 0.8),
        jitter=(5, 0.3, 0.15),
        fine=(0.02, 0.06),
        hstripe=(0.0, 0.1),
        grid=(0.0, 0.1)),
    fence=dict(
        hue=(0, 40),
        sat=(0.0, 0.4),
        val=(0.2, 0.7),
        jitter=(5, 0.3, 0.2),
        vstripe=(0.1, 0.35),
        grid=(0.0, 0.2)),
    clutter=dict(sat=(0.0, 0.6), val=(0.1, 0.7), fresh=True, fine=(0.0, 0.05)),
    ego=dict(
        sat=(0.0, 0.5),
        val=(0.05, 0.5),
        fresh=True,
        second=(0, 0.5, 2.0),
        mix=(0.2, 0.6),
        grad=(0.05, 0.3)),
    border=dict(sat=(0.0, 0.1), val=(0.0, 0.04), fresh=True),
)


class _StreetScene:
    """Builds one street scene with a pinhole camera over a flat street.

    World coordinates are metres: X to the right, Y up, Z forward (depth),
    the camera at (0, camera_height, 0) looking along +Z with no roll. The
    street runs along Z: road between ``road_left`` and ``road_right``,
    sidewalks outside it up to the building facades. Objects are placed in
    the world and projected, so sizes follow the image size and perspective
    (near things are large, far things tiny) without special cases.
    """

    def __init__(self, rng, height, width):
        self.rng = rng
        self.height = height
        self.width = width
        self.styles = _StyleBook(rng, _STREET_MATERIALS)
        self.canvas = _SegmentCanvas(height, width, SKY, self.styles('sky'))

        # Camera.
        self.horizon_y = height * rng.uniform(0.33, 0.52)
        self.vanish_x = width * rng.uniform(0.4, 0.6)
        self.focal = width * rng.uniform(0.55, 0.8)
        self.camera_height = rng.uniform(1.4, 2.4)

        # Street cross-section (the camera drives on the road).
        self.road_left = -rng.uniform(1.8, 8.0)
        self.road_right = rng.uniform(1.8, 8.0)
        self.facade_left = self.road_left - rng.uniform(1.5, 5.0)
        self.facade_right = self.road_right + rng.uniform(1.5, 5.0)
        self.street_end = rng.uniform(60.0, 160.0)
        self.z_near = 0.3
        # Depth of the ground seen at the bottom image row; objects are
        # placed beyond it. Capped so that very flat images (whose bottom row
        # is far away) still have room for objects.
        self.z_bottom = min(
            self.focal * self.camera_height /
            max(height - self.horizon_y, 1.0), 20.0)
        # (depth, insertion index, draw method, args), painted far to near.
        self.objects = []

    # -- projection ---------------------------------------------------------

    def project(self, x, y, z):
        """World points to pixel (x, y); arrays broadcast, result (..., 2)."""
        z = np.maximum(z, self.z_near)
        col = self.vanish_x + self.focal * np.asarray(x) / z
        row = self.horizon_y + self.focal * (self.camera_height -
                                             np.asarray(y)) / z
        points = np.empty(
            np.broadcast_shapes(np.shape(col), np.shape(row)) + (2, ))
        points[..., 0] = col
        points[..., 1] = row
        return points

    def pixels(self, metres, z):
        """Size in pixels of ``metres`` seen at depth ``z``."""
        return self.focal * metres / max(z, self.z_near)

    def ground_quad(self, x0, x1, z0, z1):
        """Pixel outline of the ground rectangle [x0, x1] x [z0, z1]."""
        return self.project([x0, x1, x1, x0], 0.0, [z0, z0, z1, z1])

    def side_of(self, x):
        """The facade on the side of the street of lateral position x."""
        return self.facade_left if x < 0 else self.facade_right

    def new(self, label, material, **overrides):
        """A new segment of ``label`` drawn in ``material``."""
        return self.canvas.new_segment(label,
                                       self.styles(material, **overrides))

    # -- building blocks ----------------------------------------------------

    def _roof_profile(self, length, height, kind):
        """Roof line of a wall: (along, height) points from start to end."""
        rng = self.rng
        if kind == 'gable':
            return [(0.0, height), (length / 2, height + rng.uniform(1.5, 5)),
                    (length, height)]
        if kind == 'dome':
            t = np.linspace(0, 1, 9)
            rise = min(6.0, length / 2) * rng.uniform(0.3, 1.0)
            return list(
                zip(t * length, height + rise * np.sin(np.pi * t)**0.7))
        if kind == 'stepped':
            steps = int(rng.integers(2, 4))
            cuts = np.sort(rng.uniform(0, length, steps - 1))
            edges = np.concatenate([[0.0], cuts, [length]])
            heights = height + rng.uniform(-3, 3, steps)
            points = []
            for index in range(steps):
                points += [(edges[index], heights[index]),
                           (edges[index + 1], heights[index])]
            return points
        return [(0.0, height), (length, height)]

    def _punch_windows(self, segment, window_segment, bbox, along, up, wall):
        """Overwrite window-shaped parts of a wall segment.

        Args:
            segment (int): The wall's segment; only its pixels change.
            window_segment (int): Segment the window pixels get.
            bbox (tuple): (x0, y0, x1, y1) pixel box of the wall.
            along (np.ndarray): 1xW world coordinate along the wall for the
                box columns (Z for side facades, X for frontal walls).
            up (np.ndarray): HxW world height Y of the box pixels.
            wall (tuple): (along_start, along_end, top) of the wall.
        """
        rng = self.rng
        x0, y0, x1, y1 = bbox
        start, end, top = wall
        pitch_along = rng.uniform(2.5, 4.5)
        pitch_up = rng.uniform(2.8, 3.6)
        duty_along = rng.uniform(0.35, 0.65)
        duty_up = rng.uniform(0.4, 0.6)
        phase_along = (along - start) / pitch_along
        phase_up = (up - rng.uniform(0.3, 1.0)) / pitch_up
        windows = ((phase_along - np.floor(phase_along)) < duty_along) & (
            (phase_up - np.floor(phase_up)) < duty_up)
        windows &= (up > rng.uniform(2.0, 3.5)) & (up < top - 0.8)
        windows &= (along > start + 0.6) & (along < end - 0.6)
        region = self.canvas.segments[y0:y1, x0:x1]
        region[windows & (region == segment)] = window_segment

    def _clipped_bbox(self, points):
        x0 = int(max(0, math.floor(points[:, 0].min())))
        y0 = int(max(0, math.floor(points[:, 1].min())))
        x1 = int(min(self.width, math.ceil(points[:, 0].max()) + 1))
        y1 = int(min(self.height, math.ceil(points[:, 1].max()) + 1))
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def side_wall(self,
                  wall_x,
                  z0,
                  z1,
                  profile,
                  label,
                  material,
                  windows=False):
        """A wall in the plane X = wall_x between depths z0 and z1."""
        along = np.array([z0 + p[0] for p in profile])
        up = np.array([p[1] for p in profile])
        points = np.concatenate([
            self.project(wall_x, 0.0, np.array([z0, z1])),
            self.project(wall_x, up[::-1], along[::-1])
        ])
        segment = self.new(label, material)
        self.canvas.fill(points, segment)
        if windows:
            bbox = self._clipped_bbox(points)
            if bbox is None:
                return segment
            x0, y0, x1, y1 = bbox
            cols = np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5
            rows = np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5
            offset = cols - self.vanish_x
            # Columns on the far side of the vanishing point do not see this
            # wall; give them a depth outside the wall.
            same_side = offset * wall_x > 1e-6
            depth = np.where(
                same_side,
                self.focal * wall_x / np.where(same_side, offset, 1.0), -1.0)
            height_map = self.camera_height - (
                rows - self.horizon_y) * depth / self.focal
            window = self.new(BUILDING, 'window')
            self._punch_windows(segment, window, bbox, depth, height_map,
                                (z0, z1, up.max()))
        return segment

    def front_wall(self, x0, x1, z, profile, label, material, windows=False):
        """A wall facing the camera at depth z between X = x0 and x1."""
        along = np.array([x0 + p[0] for p in profile])
        up = np.array([p[1] for p in profile])
        points = np.concatenate([
            self.project(np.array([x0, x1]), 0.0, z),
            self.project(along[::-1], up[::-1], z)
        ])
        segment = self.new(label, material)
        self.canvas.fill(points, segment)
        if windows and self.pixels(2.0, z) >= 2.0:
            bbox = self._clipped_bbox(points)
            if bbox is None:
                return segment
            bx0, by0, bx1, by1 = bbox
            cols = np.arange(bx0, bx1, dtype=np.float64)[None, :] + 0.5
            rows = np.arange(by0, by1, dtype=np.float64)[:, None] + 0.5
            world_x = (cols - self.vanish_x) * z / self.focal
            height_map = self.camera_height - (rows -
                                               self.horizon_y) * z / self.focal
            window = self.new(BUILDING, 'window')
            self._punch_windows(segment, window, bbox, world_x, height_map,
                                (x0, x1, up.max()))
        return segment

    def tree_crown(self, x, y, z, radius):
        """A tree crown: 1-3 overlapping wobbly blobs centred at world
        (x, y, z)."""
        rng = self.rng
        center = self.project(x, y, z)
        radius_px = self.pixels(radius, z)
        segment = self.new(VEGETATION, 'vegetation')
        for _ in range(int(rng.integers(1, 4))):
            offset = rng.uniform(-0.5, 0.5, 2) * radius_px
            self.canvas.fill(
                _blob_points(
                    rng,
                    center[0] + offset[0],
                    center[1] + offset[1] * 0.6,
                    radius_px * rng.uniform(0.7, 1.0),
                    radius_px * rng.uniform(0.6, 0.9),
                    roughness=0.5), segment)
        return segment

    def hedge(self, wall_x, z0, z1, top):
        """Vegetation in a wall plane with a wavy top edge."""
        rng = self.rng
        depth = np.linspace(z0, z1, 12)
        tops = top * (
            1 + 0.25 *
            np.sin(np.linspace(0, rng.uniform(3, 9), 12) + rng.uniform(0, 6)))
        points = np.concatenate([
            self.project(wall_x, 0.0, np.array([z0, z1])),
            self.project(wall_x, tops[::-1], depth[::-1])
        ])
        self.canvas.fill(points, self.new(VEGETATION, 'vegetation'))

    # -- layers -------------------------------------------------------------

    def draw_skyline(self):
        """Distant towers (behind the street's end) and the street's end."""
        rng = self.rng
        for _ in range(int(rng.integers(0, 6))):
            z = self.street_end + rng.uniform(20, 250)
            x0 = rng.uniform(-1.2, 1.0) * z
            width = rng.uniform(10, 40)
            self.front_wall(
                x0, x0 + width, z,
                self._roof_profile(width, rng.uniform(20, 90),
                                   rng.choice(['flat', 'dome', 'stepped'])),
                BUILDING, 'tower')
        x = self.facade_left
        while x < self.facade_right:
            width = rng.uniform(6, 25)
            x1 = min(x + width, self.facade_right)
            if rng.random() < 0.2:
                self.hedge_front(x, x1, self.street_end, rng.uniform(5, 15))
            else:
                self.front_wall(
                    x,
                    x1,
                    self.street_end,
                    self._roof_profile(
                        x1 - x, rng.uniform(8, 40),
                        rng.choice(['flat', 'gable', 'dome', 'stepped'],
                                   p=[0.4, 0.25, 0.15, 0.2])),
                    BUILDING,
                    'building',
                    windows=True)
            x = x1

    def hedge_front(self, x0, x1, z, top):
        """Vegetation facing the camera at depth z with a wavy top edge."""
        rng = self.rng
        along = np.linspace(x0, x1, 10)
        tops = top * (
            1 + 0.3 *
            np.sin(np.linspace(0, rng.uniform(3, 9), 10) + rng.uniform(0, 6)))
        points = np.concatenate([
            self.project(np.array([x0, x1]), 0.0, z),
            self.project(along[::-1], tops[::-1], z)
        ])
        self.canvas.fill(points, self.new(VEGETATION, 'vegetation'))

    def draw_backdrop(self, side):
        """What is seen over low walls: terrain and a far row of houses or
        trees behind the facade line."""
        rng = self.rng
        facade = self.facade_right if side > 0 else self.facade_left
        backdrop = facade + side * rng.uniform(8, 30)
        self.canvas.fill(
            self.ground_quad(facade, backdrop, self.z_near, self.street_end),
            self.new(TERRAIN, 'terrain'))
        z = self.z_near
        while z < self.street_end:
            z1 = min(z + rng.uniform(8, 30), self.street_end)
            if rng.random() < 0.5:
                self.hedge(backdrop, z, z1, rng.uniform(4, 12))
            else:
                self.side_wall(
                    backdrop, z, z1,
                    self._roof_profile(z1 - z, rng.uniform(4, 15),
                                       rng.choice(['flat', 'gable'])),
                    BUILDING, 'building')
            z = z1

    def draw_facades(self, side):
        """The row of buildings (with hedges, walls, fences) along one side
        of the street."""
        rng = self.rng
        facade = self.facade_right if side > 0 else self.facade_left
        z = self.z_near
        while z < self.street_end:
            z1 = min(z + rng.uniform(6, 22), self.street_end)
            kind = rng.choice(['building', 'trees', 'wall', 'fence'],
                              p=[0.7, 0.12, 0.09, 0.09])
            if kind == 'building':
                profile = self._roof_profile(
                    z1 - z, rng.uniform(6, 30),
                    rng.choice(['flat', 'gable', 'dome', 'stepped'],
                               p=[0.5, 0.2, 0.1, 0.2]))
                self.side_wall(
                    facade, z, z1, profile, BUILDING, 'building', windows=True)
            else:
                self.hedge(facade + side * 0.5, z, z1, rng.uniform(1.5, 4))
                for _ in range(int(rng.integers(0, 3))):
                    zc = rng.uniform(z, z1)
                    self.tree_crown(facade + side * 1.0, rng.uniform(4, 7), zc,
                                    rng.uniform(1.5, 3.5))
                if kind == 'wall':
                    self.side_wall(facade, z, z1,
                                   [(0, rng.uniform(0.8, 2.5)),
                                    (z1 - z, rng.uniform(0.8, 2.5))], WALL,
                                   'wall')
                elif kind == 'fence':
                    self.fence(facade, z, z1, rng.uniform(1.0, 2.2))
            z = z1

    def fence(self, wall_x, z0, z1, top):
        """A fence: solid boards or a railing of thin posts and rails."""
        rng = self.rng
        if rng.random() < 0.5:
            self.side_wall(wall_x, z0, z1, [(0, top), (z1 - z0, top)], FENCE,
                           'fence')
            return
        segment = self.new(FENCE, 'fence')
        spacing = rng.uniform(1.5, 3.0)
        for z in np.arange(z0, z1, spacing):
            bottom, upper = self.project(wall_x, np.array([0.0, top]), z)
            self.canvas.stroke([bottom, upper], self.pixels(0.08, z), segment)
        for rail_height in (top, top * rng.uniform(0.3, 0.6)):
            depth = np.linspace(z0, z1, 8)
            rail = self.project(wall_x, rail_height, depth)
            self.canvas.stroke(rail, max(1.0, self.pixels(0.06, z0 + 5)),
                               segment)

    def draw_ground(self):
        """Road, lane markings, sidewalks, curbs and ground patches."""
        rng = self.rng
        near, far = self.z_near, self.street_end
        canvas = self.canvas
        canvas.fill(
            self.ground_quad(self.road_left, self.road_right, near, far),
            self.new(ROAD, 'road'))
        # A darker patch of repaired asphalt, still road.
        if rng.random() < 0.4:
            z = rng.uniform(self.z_bottom, 40)
            canvas.fill(
                self.project(*self._ground_blob(
                    rng.uniform(self.road_left, self.road_right), z,
                    rng.uniform(0.5, 2.5))),
                self.new(ROAD, 'road', val=(0.1, 0.3)))
        if rng.random() < 0.25:
            side = rng.choice([-1, 1])
            edge = self.road_right if side > 0 else self.road_left
            z0 = rng.uniform(near, 30)
            canvas.fill(
                self.ground_quad(edge - side * 2.3, edge, z0,
                                 z0 + rng.uniform(10, 40)),
                self.new(PARKING, 'parking'))

        # Lane markings: dashed lines between lanes, sometimes solid edge
        # lines and a zebra crossing. They are part of the road class.
        mark = self.new(ROAD, 'lane_mark')
        lane_width = rng.uniform(2.8, 3.6)
        boundaries = np.arange(self.road_left + lane_width,
                               self.road_right - 1.0, lane_width)
        dash, gap = rng.uniform(2, 4), rng.uniform(4, 9)
        phase = rng.uniform(0, dash + gap)
        for boundary in boundaries:
            for z in np.arange(near + phase, far, dash + gap):
                canvas.fill(
                    self.ground_quad(boundary - 0.07, boundary + 0.07, z,
                                     z + dash), mark)
        if rng.random() < 0.5:
            for edge in (self.road_left + 0.3, self.road_right - 0.3):
                canvas.fill(
                    self.ground_quad(edge - 0.06, edge + 0.06, near, far),
                    mark)
        if rng.random() < 0.2:
            z = rng.uniform(max(self.z_bottom, 6), 32)
            for x in np.arange(self.road_left + 0.3, self.road_right - 0.5,
                               1.0):
                canvas.fill(self.ground_quad(x, x + 0.5, z, z + 3.0), mark)

        for side, edge, facade in ((-1, self.road_left, self.facade_left),
                                   (1, self.road_right, self.facade_right)):
            canvas.fill(
                self.ground_quad(edge, facade, near, far),
                self.new(SIDEWALK, 'sidewalk'))
            canvas.fill(
                self.ground_quad(edge, edge + side * 0.2, near, far),
                self.new(SIDEWALK, 'curb'))
            # Grass strips along the houses or along the curb.
            if rng.random() < 0.35:
                z0 = rng.uniform(near, 40)
                width = rng.uniform(0.8, 2.0)
                strip_x = facade if rng.random() < 0.5 else (edge + side *
                                                             (0.5 + width))
                canvas.fill(
                    self.ground_quad(strip_x - side * width, strip_x, z0,
                                     z0 + rng.uniform(5, 40)),
                    self.new(TERRAIN, 'terrain'))
        for _ in range(int(rng.integers(0, 3))):
            # Patches of bare ground (void 'ground') on sidewalks and road
            # edges, with curved outlines.
            side = rng.choice([-1, 1])
            edge = self.road_right if side > 0 else self.road_left
            facade = self.side_of(side)
            x = _between(rng, edge - side * 1.0, facade)
            z = rng.uniform(self.z_bottom * 0.8, 35)
            canvas.fill(
                self.project(*self._ground_blob(x, z, rng.uniform(0.4, 1.5))),
                self.new(GROUND, 'ground'))

    def _ground_blob(self, x, z, radius):
        """World (x, y, z) of a wobbly blob lying on the ground, longer
        along the street than across it."""
        length = radius * self.rng.uniform(1, 2.5)
        points = _blob_points(self.rng, x, z, radius, length, 0.6, num=24)
        return points[:, 0], 0.0, points[:, 1]

    # -- objects ------------------------------------------------------------

    def place_objects(self):
        """Choose trees, poles, people, clutter, two-wheelers and vehicles
        and queue them for drawing by depth."""
        rng = self.rng
        z_min = max(self.z_bottom * 0.9, 2.0)
        for side in (-1, 1):
            edge = self.road_right if side > 0 else self.road_left
            facade = self.side_of(side)
            for _ in range(int(rng.integers(0, 4))):
                z = rng.uniform(z_min, 60)
                x = edge + side * rng.uniform(0.5, 1.2)
                self.add(z, self.tree, x, z)
            for _ in range(int(rng.integers(1, 5))):
                z = rng.uniform(z_min, 70)
                near_curb = rng.random() < 0.7
                x = edge + side * (
                    rng.uniform(0.3, 0.6) if near_curb else rng.uniform(
                        1.0, 2.0))
                if not near_curb and abs(facade - edge) < 2.2:
                    x = edge + side * 0.4
                self.add(z, self.pole_with_attachment, x, z, side)
            for _ in range(int(rng.integers(0, 4))):
                z = rng.uniform(z_min, 50)
                x = _between(rng, edge + side * 0.5, facade - side * 0.3)
                self.add(z, self.person, x, z)
            for _ in range(int(rng.integers(0, 3))):
                z = rng.uniform(z_min, 40)
                x = _between(rng, edge + side * 0.3, facade - side * 0.2)
                kind = rng.choice(['bin', 'bollard', 'bench', 'cart'],
                                  p=[0.3, 0.25, 0.15, 0.3])
                self.add(z, self.clutter, x, z, kind)
            if rng.random() < 0.25:
                z = rng.uniform(z_min, 40)
                x = _between(rng, edge + side * 0.8, facade - side * 0.8)
                self.add(z, self.two_wheeler, x, z, False, False)
        for _ in range(int(rng.integers(0, 2)) + int(rng.random() < 0.3)):
            # People crossing the road.
            z = rng.uniform(z_min + 3, 40)
            self.add(z, self.person,
                     rng.uniform(self.road_left, self.road_right), z)
        for _ in range(int(rng.integers(0, 3))):
            z = rng.uniform(z_min + 1, 45)
            x = rng.choice([self.road_left + 0.8, self.road_right - 0.8
                            ]) + rng.uniform(-0.3, 0.3)
            self.add(z, self.two_wheeler, x, z, True, rng.random() < 0.15)
        self.place_vehicles(z_min)

    def place_vehicles(self, z_min):
        """Cars, trucks and buses in lanes (some oncoming) and parked along
        the road edges, without overlapping each other."""
        rng = self.rng
        lane_centres = list(
            np.arange(self.road_left + 1.5, self.road_right - 1.0, 3.2))
        occupied = []
        for _ in range(int(rng.integers(1, 9))):
            kind = rng.choice(['car', 'truck', 'bus'], p=[0.82, 0.1, 0.08])
            length = dict(
                car=rng.uniform(3.8, 4.8),
                truck=rng.uniform(6, 10),
                bus=rng.uniform(10, 13))[kind]
            parked = rng.random() < 0.4
            if parked or not lane_centres:
                x = rng.choice([self.road_left + 1.1, self.road_right - 1.1])
            else:
                x = lane_centres[int(rng.integers(len(lane_centres)))]
            # Avoid the camera's own lane right in front of the hood.
            lower = z_min + (6.0 if abs(x) < 1.8 else 0.5)
            z = rng.uniform(lower, 80)
            # Skip a vehicle in the same lane (closer than a car width) as
            # another and less than 2 m from it along the street.
            start, end = z - 1.0, z + length + 1.0
            if any(
                    abs(x - other_x) < 2.2 and start < other_end
                    and other_start < end
                    for other_x, other_start, other_end in occupied):
                continue
            occupied.append((x, start, end))
            oncoming = (not parked) and x < -1.6 and rng.random() < 0.7
            yaw = rng.normal(0, 0.08) if parked else rng.normal(0, 0.02)
            self.add(z, self.vehicle, x + rng.normal(0, 0.2), z, length, kind,
                     yaw + (np.pi if oncoming else 0.0))

    def add(self, depth, draw, *args):
        """Queue ``draw(*args)`` for painting at ``depth``."""
        self.objects.append((depth, len(self.objects), draw, args))

    def draw_objects(self):
        # Painter's algorithm: far objects first; the insertion index breaks
        # ties so the order never depends on comparing functions.
        for _, _, draw, args in sorted(
                self.objects, key=lambda item: (-item[0], item[1])):
            draw(*args)

    def billboard(self, x, z, local_points):
        """Project points given in metres (u right, h up) on a plane facing
        the camera at (x, z)."""
        local = np.asarray(local_points, dtype=np.float64)
        return self.project(x + local[:, 0], local[:, 1], z)

    def tree(self, x, z):
        rng = self.rng
        crown_height = rng.uniform(3.5, 7.0)
        trunk = self.new(VEGETATION, 'trunk')
        self.canvas.stroke(
            self.billboard(x, z, [(0, 0), (rng.normal(0, 0.1), crown_height)]),
            self.pixels(rng.uniform(0.2, 0.4), z), trunk)
        self.tree_crown(x, crown_height + 0.5, z, rng.uniform(1.2, 3.0))

    def pole_with_attachment(self, x, z, side):
        rng = self.rng
        kind = rng.choice(['plain', 'sign', 'light', 'lamp'],
                          p=[0.2, 0.35, 0.25, 0.2])
        height = dict(
            plain=rng.uniform(2.5, 4.5),
            sign=rng.uniform(2.3, 3.5),
            light=rng.uniform(2.8, 4.5),
            lamp=rng.uniform(6, 9))[kind]
        pole = self.new(POLE, 'pole')
        self.vertical_bar(x, z, 0.0, height, rng.uniform(0.1, 0.25), pole)
        if kind == 'sign':
            for index in range(int(rng.integers(1, 3))):
                center = height - 0.35 - index * 0.8
                self.traffic_sign(x, center, z - 0.05)
        elif kind == 'light':
            if rng.random() < 0.35:
                # Mast arm over the road with the light hanging from it.
                reach = -side * rng.uniform(1.5, 4.0)
                arm = self.billboard(x, z, [(0, height - 0.2),
                                            (reach, height - 0.2)])
                self.canvas.stroke(arm, self.pixels(0.12, z), pole)
                self.traffic_light(x + reach, height - 1.1, z - 0.05)
            else:
                self.traffic_light(x, height - 0.55, z - 0.05)
        elif kind == 'lamp':
            # A street lamp: the arm is a curve over the road.
            reach = -side * rng.uniform(1.0, 2.5)
            curve = _bezier_points([(0, height - 1.0), (0, height + 0.5),
                                    (reach, height + 0.3),
                                    (reach * 1.1, height)], 12)
            self.canvas.stroke(
                self.billboard(x, z, curve), self.pixels(0.1, z), pole)
            head = _ellipse_points(reach * 1.1, height - 0.1, 0.35, 0.12)
            self.canvas.fill(self.billboard(x, z, head), pole)

    def vertical_bar(self, x, z, y0, y1, thickness, segment):
        """A vertical post with an exact pixel width (at least 1)."""
        (left, bottom), (_, top) = self.project(x, np.array([y0, y1]), z)
        width = max(1, int(round(self.pixels(thickness, z))))
        col0 = int(math.floor(left - width / 2 + 0.5))
        row0 = max(0, int(math.floor(top + 0.5)))
        row1 = min(self.height, int(math.floor(bottom + 0.5)) + 1)
        col1 = min(self.width, col0 + width)
        col0 = max(0, col0)
        if row1 > row0 and col1 > col0:
            self.canvas.segments[row0:row1, col0:col1] = segment

    def traffic_sign(self, x, center_y, z):
        rng = self.rng
        shape = rng.choice(
            ['circle', 'triangle', 'square', 'diamond', 'octagon'])
        size = rng.uniform(0.3, 0.45)
        if shape == 'circle':
            outline = _ellipse_points(0, center_y, size, size, num=24)
        elif shape == 'octagon':
            outline = _ellipse_points(0, center_y, size, size, np.pi / 8, 8)
        elif shape == 'diamond':
            outline = _ellipse_points(0, center_y, size, size, 0, 4)
        elif shape == 'triangle':
            flip = rng.choice([-1, 1])
            outline = _ellipse_points(0, center_y, size * 1.1, size * 1.1,
                                      -flip * np.pi / 2, 3)
        else:
            outline = _rounded_rect_points(-size, center_y - size * 0.8, size,
                                           center_y + size * 0.8, size * 0.1)
        if rng.random() < 0.2:
            # Seen from behind: plain grey.
            self.canvas.fill(
                self.billboard(x, z, outline),
                self.new(TRAFFIC_SIGN, 'sign_back'))
            return
        rim_colour, face_colour = [('sign_red', 'sign_white'),
                                   ('sign_blue', 'sign_white'),
                                   ('sign_white', 'sign_blue'),
                                   ('sign_yellow', 'sign_red')
                                   ][int(rng.integers(4))]
        self.canvas.fill(
            self.billboard(x, z, outline), self.new(TRAFFIC_SIGN, rim_colour))
        inner = (outline - [0, center_y]) * 0.7 + [0, center_y]
        self.canvas.fill(
            self.billboard(x, z, inner), self.new(TRAFFIC_SIGN, face_colour))

    def traffic_light(self, x, center_y, z):
        rng = self.rng
        box = _rounded_rect_points(-0.18, center_y - 0.5, 0.18, center_y + 0.5,
                                   0.06)
        self.canvas.fill(
            self.billboard(x, z, box), self.new(TRAFFIC_LIGHT, 'light_box'))
        lit = int(rng.integers(3))
        for index, colour in enumerate(
            ('lamp_red', 'lamp_yellow', 'lamp_green')):
            lamp = _ellipse_points(
                0, center_y - 0.3 + index * 0.3, 0.1, 0.1, num=12)
            self.canvas.fill(
                self.billboard(x, z, lamp),
                self.new(TRAFFIC_LIGHT,
                         colour if index == lit else 'lamp_off'))

    def person(self, x, z, label=PERSON):
        """A walking person: head, torso, two arms and two legs."""
        rng = self.rng
        height = rng.uniform(1.5, 1.95)
        hip = 0.52 * height
        shoulder = 0.82 * height
        stride = rng.uniform(-0.3, 0.3)
        lean = rng.normal(0, 0.03)
        top = self.new(label, 'cloth')
        bottom = self.new(label, 'cloth', val=(0.05, 0.5))
        skin = self.new(label, 'skin')
        legs = ([(-0.09, hip),
                 (-0.1 - stride / 2, 0.0)], [(0.09, hip),
                                             (0.1 + stride / 2, 0.0)])
        for leg in legs:
            self.canvas.stroke(
                self.billboard(x, z, leg), self.pixels(0.14, z), bottom)
        torso = [(-0.2 + lean, shoulder), (0.2 + lean, shoulder),
                 (0.17, hip - 0.05), (-0.17, hip - 0.05)]
        self.canvas.fill(self.billboard(x, z, torso), top)
        for sign in (-1, 1):
            swing = sign * stride * 0.6 + rng.normal(0, 0.05)
            arm = [(sign * 0.21 + lean, shoulder - 0.04),
                   (sign * 0.26 + swing / 2, shoulder - 0.3),
                   (sign * 0.24 + swing, hip)]
            self.canvas.stroke(
                self.billboard(x, z, arm), self.pixels(0.09, z), top)
        head = _ellipse_points(lean, height - 0.12, 0.1, 0.12, num=16)
        self.canvas.fill(self.billboard(x, z, head), skin)
        if rng.random() < 0.6:
            hair = _ellipse_points(
                lean,
                height - 0.07,
                0.1,
                0.07,
                num=12,
                start=np.pi,
                stop=2 * np.pi)
            self.canvas.fill(
                self.billboard(x, z, hair), self.new(label, 'hair'))

    def two_wheeler(self, x, z, with_rider, motorised):
        """A bicycle (or motorcycle), optionally ridden, seen at an angle.

        The frame is drawn in its own vertical plane, rotated by a random
        yaw, so wheels become ellipses of varying eccentricity.
        """
        rng = self.rng
        yaw = rng.choice([-1, 1]) * rng.uniform(0.25, 1.3)
        direction = np.array([math.sin(yaw), math.cos(yaw)])

        def plane(points):
            local = np.asarray(points, dtype=np.float64)
            return self.project(x + local[:, 0] * direction[0], local[:, 1],
                                z + local[:, 0] * direction[1])

        label = MOTORCYCLE if motorised else BICYCLE
        wheel_radius = 0.32 if motorised else 0.34
        wheel_base = 0.7 if motorised else 0.55
        tyre = self.new(label, 'tyre')
        frame = self.new(label, 'bike_frame')
        thin = self.pixels(0.13 if motorised else 0.04, z)
        for hub in (-wheel_base, wheel_base):
            ring = _ellipse_points(
                hub, wheel_radius, wheel_radius, wheel_radius, num=20)
            self.canvas.stroke(plane(ring), thin, tyre, closed=True)
        seat = (-0.2, 0.95 if not motorised else 0.85)
        crank = (0.0, wheel_radius)
        head_tube = (0.42, 0.95)
        if motorised:
            body = _blob_points(rng, 0.0, 0.62, 0.55, 0.25, 0.2, num=16)
            self.canvas.fill(plane(body), frame)
        else:
            rear_hub = (-wheel_base, wheel_radius)
            front_hub = (wheel_base, wheel_radius)
            for start, end in ((rear_hub, seat), (seat, crank),
                               (crank, rear_hub), (seat, head_tube),
                               (crank, head_tube), (head_tube, front_hub)):
                self.canvas.stroke(
                    plane([start, end]), self.pixels(0.04, z), frame)
        self.canvas.stroke(
            plane([head_tube, (0.38, 1.08), (0.3, 1.1)]), self.pixels(0.04, z),
            frame)
        if not with_rider:
            return
        top = self.new(RIDER, 'cloth')
        bottom = self.new(RIDER, 'cloth', val=(0.05, 0.5))
        hip = (seat[0], seat[1] + 0.1)
        shoulder = (0.1, hip[1] + 0.58)
        self.canvas.stroke(
            plane([hip, (0.05, 0.75), (0.0, 0.45)]), self.pixels(0.14, z),
            bottom)
        torso = np.array([hip, shoulder])
        self.canvas.stroke(plane(torso), self.pixels(0.36, z), top)
        self.canvas.stroke(
            plane([shoulder, (0.3, 1.15), (0.36, 1.08)]), self.pixels(0.09, z),
            top)
        head = _ellipse_points(
            shoulder[0] + 0.05, shoulder[1] + 0.2, 0.11, 0.13, num=14)
        self.canvas.fill(
            plane(head),
            self.new(RIDER, 'hair' if rng.random() < 0.5 else 'clutter'))

    def clutter(self, x, z, kind):
        """Void clutter: bins, bollards and benches are 'static', carts are
        'dynamic'."""
        rng = self.rng
        if kind == 'bollard':
            segment = self.new(STATIC, 'pole')
            self.vertical_bar(x, z, 0.0, rng.uniform(0.6, 1.0), 0.15, segment)
        elif kind == 'bin':
            width, height = rng.uniform(0.4, 0.7), rng.uniform(0.7, 1.1)
            body = _rounded_rect_points(-width / 2, 0, width / 2, height,
                                        width * 0.2)
            self.canvas.fill(
                self.billboard(x, z, body), self.new(STATIC, 'clutter'))
        elif kind == 'bench':
            segment = self.new(STATIC, 'clutter')
            seat = [(-0.8, 0.42), (0.8, 0.42), (0.8, 0.5), (-0.8, 0.5)]
            back = [(-0.8, 0.6), (0.8, 0.6), (0.8, 0.9), (-0.8, 0.9)]
            self.canvas.fill(self.billboard(x, z, seat), segment)
            self.canvas.fill(self.billboard(x, z, back), segment)
            for leg_x in (-0.7, 0.7):
                self.canvas.stroke(
                    self.billboard(x, z, [(leg_x, 0), (leg_x, 0.9)]),
                    self.pixels(0.06, z), segment)
        else:
            segment = self.new(DYNAMIC, 'clutter')
            body = _rounded_rect_points(-0.35, 0.25, 0.35, 1.0, 0.1)
            self.canvas.fill(self.billboard(x, z, body), segment)
            for wheel_x in (-0.25, 0.25):
                wheel = _ellipse_points(wheel_x, 0.12, 0.12, 0.12, num=10)
                self.canvas.fill(
                    self.billboard(x, z, wheel), self.new(DYNAMIC, 'tyre'))

    def vehicle(self, x, z, length, kind, yaw):
        """A car, truck or bus: convex hulls of a rounded 3D body and cabin,
        with windows, lights, wheels and sometimes a license plate."""
        rng = self.rng
        label = dict(car=CAR, truck=TRUCK, bus=BUS)[kind]
        if kind == 'car':
            width, height = rng.uniform(1.65, 1.95), rng.uniform(1.35, 1.6)
            belt = height * rng.uniform(0.5, 0.6)
        elif kind == 'truck':
            width, height = rng.uniform(2.3, 2.55), rng.uniform(2.8, 3.8)
            belt = height
        else:
            width, height = 2.55, rng.uniform(2.9, 3.2)
            belt = height
        right = np.array([math.cos(yaw), -math.sin(yaw)])
        forward = np.array([math.sin(yaw), math.cos(yaw)])
        # The end of the vehicle nearer to the camera: its rear, or its
        # front for oncoming traffic (yaw near pi).
        oncoming = math.cos(yaw) < 0
        origin = np.array([x, z]) - (forward * length if oncoming else 0.0)

        def body_points(along, across, up):
            along, across, up = np.broadcast_arrays(
                *map(np.asarray, (along, across, up)))
            ground = origin + np.outer(along.ravel(), forward) + np.outer(
                across.ravel(), right)
            return self.project(ground[:, 0], up.ravel(), ground[:, 1])

        def hull(along, across, up):
            points = body_points(along, across, up).astype(np.float32)
            return cv2.convexHull(points).reshape(-1, 2)

        paint_segment = self.new(label, 'paint')
        half = width / 2
        # Rounded cross-section of the lower body, extruded along the
        # length with slightly pulled-in ends.
        section = _rounded_rect_points(-half, 0.25, half, belt, 0.25, 3)
        along = np.concatenate([
            np.full(len(section), 0.0),
            np.full(len(section), 0.15),
            np.full(len(section), length - 0.15),
            np.full(len(section), length)
        ])
        shrink = np.repeat([0.9, 1.0, 1.0, 0.9], len(section))
        across = np.tile(section[:, 0], 4) * shrink
        up = np.tile(section[:, 1], 4)
        up = np.where(shrink < 1, 0.25 + (up - 0.25) * 0.92, up)
        self.canvas.fill(hull(along, across, up), paint_segment)

        # Visible side wheels.
        side_sign = 1.0 if (origin @ right) < 0 else -1.0
        wheel_radius = 0.32 if kind == 'car' else 0.5
        tyre = self.new(label, 'tyre')
        axles = (0.8, length - 0.9) if kind == 'car' else (1.5, length - 1.6)
        for axle in axles:
            circle = _ellipse_points(
                axle, wheel_radius, wheel_radius, wheel_radius, num=14)
            self.canvas.fill(
                body_points(circle[:, 0], side_sign * half, circle[:, 1]),
                tyre)
        near_end = length if oncoming else 0.0
        for across_pos in (-half + 0.25, half - 0.25):
            stub = _rounded_rect_points(across_pos - 0.12, 0.0,
                                        across_pos + 0.12, 0.35, 0.05, 2)
            self.canvas.fill(
                body_points(near_end, stub[:, 0], stub[:, 1]), tyre)
        if kind == 'car':
            # The cabin sits a little towards the rear of the car.
            if oncoming:
                cabin_in = (0.25 * length, 0.72 * length)
            else:
                cabin_in = (0.28 * length, 0.75 * length)
            top_in = (cabin_in[0] + 0.35, cabin_in[1] - 0.45)
            cabin = [(cabin_in[0], -half + 0.08, belt),
                     (cabin_in[1], -half + 0.08, belt),
                     (cabin_in[0], half - 0.08, belt),
                     (cabin_in[1], half - 0.08, belt),
                     (top_in[0], -half + 0.25, height),
                     (top_in[1], -half + 0.25, height),
                     (top_in[0], half - 0.25, height),
                     (top_in[1], half - 0.25, height)]
            cabin = np.array(cabin)
            self.canvas.fill(hull(*cabin.T), paint_segment)
            glass = self.new(label, 'glass')
            # Side windows and the window of the near end.
            inset = 0.08
            side_window = [(cabin_in[0] + 0.25, belt + inset),
                           (cabin_in[1] - 0.2, belt + inset),
                           (top_in[1] - 0.05, height - inset),
                           (top_in[0] + 0.05, height - inset)]
            side_window = np.array(side_window)
            self.canvas.fill(
                body_points(side_window[:, 0], side_sign * (half - 0.1),
                            side_window[:, 1]), glass)
            end_index = 1 if oncoming else 0
            near_cabin, near_top = cabin_in[end_index], top_in[end_index]
            end_window = np.array([(near_cabin, -half + 0.2, belt + inset),
                                   (near_cabin, half - 0.2, belt + inset),
                                   (near_top, half - 0.32, height - inset),
                                   (near_top, -half + 0.32, height - inset)])
            self.canvas.fill(body_points(*end_window.T), glass)
        else:
            glass = self.new(label, 'glass')
            if kind == 'bus':
                band = np.array([(0.8, 1.3), (length - 0.5, 1.3),
                                 (length - 0.5, height - 0.35),
                                 (0.8, height - 0.35)])
                self.canvas.fill(
                    body_points(band[:, 0], side_sign * (half + 0.01),
                                band[:, 1]), glass)
                # Window pillars.
                pillar = self.new(label, 'paint')
                for along_pos in np.arange(1.8, length - 0.6, 1.4):
                    self.canvas.stroke(
                        body_points([along_pos, along_pos],
                                    side_sign * (half + 0.02),
                                    [1.3, height - 0.35]), self.pixels(0.1, z),
                        pillar)
                end_window = np.array([(-half + 0.15, 1.6), (half - 0.15, 1.6),
                                       (half - 0.15, height - 0.3),
                                       (-half + 0.15, height - 0.3)])
                self.canvas.fill(
                    body_points(near_end, end_window[:, 0], end_window[:, 1]),
                    glass)
            elif oncoming:
                end_window = np.array([(-half + 0.15, height * 0.6),
                                       (half - 0.15, height * 0.6),
                                       (half - 0.15, height - 0.2),
                                       (-half + 0.15, height - 0.2)])
                self.canvas.fill(
                    body_points(near_end, end_window[:, 0], end_window[:, 1]),
                    glass)
        # Lights at the near end.
        light = self.new(label, 'head_light' if oncoming else 'tail_light')
        light_y = belt * 0.75 if kind == 'car' else 0.8
        for across_pos in (-half + 0.2, half - 0.2):
            lamp = _rounded_rect_points(across_pos - 0.13, light_y - 0.07,
                                        across_pos + 0.13, light_y + 0.07,
                                        0.03, 2)
            self.canvas.fill(
                body_points(near_end, lamp[:, 0], lamp[:, 1]), light)
        if rng.random() < 0.7:
            plate_y = belt * 0.42 if kind == 'car' else 0.6
            plate = np.array([(-0.26, plate_y - 0.06), (0.26, plate_y - 0.06),
                              (0.26, plate_y + 0.06), (-0.26, plate_y + 0.06)])
            self.canvas.fill(
                body_points(near_end, plate[:, 0], plate[:, 1]),
                self.canvas.new_segment(LICENSE_PLATE, self.styles('plate')))

    # -- image borders ------------------------------------------------------

    def draw_ego_vehicle(self):
        """The hood of the recording car: a curved shape at the bottom."""
        rng = self.rng
        height, width = self.height, self.width
        base = height * (1 - rng.uniform(0.06, 0.18))
        bulge = height * rng.uniform(0.01, 0.05)
        center = width * rng.uniform(0.4, 0.6)
        cols = np.linspace(-0.05 * width, 1.05 * width, 33)
        t = (cols - center) / (0.6 * width)
        # Highest in the middle, falling off faster towards the corners.
        rows = base - bulge * (1 - t**2) + height * 0.05 * np.abs(t)**3
        outline = np.concatenate([
            np.stack([cols, rows], 1),
            [[1.05 * width, height + 2], [-0.05 * width, height + 2]]
        ])
        self.canvas.fill(outline, self.new(EGO_VEHICLE, 'ego'))

    def draw_rectification_border(self):
        """Curved black wedges in some image corners, as left by image
        rectification."""
        rng = self.rng
        height, width = self.height, self.width
        segment = self.new(RECTIFICATION_BORDER, 'border')
        corners = [(0, 0, 1, 1), (width, 0, -1, 1), (0, height, 1, -1),
                   (width, height, -1, -1)]
        chosen = rng.permutation(4)[:int(rng.integers(1, 3))]
        for index in chosen:
            corner_x, corner_y, dir_x, dir_y = corners[index]
            reach_x = width * rng.uniform(0.03, 0.12)
            reach_y = height * rng.uniform(0.03, 0.12)
            curve = _bezier_points([(corner_x + dir_x * reach_x, corner_y),
                                    (corner_x + dir_x * reach_x * 0.3,
                                     corner_y + dir_y * reach_y * 0.3),
                                    (corner_x, corner_y + dir_y * reach_y)],
                                   10)
            outline = np.concatenate(
                [curve, [[corner_x - dir_x, corner_y - dir_y]]])
            self.canvas.fill(outline, segment)

    def out_of_roi(self, label):
        """Label thin strips along some image borders as 'out of roi'.

        Only the label changes: in Cityscapes these pixels show ordinary
        image content that is simply not annotated.
        """
        rng = self.rng
        strip = max(1, int(round(rng.uniform(0.004, 0.015) * self.width)))
        sides = rng.random(4) < (0.6, 0.6, 0.7, 0.2)
        if not sides.any():
            sides[2] = True
        if sides[0]:
            label[:, :strip] = OUT_OF_ROI
        if sides[1]:
            label[:, -strip:] = OUT_OF_ROI
        if sides[2]:
            label[-strip:, :] = OUT_OF_ROI
        if sides[3]:
            label[:strip, :] = OUT_OF_ROI
        return label

    def render(self):
        rng = self.rng
        self.draw_skyline()
        for side in (-1, 1):
            self.draw_backdrop(side)
        for side in (-1, 1):
            self.draw_facades(side)
        self.draw_ground()
        self.place_objects()
        self.draw_objects()
        if rng.random() < 0.85:
            self.draw_ego_vehicle()
        if rng.random() < 0.3:
            self.draw_rectification_border()
        label = self.canvas.label_map()
        if rng.random() < 0.5:
            label = self.out_of_roi(label)
        image = _compose_image(rng, self.canvas.segments,
                               self.canvas.style_table())
        return image, label


def render_street_scene(rng, height, width):
    """Render a synthetic street scene with Cityscapes label ids.

    The scene is a street seen from a driving car: sky with a skyline of
    buildings, facades with windows, hedges, walls and fences, a road with
    lane markings between sidewalks, trees, poles carrying traffic signs,
    traffic lights and lamps, pedestrians, riders on bicycles, parked and
    moving cars, trucks and buses, plus the void classes of real Cityscapes
    annotations (ego vehicle hood, out-of-roi border strips, rectification
    border, static and dynamic clutter, ground patches, license plates).

    Args:
        rng (np.random.Generator): Source of randomness; the result is a
            deterministic function of its state and the size.
        height (int): Image height in pixels (>= 1).
        width (int): Image width in pixels (>= 1).

    Returns:
        tuple[np.ndarray, np.ndarray]: HxWx3 uint8 RGB image and HxW uint8
        official Cityscapes label ids; the license plate (id -1) is stored
        as 255.
    """
    height, width = int(height), int(width)
    if height < 1 or width < 1:
        raise ValueError(f'image size must be positive, got {height}x{width}')
    return _StreetScene(rng, height, width).render()


# ---------------------------------------------------------------------------
# VOC-like object scene (VOC class indices, 255 on object outlines)
# ---------------------------------------------------------------------------

_VOC_MATERIALS = dict(
    # Background materials.
    sky=_STREET_MATERIALS['sky'],
    grass=dict(
        hue=(60, 120),
        sat=(0.3, 0.8),
        val=(0.25, 0.7),
        second=(-25, 0.9, 0.8),
        mix=(0.3, 0.9),
        fine=(0.05, 0.15),
        hstripe=(0.0, 0.05)),
    water=dict(
        hue=(180, 230),
        sat=(0.2, 0.7),
        val=(0.2, 0.7),
        second=(0, 0.5, 1.5),
        mix=(0.2, 0.6),
        hstripe=(0.05, 0.2),
        fine=(0.02, 0.06)),
    wall=dict(
        hue=(0, 60),
        sat=(0.0, 0.35),
        val=(0.35, 0.9),
        jitter=(20, 0.4, 0.2),
        fine=(0.0, 0.05),
        grid=(0.0, 0.06),
        grad=(-0.15, 0.15)),
    floor=dict(
        hue=(10, 45),
        sat=(0.05, 0.5),
        val=(0.2, 0.7),
        hstripe=(0.0, 0.15),
        grid=(0.0, 0.15),
        fine=(0.02, 0.08)),
    road=_STREET_MATERIALS['road'],
    building=_STREET_MATERIALS['building'],
    clutter=dict(
        sat=(0.0, 0.7),
        val=(0.1, 0.9),
        fresh=True,
        fine=(0.0, 0.08),
        mix=(0.0, 0.5)),
    # Object materials.
    metal=dict(
        hue=(190, 230),
        sat=(0.0, 0.15),
        val=(0.5, 0.95),
        fresh=True,
        second=(0, 1.0, 0.6),
        mix=(0.1, 0.5),
        grad=(-0.15, 0.15)),
    paint=_STREET_MATERIALS['paint'],
    tyre=_STREET_MATERIALS['tyre'],
    glass=_STREET_MATERIALS['glass'],
    light=_STREET_MATERIALS['head_light'],
    skin=_STREET_MATERIALS['skin'],
    hair=_STREET_MATERIALS['hair'],
    cloth=_STREET_MATERIALS['cloth'],
    frame=_STREET_MATERIALS['bike_frame'],
    fur=dict(
        hue=(15, 40),
        sat=(0.0, 0.7),
        val=(0.05, 0.9),
        fresh=True,
        second=(5, 0.8, 1.4),
        mix=(0.2, 0.8),
        fine=(0.05, 0.15)),
    hide=dict(
        hue=(15, 35),
        sat=(0.0, 0.6),
        val=(0.05, 0.7),
        fresh=True,
        second=(0, 0.1, 6.0),
        mix=(0.3, 1.0),
        fine=(0.02, 0.08)),
    wool=dict(
        hue=(30, 50),
        sat=(0.0, 0.25),
        val=(0.55, 0.95),
        fresh=True,
        second=(0, 1.0, 0.75),
        mix=(0.2, 0.6),
        fine=(0.15, 0.3)),
    face=dict(hue=(20, 35), sat=(0.0, 0.4), val=(0.05, 0.6), fresh=True),
    feather=dict(
        sat=(0.0, 0.8),
        val=(0.1, 0.9),
        fresh=True,
        second=(20, 0.8, 0.6),
        mix=(0.2, 0.8),
        fine=(0.02, 0.1)),
    beak=dict(hue=(25, 50), sat=(0.5, 1.0), val=(0.5, 0.95), fresh=True),
    eye=dict(sat=(0.0, 0.3), val=(0.0, 0.15), fresh=True),
    wood=dict(
        hue=(15, 40),
        sat=(0.3, 0.7),
        val=(0.15, 0.65),
        fresh=True,
        hstripe=(0.0, 0.12),
        fine=(0.02, 0.08)),
    fabric=dict(
        sat=(0.0, 0.7),
        val=(0.1, 0.8),
        fresh=True,
        fine=(0.02, 0.1),
        vstripe=(0.0, 0.06)),
    plastic=dict(
        sat=(0.0, 0.3), val=(0.02, 0.7), fresh=True, grad=(-0.1, 0.1)),
    bottle_glass=dict(
        hue=(20, 160),
        sat=(0.1, 0.9),
        val=(0.1, 0.7),
        fresh=True,
        second=(0, 0.5, 1.8),
        mix=(0.1, 0.5),
        grad=(-0.2, 0.2)),
    screen=dict(
        sat=(0.0, 0.8),
        val=(0.02, 0.8),
        fresh=True,
        second=(120, 1.0, 0.6),
        mix=(0.0, 1.0),
        hstripe=(0.0, 0.1)),
    leaf=_STREET_MATERIALS['vegetation'],
    pot=dict(
        hue=(5, 30),
        sat=(0.2, 0.8),
        val=(0.2, 0.8),
        fresh=True,
        grad=(-0.1, 0.1)),
)

# Backgrounds each class is usually seen on; the first object of a scene
# picks the background and most other objects come from the classes that
# fit it, so context is informative but not decisive.
_VOC_CONTEXTS = dict(
    sky=('aeroplane', 'bird'),
    water=('boat', 'bird', 'person', 'dog'),
    field=('cow', 'sheep', 'horse', 'dog', 'person', 'bicycle', 'motorbike',
           'bird'),
    street=('car', 'bus', 'motorbike', 'bicycle', 'person', 'train', 'dog'),
    indoor=('chair', 'sofa', 'diningtable', 'tvmonitor', 'bottle',
            'pottedplant', 'cat', 'dog', 'person'),
)

# Classes whose objects fly or float and need not stand on the ground.
_VOC_AIRBORNE = ('aeroplane', 'bird')


class _ObjectPainter:
    """Draws an object's parts given in local coordinates.

    Local coordinates put the object roughly in [-1, 1]^2 with y pointing
    down (y = 1 is where it touches the ground). A similarity transform
    (scale, rotation, horizontal flip, translation) maps them to pixels.
    """

    def __init__(self, canvas, styles, label, instance, center, scale, angle,
                 flip):
        self.canvas = canvas
        self.styles = styles
        self.label = label
        self.instance = instance
        self.center = np.asarray(center, dtype=np.float64)
        self.scale = scale
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        self.matrix = scale * np.array([[cos_a * flip, -sin_a],
                                        [sin_a * flip, cos_a]])

    def part(self, material, **overrides):
        return self.canvas.new_segment(self.label,
                                       self.styles(material, **overrides),
                                       self.instance)

    def to_pixels(self, points):
        return np.asarray(points, dtype=np.float64) @ self.matrix.T + \
            self.center

    def poly(self, segment, points):
        self.canvas.fill(self.to_pixels(points), segment)

    def ellipse(self, segment, cx, cy, rx, ry, angle=0.0):
        self.poly(segment, _ellipse_points(cx, cy, rx, ry, angle, num=28))

    def rect(self, segment, x0, y0, x1, y1, radius=0.0):
        self.poly(segment, _rounded_rect_points(x0, y0, x1, y1, radius))

    def stroke(self, segment, points, width, closed=False):
        self.canvas.stroke(
            self.to_pixels(points), width * self.scale, segment, closed)

    def ring(self, segment, cx, cy, radius, width):
        self.stroke(
            segment,
            _ellipse_points(cx, cy, radius, radius, num=28),
            width,
            closed=True)

    def curve(self, segment, control_points, width):
        self.stroke(segment, _bezier_points(control_points, 12), width)


# Shape families, one per VOC class. Each draws its parts with an
# _ObjectPainter in local coordinates (roughly [-1, 1]^2, y down, feet or
# wheels near y = 1); every part is its own segment with its own material,
# and parts drawn later cover earlier ones.


def _voc_aeroplane(paint, rng):
    body = paint.part('metal')
    accent = paint.part('paint')
    paint.poly(body, [(0.15, 0.02), (-0.12, 0.02), (-0.45, 0.7), (-0.28, 0.7)])
    paint.poly(body, [(0.1, -0.02), (-0.1, -0.02), (-0.32, -0.4),
                      (-0.2, -0.4)])
    paint.ellipse(body, 0.0, 0.0, 1.0, 0.13)
    paint.poly(accent, [(-0.7, -0.05), (-0.97, -0.05), (-1.05, -0.5),
                        (-0.9, -0.5)])
    paint.poly(body, [(-0.78, 0.03), (-0.98, 0.03), (-1.1, 0.25),
                      (-1.0, 0.25)])
    engine = paint.part('metal', val=(0.2, 0.6))
    for x, y in ((-0.15, 0.3), (-0.3, 0.5)):
        paint.ellipse(engine, x, y, 0.13, 0.05)
    glass = paint.part('glass')
    paint.stroke(glass, [(-0.6, -0.04), (0.7, -0.04)], 0.025)
    paint.ellipse(glass, 0.86, -0.04, 0.08, 0.04)


def _voc_bicycle(paint, rng):
    tyre = paint.part('tyre')
    frame = paint.part('frame')
    for hub in (-0.62, 0.62):
        paint.ring(tyre, hub, 0.55, 0.38, 0.06)
        paint.stroke(frame, [(hub - 0.38, 0.55), (hub + 0.38, 0.55)], 0.015)
        paint.stroke(frame, [(hub, 0.17), (hub, 0.93)], 0.015)
    rear, front = (-0.62, 0.55), (0.62, 0.55)
    seat, crank, head = (-0.2, -0.25), (0.0, 0.55), (0.45, -0.25)
    for start, end in ((rear, seat), (seat, crank), (crank, rear),
                       (seat, head), (crank, head), (head, front)):
        paint.stroke(frame, [start, end], 0.05)
    paint.stroke(frame, [head, (0.42, -0.45), (0.3, -0.5)], 0.05)
    paint.poly(
        paint.part('plastic'), [(-0.35, -0.33), (-0.05, -0.33), (-0.08, -0.25),
                                (-0.3, -0.25)])


def _voc_bird(paint, rng):
    feather = paint.part('feather')
    if rng.random() < 0.4:
        # In flight: spread wings.
        wing = paint.part('feather')
        paint.poly(
            wing,
            _bezier_points([(-0.2, 0.0), (-0.3, -0.9), (0.3, -0.9),
                            (0.2, 0.0)], 12))
        paint.poly(
            wing,
            _bezier_points([(-0.15, 0.1), (-0.5, 0.7), (0.1, 0.8),
                            (0.2, 0.05)], 12))
    paint.ellipse(feather, 0.0, 0.0, 0.55, 0.28, -0.2)
    paint.poly(feather, [(-0.45, -0.05), (-1.0, 0.1), (-0.95, 0.3),
                         (-0.45, 0.15)])
    paint.ellipse(feather, 0.5, -0.35, 0.2, 0.19)
    paint.poly(paint.part('beak'), [(0.66, -0.4), (0.95, -0.3), (0.66, -0.27)])
    paint.ellipse(paint.part('eye'), 0.56, -0.4, 0.04, 0.04)
    legs = paint.part('beak')
    for x in (-0.05, 0.1):
        paint.stroke(legs, [(x, 0.25), (x + 0.05, 0.65)], 0.035)


def _voc_boat(paint, rng):
    hull = paint.part('paint')
    bottom = _bezier_points([(1.0, -0.05), (0.75, 0.45), (-0.8, 0.45),
                             (-1.0, 0.1)], 14)
    paint.poly(hull, np.concatenate([[(-1.0, 0.1), (1.0, -0.05)], bottom]))
    paint.stroke(paint.part('paint'), [(-0.98, 0.16), (0.95, 0.02)], 0.04)
    if rng.random() < 0.5:
        mast = paint.part('wood')
        paint.stroke(mast, [(0.1, 0.0), (0.1, -1.0)], 0.035)
        paint.poly(
            paint.part('fabric', val=(0.7, 1.0)), [(0.13, -0.95), (0.13, -0.1),
                                                   (0.8, -0.1)])
    else:
        cabin = paint.part('paint')
        paint.rect(cabin, -0.45, -0.35, 0.3, 0.07, 0.05)
        glass = paint.part('glass')
        for x in (-0.38, -0.12, 0.12):
            paint.rect(glass, x, -0.27, x + 0.14, -0.12)


def _voc_bottle(paint, rng):
    glass = paint.part('bottle_glass')
    paint.rect(glass, -0.3, -0.2, 0.3, 1.0, 0.08)
    left_shoulder = _bezier_points([(-0.3, -0.15), (-0.3, -0.45),
                                    (-0.1, -0.45), (-0.1, -0.6)], 8)
    right_shoulder = left_shoulder[::-1] * [-1, 1]
    paint.poly(glass, np.concatenate([left_shoulder, right_shoulder]))
    paint.rect(glass, -0.1, -0.85, 0.1, -0.4)
    paint.rect(paint.part('plastic'), -0.12, -1.0, 0.12, -0.82, 0.02)
    paint.rect(paint.part('fabric'), -0.3, 0.15, 0.3, 0.6)


def _voc_bus(paint, rng):
    body = paint.part('paint')
    paint.rect(body, -1.0, -0.55, 1.0, 0.45, 0.1)
    glass = paint.part('glass')
    paint.rect(glass, -0.92, -0.45, 0.7, -0.08)
    for x in np.arange(-0.7, 0.7, 0.3):
        paint.stroke(body, [(x, -0.45), (x, -0.08)], 0.03)
    paint.rect(glass, 0.76, -0.48, 0.96, 0.0, 0.03)
    paint.rect(paint.part('paint'), 0.45, -0.02, 0.62, 0.4)
    tyre = paint.part('tyre')
    hub = paint.part('metal')
    for x in (-0.62, 0.62):
        paint.ellipse(tyre, x, 0.45, 0.17, 0.17)
        paint.ellipse(hub, x, 0.45, 0.07, 0.07)


def _voc_car(paint, rng):
    body = paint.part('paint')
    paint.rect(body, -1.0, -0.05, 1.0, 0.4, 0.12)
    cabin = np.concatenate([[(-0.7, -0.03)],
                            _bezier_points([(-0.6, -0.05), (-0.4, -0.55),
                                            (0.2, -0.55), (0.55, -0.05)], 12),
                            [(0.6, -0.03)]])
    paint.poly(body, cabin)
    glass = paint.part('glass')
    center = cabin.mean(axis=0)
    paint.poly(glass, (cabin - center) * [0.85, 0.75] + center + [0, 0.02])
    paint.stroke(body, [(-0.05, -0.45), (-0.05, 0.0)], 0.05)
    tyre = paint.part('tyre')
    hub = paint.part('metal')
    for x in (-0.62, 0.62):
        paint.ellipse(tyre, x, 0.4, 0.22, 0.22)
        paint.ellipse(hub, x, 0.4, 0.1, 0.1)
    paint.rect(paint.part('light'), 0.9, 0.02, 1.0, 0.12)


def _voc_cat(paint, rng):
    fur = paint.part('fur')
    if rng.random() < 0.5:
        # Sitting, seen from the front.
        paint.ellipse(fur, 0.0, 0.35, 0.42, 0.55)
        head_x, head_y = 0.0, -0.4
        paint.curve(fur, [(0.3, 0.8), (0.9, 0.9), (0.8, 0.4)], 0.09)
    else:
        paint.ellipse(fur, -0.15, 0.25, 0.58, 0.28)
        for x in (-0.55, -0.35, 0.15, 0.3):
            paint.stroke(fur, [(x, 0.35), (x, 0.85)], 0.11)
        paint.curve(fur, [(-0.65, 0.15), (-1.05, 0.05), (-0.9, -0.45)], 0.09)
        head_x, head_y = 0.5, -0.1
    paint.ellipse(fur, head_x, head_y, 0.28, 0.25)
    for side in (-1, 1):
        paint.poly(fur, [(head_x + side * 0.25, head_y - 0.08),
                         (head_x + side * 0.22, head_y - 0.45),
                         (head_x + side * 0.05, head_y - 0.2)])
        paint.ellipse(
            paint.part('beak', hue=(50, 110)), head_x + side * 0.1,
            head_y - 0.03, 0.05, 0.035)
    paint.ellipse(paint.part('face'), head_x, head_y + 0.08, 0.04, 0.03)


def _voc_chair(paint, rng):
    wood = paint.part('wood')
    paint.poly(wood, [(-0.55, 0.05), (0.45, 0.05), (0.55, 0.2), (-0.45, 0.2)])
    for start, end in (((0.5, 0.2), (0.52, 1.0)), ((0.3, 0.12), (0.32, 0.9)),
                       ((-0.45, 0.2), (-0.5, 1.0)), ((-0.35, 0.12), (-0.38,
                                                                     0.9)),
                       ((-0.52, 0.1), (-0.62, -0.9)), ((-0.32, 0.05),
                                                       (-0.42, -0.88))):
        paint.stroke(wood, [start, end], 0.05)
    if rng.random() < 0.5:
        paint.poly(
            paint.part('fabric'), [(-0.63, -0.85), (-0.41, -0.83),
                                   (-0.36, -0.2), (-0.56, -0.2)])
    else:
        for y in (-0.75, -0.5, -0.25):
            paint.stroke(wood, [(-0.6, y), (-0.39, y + 0.02)], 0.06)


def _voc_cow(paint, rng):
    hide = paint.part('hide')
    for x in (-0.55, -0.35, 0.35, 0.55):
        paint.stroke(hide, [(x, 0.1), (x + rng.normal(0, 0.04), 0.9)], 0.12)
    paint.rect(hide, -0.72, -0.4, 0.72, 0.3, 0.2)
    paint.ellipse(hide, 0.85, -0.2, 0.22, 0.15, 0.6)
    paint.ellipse(paint.part('skin', val=(0.5, 0.9)), 0.97, -0.04, 0.1, 0.08)
    horn = paint.part('metal', val=(0.7, 0.95))
    paint.stroke(horn, [(0.78, -0.35), (0.7, -0.5)], 0.04)
    paint.curve(hide, [(-0.7, -0.3), (-0.85, 0.0), (-0.8, 0.45)], 0.03)


def _voc_diningtable(paint, rng):
    wood = paint.part('wood')
    if rng.random() < 0.5:
        paint.poly(wood, [(-0.8, -0.25), (0.8, -0.25), (1.0, 0.05),
                          (-1.0, 0.05)])
        paint.rect(wood, -1.0, 0.05, 1.0, 0.15)
        for x0, x1, y0, y1 in ((-0.92, -0.95, 0.15, 0.95), (0.92, 0.95, 0.15,
                                                            0.95),
                               (-0.72, -0.72, 0.05, 0.7), (0.72, 0.72, 0.05,
                                                           0.7)):
            paint.stroke(wood, [(x0, y0), (x1, y1)], 0.06)
    else:
        paint.ellipse(wood, 0.0, -0.1, 1.0, 0.28)
        paint.rect(wood, -0.07, 0.0, 0.07, 0.85)
        paint.ellipse(wood, 0.0, 0.9, 0.4, 0.08)
    dish = paint.part('metal', val=(0.8, 1.0))
    for _ in range(int(rng.integers(0, 3))):
        paint.ellipse(dish, rng.uniform(-0.5, 0.5), rng.uniform(-0.15, -0.05),
                      0.15, 0.05)


def _voc_dog(paint, rng):
    fur = paint.part('fur')
    for x in (-0.45, -0.3, 0.3, 0.45):
        paint.stroke(fur, [(x, 0.05), (x + rng.normal(0, 0.05), 0.8)], 0.1)
    paint.ellipse(fur, 0.0, 0.0, 0.6, 0.27)
    paint.curve(fur, [(-0.55, -0.1), (-0.8, -0.2), (-0.85, -0.5)], 0.06)
    paint.ellipse(fur, 0.62, -0.35, 0.22, 0.19)
    paint.ellipse(fur, 0.82, -0.28, 0.15, 0.09)
    paint.ellipse(
        paint.part('fur', val=(0.05, 0.4)), 0.52, -0.3, 0.07, 0.17, 0.3)
    paint.ellipse(paint.part('eye'), 0.95, -0.32, 0.04, 0.03)


def _voc_horse(paint, rng):
    coat = paint.part('fur', sat=(0.3, 0.8), val=(0.05, 0.6))
    for x in (-0.5, -0.35, 0.35, 0.5):
        paint.stroke(coat, [(x, 0.0), (x + rng.normal(0, 0.05), 0.97)], 0.08)
    paint.ellipse(coat, 0.0, -0.1, 0.6, 0.27)
    paint.poly(coat, [(0.3, -0.3), (0.55, -0.05), (0.85, -0.6), (0.62, -0.78)])
    paint.ellipse(coat, 0.85, -0.62, 0.24, 0.1, 0.9)
    hair = paint.part('hair')
    paint.curve(hair, [(-0.58, -0.2), (-0.85, 0.1), (-0.8, 0.55)], 0.08)
    paint.stroke(hair, [(0.35, -0.3), (0.62, -0.78)], 0.05)


def _voc_motorbike(paint, rng):
    tyre = paint.part('tyre')
    metal = paint.part('metal')
    for hub in (-0.65, 0.65):
        paint.ring(tyre, hub, 0.55, 0.33, 0.12)
        paint.ellipse(metal, hub, 0.55, 0.08, 0.08)
    paint.stroke(metal, [(0.45, -0.25), (0.65, 0.55)], 0.05)
    paint.stroke(metal, [(-0.1, 0.45), (-0.75, 0.38)], 0.06)
    paint.rect(metal, -0.15, 0.15, 0.2, 0.45, 0.05)
    paint.poly(
        paint.part('paint'), [(-0.5, 0.05), (-0.05, -0.05), (0.25, -0.2),
                              (0.45, -0.1), (0.35, 0.2), (-0.2, 0.3)])
    paint.stroke(metal, [(0.38, -0.3), (0.5, -0.38)], 0.04)
    paint.ellipse(paint.part('light'), 0.55, -0.2, 0.07, 0.07)


def _voc_person(paint, rng):
    skin = paint.part('skin')
    top = paint.part('cloth')
    if rng.random() < 0.3:
        # Head and shoulders, as in portraits.
        paint.poly(top, [(-0.75, 0.25), (0.75, 0.25), (0.9, 1.0), (-0.9, 1.0)])
        paint.rect(skin, -0.12, -0.05, 0.12, 0.3)
        paint.ellipse(skin, 0.0, -0.4, 0.27, 0.34)
        paint.ellipse(paint.part('hair'), 0.0, -0.62, 0.28, 0.16)
        return
    bottom = paint.part('cloth', val=(0.05, 0.5))
    stride = rng.uniform(-0.25, 0.25)
    for side in (-1, 1):
        paint.stroke(bottom, [(side * 0.08, 0.05),
                              (side * (0.1 + stride / 2), 0.97)], 0.12)
    paint.poly(top, [(-0.22, -0.62), (0.22, -0.62), (0.18, 0.08),
                     (-0.18, 0.08)])
    for side in (-1, 1):
        swing = side * stride * 0.5
        paint.stroke(top, [(side * 0.22, -0.58), (side * 0.27, -0.3),
                           (side * 0.25 + swing, 0.0)], 0.09)
    paint.ellipse(skin, 0.0, -0.8, 0.11, 0.14)
    paint.ellipse(paint.part('hair'), 0.0, -0.88, 0.11, 0.07)


def _voc_pottedplant(paint, rng):
    leaf = paint.part('leaf')
    for _ in range(int(rng.integers(6, 13))):
        angle = rng.uniform(-0.92 * np.pi, -0.08 * np.pi)
        length = rng.uniform(0.35, 0.75)
        paint.ellipse(leaf, 0.55 * length * math.cos(angle),
                      0.3 + 0.55 * length * math.sin(angle), length * 0.5,
                      rng.uniform(0.06, 0.13), angle)
    pot = paint.part('pot')
    paint.poly(pot, [(-0.35, 0.35), (0.35, 0.35), (0.25, 1.0), (-0.25, 1.0)])
    paint.rect(pot, -0.4, 0.28, 0.4, 0.4, 0.02)


def _voc_sheep(paint, rng):
    wool = paint.part('wool')
    face = paint.part('face')
    for x in (-0.4, -0.25, 0.3, 0.45):
        paint.stroke(face, [(x, 0.2), (x, 0.85)], 0.06)
    paint.poly(wool, _blob_points(rng, 0.0, 0.0, 0.62, 0.38, 0.35, num=48))
    for x in np.linspace(-0.45, 0.45, 5):
        paint.ellipse(wool, x, -0.3 + rng.uniform(-0.05, 0.05), 0.15, 0.12)
    paint.ellipse(face, 0.68, -0.15, 0.17, 0.11, 0.5)
    paint.stroke(face, [(0.6, -0.25), (0.45, -0.32)], 0.05)


def _voc_sofa(paint, rng):
    fabric = paint.part('fabric')
    paint.rect(fabric, -0.95, -0.55, 0.95, 0.2, 0.15)
    paint.rect(fabric, -1.0, 0.05, 1.0, 0.65, 0.08)
    for side in (-1, 1):
        paint.rect(fabric, side * 1.05 - 0.15, -0.2, side * 1.05 + 0.15, 0.65,
                   0.12)
    seam = paint.part('fabric', val=(0.05, 0.4))
    paint.stroke(seam, [(0.0, 0.08), (0.0, 0.5)], 0.02)
    legs = paint.part('wood')
    for x in (-0.9, 0.82):
        paint.rect(legs, x, 0.65, x + 0.08, 0.78)
    if rng.random() < 0.5:
        paint.ellipse(paint.part('fabric'), -0.55, -0.1, 0.22, 0.18, 0.3)


def _voc_train(paint, rng):
    body = paint.part('paint')
    nose = _bezier_points([(0.75, -0.45), (1.15, -0.4), (1.25, 0.0),
                           (1.2, 0.4)], 12)
    paint.poly(body, np.concatenate([[(-1.3, -0.45)], nose, [(-1.3, 0.4)]]))
    paint.rect(paint.part('paint'), -1.3, 0.1, 1.2, 0.18)
    glass = paint.part('glass')
    for x in np.arange(-1.2, 0.6, 0.3):
        paint.rect(glass, x, -0.32, x + 0.2, -0.08, 0.02)
    paint.poly(glass, [(0.82, -0.38), (1.08, -0.32), (1.14, -0.1),
                       (0.82, -0.1)])
    dark = paint.part('tyre')
    paint.rect(dark, -1.25, 0.4, 1.1, 0.5)
    for x in (-0.9, -0.6, 0.5, 0.8):
        paint.ellipse(dark, x, 0.52, 0.09, 0.09)
    if rng.random() < 0.5:
        metal = paint.part('metal')
        paint.stroke(metal, [(-0.3, -0.45), (-0.1, -0.7), (0.1, -0.45)], 0.02)
        paint.stroke(metal, [(-0.2, -0.7), (0.0, -0.7)], 0.02)


def _voc_tvmonitor(paint, rng):
    frame = paint.part('plastic')
    paint.rect(frame, -1.0, -0.7, 1.0, 0.45, 0.05)
    paint.rect(paint.part('screen'), -0.9, -0.6, 0.9, 0.35)
    paint.rect(frame, -0.08, 0.45, 0.08, 0.72)
    paint.ellipse(frame, 0.0, 0.75, 0.45, 0.07)


_VOC_PAINTERS = dict(
    aeroplane=_voc_aeroplane,
    bicycle=_voc_bicycle,
    bird=_voc_bird,
    boat=_voc_boat,
    bottle=_voc_bottle,
    bus=_voc_bus,
    car=_voc_car,
    cat=_voc_cat,
    chair=_voc_chair,
    cow=_voc_cow,
    diningtable=_voc_diningtable,
    dog=_voc_dog,
    horse=_voc_horse,
    motorbike=_voc_motorbike,
    person=_voc_person,
    pottedplant=_voc_pottedplant,
    sheep=_voc_sheep,
    sofa=_voc_sofa,
    train=_voc_train,
    tvmonitor=_voc_tvmonitor)


def _draw_voc_background(canvas, styles, rng, context, height, width):
    """Fill the background (class 0) for a context; returns the horizon row
    where objects stand (or None for airborne scenes)."""
    horizon = height * rng.uniform(0.25, 0.6)
    cols = np.array([-1.0, width + 1.0])
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
    canvas.fill([(-1, -1), (width + 1, -1), (width + 1, height + 1),
                 (-1, height + 1)], canvas.new_segment(0, styles(top)))
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
        wobble = height * 0.02 * np.sin(
            np.linspace(0, rng.uniform(1, 6), 16) + rng.uniform(0, 6))
        line = np.stack([np.linspace(-1, width + 1, 16), horizon + wobble], 1)
        canvas.fill(
            np.concatenate([line, [(width + 1, height + 1),
                                   (-1, height + 1)]]),
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
                _rounded_rect_points(center_x - size, center_y - size * 0.6,
                                     center_x + size, center_y + size * 0.6,
                                     size * 0.1), segment)
        elif shape == 1:
            canvas.fill(
                _blob_points(rng, center_x, center_y, size, size * 0.7, 0.4),
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
    height, width = int(height), int(width)
    if height < 1 or width < 1:
        raise ValueError(f'image size must be positive, got {height}x{width}')
    styles = _StyleBook(rng, _VOC_MATERIALS)
    canvas = _SegmentCanvas(height, width, 0, styles('wall'))
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
        if horizon is None or name in _VOC_AIRBORNE:
            center_y = height * rng.uniform(0.25, 0.75)
            angle = rng.normal(0, 0.25)
        else:
            # Stand on the ground, a bit below the horizon.
            ground = rng.uniform(max(horizon, height * 0.4), height * 1.05)
            center_y = ground - scale
            angle = rng.normal(0, 0.05)
        scale *= rng.uniform(0.9, 1.2)
        painter = _ObjectPainter(canvas, styles, VOC_CLASSES.index(name),
                                 instance, (center_x, center_y), scale, angle,
                                 rng.choice([-1.0, 1.0]))
        _VOC_PAINTERS[name](painter, rng)

    label = canvas.label_map()
    border_width = max(1, int(round(short_side / 75.0)))
    label = _add_void_border(label, canvas.instance_map(), border_width,
                             VOC_IGNORE_INDEX)
    image = _compose_image(rng, canvas.segments, canvas.style_table())
    return image, label
