"""Appearance of segments: materials drawn into colours and textures, and
the image composed from a segment map.

Every drawn part of a scene is a segment with a *style*: two RGB colours
and texture amplitudes, drawn by :class:`StyleBook` from a named material
(see :mod:`.materials`). :func:`compose_image` paints the image from the
segment map and the style table in one vectorised pass, so the image
always agrees exactly with the label map looked up from the same segments.
"""
import colorsys
import math

import cv2
import numpy as np

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


class StyleBook:
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


def compose_image(rng, segments, style_table):
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
