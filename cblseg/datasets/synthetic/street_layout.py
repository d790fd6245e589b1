"""The static street: skyline, facades with windows, hedges, walls, fences,
backdrop, road with lane markings, sidewalks and ground patches.

Each function draws into a :class:`.street_view.StreetView` (``scene``).
"""
import math

import numpy as np

from .primitives import blob_points, uniform_between
from .street_labels import (BUILDING, FENCE, GROUND, PARKING, ROAD, SIDEWALK,
                            TERRAIN, VEGETATION, WALL)


def roof_profile(scene, length, height, kind):
    """Roof line of a wall: (along, height) points from start to end."""
    rng = scene.rng
    if kind == 'gable':
        return [(0.0, height), (length / 2, height + rng.uniform(1.5, 5)),
                (length, height)]
    if kind == 'dome':
        t = np.linspace(0, 1, 9)
        rise = min(6.0, length / 2) * rng.uniform(0.3, 1.0)
        return list(zip(t * length, height + rise * np.sin(np.pi * t)**0.7))
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


def _pixel_centres(bbox):
    """Column (1xW) and row (Hx1) pixel centres of an (x0, y0, x1, y1)
    box."""
    x0, y0, x1, y1 = bbox
    return (np.arange(x0, x1, dtype=np.float64)[None, :] + 0.5,
            np.arange(y0, y1, dtype=np.float64)[:, None] + 0.5)


def punch_windows(scene, segment, outline, wall, along_and_depth):
    """Overwrite window-shaped parts of a wall segment with a new window
    segment.

    Args:
        segment (int): The wall's segment; only its pixels change.
        outline (np.ndarray): The wall's pixel outline, (N, 2).
        wall (tuple): (along_start, along_end, top) of the wall.
        along_and_depth (callable): Maps the 1xW pixel-centre columns of
            the wall's box to the world coordinate along the wall (Z for
            side facades, X for frontal walls) and the depth of the
            columns (an array or a number).
    """
    bbox = clipped_bbox(scene, outline)
    if bbox is None:
        return
    cols, rows = _pixel_centres(bbox)
    along, depth = along_and_depth(cols)
    # World height Y of the box pixels.
    up = scene.camera_height - (rows - scene.horizon_y) * depth / scene.focal
    window_segment = scene.new(BUILDING, 'window')
    rng = scene.rng
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
    region = scene.canvas.segments[y0:y1, x0:x1]
    region[windows & (region == segment)] = window_segment


def clipped_bbox(scene, points):
    """Pixel box (x0, y0, x1, y1) of points, clipped to the image; None
    when it is empty."""
    x0 = int(max(0, math.floor(points[:, 0].min())))
    y0 = int(max(0, math.floor(points[:, 1].min())))
    x1 = int(min(scene.width, math.ceil(points[:, 0].max()) + 1))
    y1 = int(min(scene.height, math.ceil(points[:, 1].max()) + 1))
    if x1 <= x0 or y1 <= y0:
        return None
    return x0, y0, x1, y1


def side_outline(scene, wall_x, z0, z1, along, up):
    """Pixel outline of a wall in the plane X = wall_x on the ground from
    depth z0 to z1, its top edge at depths ``along``, heights ``up``."""
    return np.concatenate([
        scene.project(wall_x, 0.0, np.array([z0, z1])),
        scene.project(wall_x, up[::-1], along[::-1])
    ])


def front_outline(scene, x0, x1, z, along, up):
    """Pixel outline of a wall facing the camera at depth z on the ground
    from X = x0 to x1, its top edge at ``along``, heights ``up``."""
    return np.concatenate([
        scene.project(np.array([x0, x1]), 0.0, z),
        scene.project(along[::-1], up[::-1], z)
    ])


def _profile_arrays(start, profile):
    """World positions along the wall and heights of a roof profile."""
    return (np.array([start + p[0]
                      for p in profile]), np.array([p[1] for p in profile]))


