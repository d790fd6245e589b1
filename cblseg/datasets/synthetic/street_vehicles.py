"""Cars, trucks and buses: placed in lanes or parked, drawn as 3D bodies
projected by a :class:`.street_view.StreetView` (``scene``)."""
import math

import cv2
import numpy as np

from .primitives import ellipse_points, rounded_rect_points
from .street_labels import BUS, CAR, LICENSE_PLATE, TRUCK


def place_vehicles(scene, z_min):
    """Cars, trucks and buses in lanes (some oncoming) and parked along
    the road edges, without overlapping each other."""
    rng = scene.rng
    lane_centres = list(
        np.arange(scene.road_left + 1.5, scene.road_right - 1.0, 3.2))
    occupied = []
    for _ in range(int(rng.integers(1, 9))):
        kind = rng.choice(['car', 'truck', 'bus'], p=[0.82, 0.1, 0.08])
        length = dict(
            car=rng.uniform(3.8, 4.8),
            truck=rng.uniform(6, 10),
            bus=rng.uniform(10, 13))[kind]
        parked = rng.random() < 0.4
        if parked or not lane_centres:
            x = rng.choice([scene.road_left + 1.1, scene.road_right - 1.1])
        else:
            x = lane_centres[int(rng.integers(len(lane_centres)))]
        # Avoid the camera's own lane right in front of the hood.
        lower = z_min + (6.0 if abs(x) < 1.8 else 0.5)
        z = rng.uniform(lower, 80)
        # Skip a vehicle in the same lane (closer than a car width) as
        # another and less than 2 m from it along the street.
        start, end = z - 1.0, z + length + 1.0
        if any(
                abs(x -
                    other_x) < 2.2 and start < other_end and other_start < end
                for other_x, other_start, other_end in occupied):
            continue
        occupied.append((x, start, end))
        oncoming = (not parked) and x < -1.6 and rng.random() < 0.7
        yaw = rng.normal(0, 0.08) if parked else rng.normal(0, 0.02)
        scene.add(z, draw_vehicle, scene, x + rng.normal(0, 0.2), z, length,
                  kind, yaw + (np.pi if oncoming else 0.0))


def draw_vehicle(scene, x, z, length, kind, yaw):
    """A car, truck or bus: convex hulls of a rounded 3D body and cabin,
    with windows, lights, wheels and sometimes a license plate."""
    rng = scene.rng
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
        return scene.project(ground[:, 0], up.ravel(), ground[:, 1])

    def hull(along, across, up):
        points = body_points(along, across, up).astype(np.float32)
        return cv2.convexHull(points).reshape(-1, 2)

    paint_segment = scene.new(label, 'paint')
    half = width / 2
    # Rounded cross-section of the lower body, extruded along the
    # length with slightly pulled-in ends.
    section = rounded_rect_points(-half, 0.25, half, belt, 0.25, 3)
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
    scene.canvas.fill(hull(along, across, up), paint_segment)

    # Visible side wheels.
    side_sign = 1.0 if (origin @ right) < 0 else -1.0
    wheel_radius = 0.32 if kind == 'car' else 0.5
    tyre = scene.new(label, 'tyre')
    axles = (0.8, length - 0.9) if kind == 'car' else (1.5, length - 1.6)
    for axle in axles:
        circle = ellipse_points(
            axle, wheel_radius, wheel_radius, wheel_radius, num=14)
        scene.canvas.fill(
            body_points(circle[:, 0], side_sign * half, circle[:, 1]), tyre)
    near_end = length if oncoming else 0.0
    for across_pos in (-half + 0.25, half - 0.25):
        stub = rounded_rect_points(across_pos - 0.12, 0.0, across_pos + 0.12,
                                   0.35, 0.05, 2)
        scene.canvas.fill(body_points(near_end, stub[:, 0], stub[:, 1]), tyre)
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
        scene.canvas.fill(hull(*cabin.T), paint_segment)
        glass = scene.new(label, 'glass')
        # Side windows and the window of the near end.
        inset = 0.08
        side_window = [(cabin_in[0] + 0.25, belt + inset),
                       (cabin_in[1] - 0.2, belt + inset),
                       (top_in[1] - 0.05, height - inset),
                       (top_in[0] + 0.05, height - inset)]
        side_window = np.array(side_window)
        scene.canvas.fill(
            body_points(side_window[:, 0], side_sign * (half - 0.1),
                        side_window[:, 1]), glass)
        end_index = 1 if oncoming else 0
        near_cabin, near_top = cabin_in[end_index], top_in[end_index]
        end_window = np.array([(near_cabin, -half + 0.2, belt + inset),
                               (near_cabin, half - 0.2, belt + inset),
                               (near_top, half - 0.32, height - inset),
                               (near_top, -half + 0.32, height - inset)])
        scene.canvas.fill(body_points(*end_window.T), glass)
    else:
        glass = scene.new(label, 'glass')
        if kind == 'bus':
            band = np.array([(0.8, 1.3), (length - 0.5, 1.3),
                             (length - 0.5, height - 0.35),
                             (0.8, height - 0.35)])
            scene.canvas.fill(
                body_points(band[:, 0], side_sign * (half + 0.01), band[:, 1]),
                glass)
            # Window pillars.
            pillar = scene.new(label, 'paint')
            for along_pos in np.arange(1.8, length - 0.6, 1.4):
                scene.canvas.stroke(
                    body_points([along_pos, along_pos],
                                side_sign * (half + 0.02),
                                [1.3, height - 0.35]), scene.pixels(0.1, z),
                    pillar)
            end_window = np.array([(-half + 0.15, 1.6), (half - 0.15, 1.6),
                                   (half - 0.15, height - 0.3),
                                   (-half + 0.15, height - 0.3)])
            scene.canvas.fill(
                body_points(near_end, end_window[:, 0], end_window[:, 1]),
                glass)
        elif oncoming:
            end_window = np.array([(-half + 0.15, height * 0.6),
                                   (half - 0.15, height * 0.6),
                                   (half - 0.15, height - 0.2),
                                   (-half + 0.15, height - 0.2)])
            scene.canvas.fill(
                body_points(near_end, end_window[:, 0], end_window[:, 1]),
                glass)
    # Lights at the near end.
    light = scene.new(label, 'head_light' if oncoming else 'tail_light')
    light_y = belt * 0.75 if kind == 'car' else 0.8
    for across_pos in (-half + 0.2, half - 0.2):
        lamp = rounded_rect_points(across_pos - 0.13, light_y - 0.07,
                                   across_pos + 0.13, light_y + 0.07, 0.03, 2)
        scene.canvas.fill(body_points(near_end, lamp[:, 0], lamp[:, 1]), light)
    if rng.random() < 0.7:
        plate_y = belt * 0.42 if kind == 'car' else 0.6
        plate = np.array([(-0.26, plate_y - 0.06), (0.26, plate_y - 0.06),
                          (0.26, plate_y + 0.06), (-0.26, plate_y + 0.06)])
        scene.canvas.fill(
            body_points(near_end, plate[:, 0], plate[:, 1]),
            scene.canvas.new_segment(LICENSE_PLATE, scene.styles('plate')))
