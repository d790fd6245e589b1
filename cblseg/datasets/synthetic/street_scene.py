"""Cityscapes-like street scenes.

:func:`render_street_scene` draws a street seen from a car and returns the
RGB image with a map of official Cityscapes *label ids* (including the
ignored void classes and the license plate, id -1, stored as 255). All
randomness comes from the generator passed in.
"""
import numpy as np

from .appearance import compose_image
from .primitives import bezier_points, checked_image_size
from .street_labels import EGO_VEHICLE, OUT_OF_ROI, RECTIFICATION_BORDER
from .street_layout import (draw_backdrop, draw_facades, draw_ground,
                            draw_skyline)
from .street_objects import place_objects
from .street_view import StreetView


def draw_ego_vehicle(scene):
    """The hood of the recording car: a curved shape at the bottom."""
    rng = scene.rng
    height, width = scene.height, scene.width
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
    scene.canvas.fill(outline, scene.new(EGO_VEHICLE, 'ego'))


def draw_rectification_border(scene):
    """Curved black wedges in some image corners, as left by image
    rectification."""
    rng = scene.rng
    height, width = scene.height, scene.width
    segment = scene.new(RECTIFICATION_BORDER, 'border')
    corners = [(0, 0, 1, 1), (width, 0, -1, 1), (0, height, 1, -1),
               (width, height, -1, -1)]
    chosen = rng.permutation(4)[:int(rng.integers(1, 3))]
    for index in chosen:
        corner_x, corner_y, dir_x, dir_y = corners[index]
        reach_x = width * rng.uniform(0.03, 0.12)
        reach_y = height * rng.uniform(0.03, 0.12)
        curve = bezier_points([(corner_x + dir_x * reach_x, corner_y),
                               (corner_x + dir_x * reach_x * 0.3,
                                corner_y + dir_y * reach_y * 0.3),
                               (corner_x, corner_y + dir_y * reach_y)], 10)
        outline = np.concatenate(
            [curve, [[corner_x - dir_x, corner_y - dir_y]]])
        scene.canvas.fill(outline, segment)


def mark_out_of_roi(scene, label):
    """Label thin strips along some image borders as 'out of roi'.

    Only the label changes: in Cityscapes these pixels show ordinary
    image content that is simply not annotated.
    """
    rng = scene.rng
    strip = max(1, int(round(rng.uniform(0.004, 0.015) * scene.width)))
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


def _render(scene):
    """Draw every layer of the scene, far to near; returns the image and
    the label ids."""
    rng = scene.rng
    draw_skyline(scene)
    for side in (-1, 1):
        draw_backdrop(scene, side)
    for side in (-1, 1):
        draw_facades(scene, side)
    draw_ground(scene)
    place_objects(scene)
    scene.draw_objects()
    if rng.random() < 0.85:
        draw_ego_vehicle(scene)
    if rng.random() < 0.3:
        draw_rectification_border(scene)
    label = scene.canvas.label_map()
    if rng.random() < 0.5:
        label = mark_out_of_roi(scene, label)
    image = compose_image(rng, scene.canvas.segments,
                          scene.canvas.style_table())
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
    height, width = checked_image_size(height, width)
    return _render(StreetView(rng, height, width))