def _wavy_tops(rng, top, num, amplitude):
    """Heights of ``num`` points of a wavy top edge around ``top``."""
    return top * (
        1 + amplitude *
        np.sin(np.linspace(0, rng.uniform(3, 9), num) + rng.uniform(0, 6)))


def draw_side_wall(scene,
                   wall_x,
                   z0,
                   z1,
                   profile,
                   label,
                   material,
                   windows=False):
    """A wall in the plane X = wall_x between depths z0 and z1."""
    along, up = _profile_arrays(z0, profile)
    points = side_outline(scene, wall_x, z0, z1, along, up)
    segment = scene.new(label, material)
    scene.canvas.fill(points, segment)
    if windows:

        def along_and_depth(cols):
            offset = cols - scene.vanish_x
            # Columns on the far side of the vanishing point do not see
            # this wall; give them a depth outside the wall.
            same_side = offset * wall_x > 1e-6
            depth = np.where(
                same_side,
                scene.focal * wall_x / np.where(same_side, offset, 1.0), -1.0)
            return depth, depth

        punch_windows(scene, segment, points, (z0, z1, up.max()),
                      along_and_depth)
    return segment


def draw_front_wall(scene, x0, x1, z, profile, label, material, windows=False):
    """A wall facing the camera at depth z between X = x0 and x1."""
    along, up = _profile_arrays(x0, profile)
    points = front_outline(scene, x0, x1, z, along, up)
    segment = scene.new(label, material)
    scene.canvas.fill(points, segment)
    if windows and scene.pixels(2.0, z) >= 2.0:
        punch_windows(
            scene, segment, points, (x0, x1, up.max()), lambda cols:
            ((cols - scene.vanish_x) * z / scene.focal, z))
    return segment


def draw_tree_crown(scene, x, y, z, radius):
    """A tree crown: 1-3 overlapping wobbly blobs centred at world
    (x, y, z)."""
    rng = scene.rng
    center = scene.project(x, y, z)
    radius_px = scene.pixels(radius, z)
    segment = scene.new(VEGETATION, 'vegetation')
    for _ in range(int(rng.integers(1, 4))):
        offset = rng.uniform(-0.5, 0.5, 2) * radius_px
        scene.canvas.fill(
            blob_points(
                rng,
                center[0] + offset[0],
                center[1] + offset[1] * 0.6,
                radius_px * rng.uniform(0.7, 1.0),
                radius_px * rng.uniform(0.6, 0.9),
                roughness=0.5), segment)
    return segment


def draw_hedge(scene, wall_x, z0, z1, top):
    """Vegetation in a wall plane with a wavy top edge."""
    tops = _wavy_tops(scene.rng, top, 12, 0.25)
    points = side_outline(scene, wall_x, z0, z1, np.linspace(z0, z1, 12), tops)
    scene.canvas.fill(points, scene.new(VEGETATION, 'vegetation'))


def draw_skyline(scene):
    """Distant towers (behind the street's end) and the street's end."""
    rng = scene.rng
    for _ in range(int(rng.integers(0, 6))):
        z = scene.street_end + rng.uniform(20, 250)
        x0 = rng.uniform(-1.2, 1.0) * z
        width = rng.uniform(10, 40)
        draw_front_wall(
            scene, x0, x0 + width, z,
            roof_profile(scene, width, rng.uniform(20, 90),
                         rng.choice(['flat', 'dome', 'stepped'])), BUILDING,
            'tower')
    x = scene.facade_left
    while x < scene.facade_right:
        width = rng.uniform(6, 25)
        x1 = min(x + width, scene.facade_right)
        if rng.random() < 0.2:
            draw_front_hedge(scene, x, x1, scene.street_end,
                             rng.uniform(5, 15))
        else:
            draw_front_wall(
                scene,
                x,
                x1,
                scene.street_end,
                roof_profile(
                    scene, x1 - x, rng.uniform(8, 40),
                    rng.choice(['flat', 'gable', 'dome', 'stepped'],
                               p=[0.4, 0.25, 0.15, 0.2])),
                BUILDING,
                'building',
                windows=True)
        x = x1


def draw_front_hedge(scene, x0, x1, z, top):
    """Vegetation facing the camera at depth z with a wavy top edge."""
    tops = _wavy_tops(scene.rng, top, 10, 0.3)
    points = front_outline(scene, x0, x1, z, np.linspace(x0, x1, 10), tops)
    scene.canvas.fill(points, scene.new(VEGETATION, 'vegetation'))


def draw_backdrop(scene, side):
    """What is seen over low walls: terrain and a far row of houses or
    trees behind the facade line."""
    rng = scene.rng
    facade = scene.facade_right if side > 0 else scene.facade_left
    backdrop = facade + side * rng.uniform(8, 30)
    scene.canvas.fill(
        scene.ground_quad(facade, backdrop, scene.z_near, scene.street_end),
        scene.new(TERRAIN, 'terrain'))
    z = scene.z_near
    while z < scene.street_end:
        z1 = min(z + rng.uniform(8, 30), scene.street_end)
        if rng.random() < 0.5:
            draw_hedge(scene, backdrop, z, z1, rng.uniform(4, 12))
        else:
            draw_side_wall(
                scene, backdrop, z, z1,
                roof_profile(scene, z1 - z, rng.uniform(4, 15),
                             rng.choice(['flat', 'gable'])), BUILDING,
                'building')
        z = z1


def draw_facades(scene, side):
    """The row of buildings (with hedges, walls, fences) along one side
    of the street."""
    rng = scene.rng
    facade = scene.facade_right if side > 0 else scene.facade_left
    z = scene.z_near
    while z < scene.street_end:
        z1 = min(z + rng.uniform(6, 22), scene.street_end)
        kind = rng.choice(['building', 'trees', 'wall', 'fence'],
                          p=[0.7, 0.12, 0.09, 0.09])
        if kind == 'building':
            profile = roof_profile(
                scene, z1 - z, rng.uniform(6, 30),
                rng.choice(['flat', 'gable', 'dome', 'stepped'],
                           p=[0.5, 0.2, 0.1, 0.2]))
            draw_side_wall(
                scene,
                facade,
                z,
                z1,
                profile,
                BUILDING,
                'building',
                windows=True)
        else:
            draw_hedge(scene, facade + side * 0.5, z, z1, rng.uniform(1.5, 4))
            for _ in range(int(rng.integers(0, 3))):
                zc = rng.uniform(z, z1)
                draw_tree_crown(scene, facade + side * 1.0, rng.uniform(4, 7),
                                zc, rng.uniform(1.5, 3.5))
            if kind == 'wall':
                draw_side_wall(scene, facade, z, z1,
                               [(0, rng.uniform(0.8, 2.5)),
                                (z1 - z, rng.uniform(0.8, 2.5))], WALL, 'wall')
            elif kind == 'fence':
                draw_fence(scene, facade, z, z1, rng.uniform(1.0, 2.2))
        z = z1


def draw_fence(scene, wall_x, z0, z1, top):
    """A fence: solid boards or a railing of thin posts and rails."""
    rng = scene.rng
    if rng.random() < 0.5:
        draw_side_wall(scene, wall_x, z0, z1, [(0, top), (z1 - z0, top)],
                       FENCE, 'fence')
        return
    segment = scene.new(FENCE, 'fence')
    spacing = rng.uniform(1.5, 3.0)
    for z in np.arange(z0, z1, spacing):
        bottom, upper = scene.project(wall_x, np.array([0.0, top]), z)
        scene.canvas.stroke([bottom, upper], scene.pixels(0.08, z), segment)
    for rail_height in (top, top * rng.uniform(0.3, 0.6)):
        depth = np.linspace(z0, z1, 8)
        rail = scene.project(wall_x, rail_height, depth)
        scene.canvas.stroke(rail, max(1.0, scene.pixels(0.06, z0 + 5)),
                            segment)


def draw_ground(scene):
    """Road, lane markings, sidewalks, curbs and ground patches."""
    rng = scene.rng
    near, far = scene.z_near, scene.street_end
    canvas = scene.canvas
    canvas.fill(
        scene.ground_quad(scene.road_left, scene.road_right, near, far),
        scene.new(ROAD, 'road'))
    # A darker patch of repaired asphalt, still road.
    if rng.random() < 0.4:
        z = rng.uniform(scene.z_bottom, 40)
        canvas.fill(
            scene.project(*ground_blob(
                scene, rng.uniform(scene.road_left, scene.road_right), z,
                rng.uniform(0.5, 2.5))),
            scene.new(ROAD, 'road', val=(0.1, 0.3)))
    if rng.random() < 0.25:
        side = rng.choice([-1, 1])
        edge = scene.road_right if side > 0 else scene.road_left
        z0 = rng.uniform(near, 30)
        canvas.fill(
            scene.ground_quad(edge - side * 2.3, edge, z0,
                              z0 + rng.uniform(10, 40)),
            scene.new(PARKING, 'parking'))

    # Lane markings: dashed lines between lanes, sometimes solid edge
    # lines and a zebra crossing. They are part of the road class.
    mark = scene.new(ROAD, 'lane_mark')
    lane_width = rng.uniform(2.8, 3.6)
    boundaries = np.arange(scene.road_left + lane_width,
                           scene.road_right - 1.0, lane_width)
    dash, gap = rng.uniform(2, 4), rng.uniform(4, 9)
    phase = rng.uniform(0, dash + gap)
    for boundary in boundaries:
        for z in np.arange(near + phase, far, dash + gap):
            canvas.fill(
                scene.ground_quad(boundary - 0.07, boundary + 0.07, z,
                                  z + dash), mark)
    if rng.random() < 0.5:
        for edge in (scene.road_left + 0.3, scene.road_right - 0.3):
            canvas.fill(
                scene.ground_quad(edge - 0.06, edge + 0.06, near, far), mark)
    if rng.random() < 0.2:
        z = rng.uniform(max(scene.z_bottom, 6), 32)
        for x in np.arange(scene.road_left + 0.3, scene.road_right - 0.5, 1.0):
            canvas.fill(scene.ground_quad(x, x + 0.5, z, z + 3.0), mark)

    for side, edge, facade in ((-1, scene.road_left, scene.facade_left),
                               (1, scene.road_right, scene.facade_right)):
        canvas.fill(
            scene.ground_quad(edge, facade, near, far),
            scene.new(SIDEWALK, 'sidewalk'))
        canvas.fill(
            scene.ground_quad(edge, edge + side * 0.2, near, far),
            scene.new(SIDEWALK, 'curb'))
        # Grass strips along the houses or along the curb.
        if rng.random() < 0.35:
            z0 = rng.uniform(near, 40)
            width = rng.uniform(0.8, 2.0)
            strip_x = facade if rng.random() < 0.5 else (edge + side *
                                                         (0.5 + width))
            canvas.fill(
                scene.ground_quad(strip_x - side * width, strip_x, z0,
                                  z0 + rng.uniform(5, 40)),
                scene.new(TERRAIN, 'terrain'))
    for _ in range(int(rng.integers(0, 3))):
        # Patches of bare ground (void 'ground') on sidewalks and road
        # edges, with curved outlines.
        side = rng.choice([-1, 1])
        edge = scene.road_right if side > 0 else scene.road_left
        facade = scene.side_of(side)
        x = uniform_between(rng, edge - side * 1.0, facade)
        z = rng.uniform(scene.z_bottom * 0.8, 35)
        canvas.fill(
            scene.project(*ground_blob(scene, x, z, rng.uniform(0.4, 1.5))),
            scene.new(GROUND, 'ground'))


def ground_blob(scene, x, z, radius):
    """World (x, y, z) of a wobbly blob lying on the ground, longer
    along the street than across it."""
    length = radius * scene.rng.uniform(1, 2.5)
    points = blob_points(scene.rng, x, z, radius, length, 0.6, num=24)
    return points[:, 0], 0.0, points[:, 1]
