"""Objects along the street: trees, poles with signs, traffic lights and
lamps, pedestrians, two-wheelers with riders and void clutter.

:func:`place_objects` chooses them and queues them by depth on a
:class:`.street_view.StreetView` (``scene``); each ``draw_*`` function
draws one object.
"""
import math

import numpy as np

from .primitives import (bezier_points, blob_points, ellipse_points,
                         rounded_rect_points, uniform_between)
from .street_labels import (BICYCLE, DYNAMIC, MOTORCYCLE, PERSON, POLE, RIDER,
                            STATIC, TRAFFIC_LIGHT, TRAFFIC_SIGN, VEGETATION)
from .street_layout import draw_tree_crown
from .street_vehicles import place_vehicles


def place_objects(scene):
    """Choose trees, poles, people, clutter, two-wheelers and vehicles
    and queue them for drawing by depth."""
    rng = scene.rng
    z_min = max(scene.z_bottom * 0.9, 2.0)
    for side in (-1, 1):
        edge = scene.road_right if side > 0 else scene.road_left
        facade = scene.side_of(side)
        for _ in range(int(rng.integers(0, 4))):
            z = rng.uniform(z_min, 60)
            x = edge + side * rng.uniform(0.5, 1.2)
            scene.add(z, draw_tree, scene, x, z)
        for _ in range(int(rng.integers(1, 5))):
            z = rng.uniform(z_min, 70)
            near_curb = rng.random() < 0.7
            x = edge + side * (
                rng.uniform(0.3, 0.6) if near_curb else rng.uniform(1.0, 2.0))
            if not near_curb and abs(facade - edge) < 2.2:
                x = edge + side * 0.4
            scene.add(z, draw_pole, scene, x, z, side)
        for _ in range(int(rng.integers(0, 4))):
            z = rng.uniform(z_min, 50)
            x = uniform_between(rng, edge + side * 0.5, facade - side * 0.3)
            scene.add(z, draw_person, scene, x, z)
        for _ in range(int(rng.integers(0, 3))):
            z = rng.uniform(z_min, 40)
            x = uniform_between(rng, edge + side * 0.3, facade - side * 0.2)
            kind = rng.choice(['bin', 'bollard', 'bench', 'cart'],
                              p=[0.3, 0.25, 0.15, 0.3])
            scene.add(z, draw_clutter, scene, x, z, kind)
        if rng.random() < 0.25:
            z = rng.uniform(z_min, 40)
            x = uniform_between(rng, edge + side * 0.8, facade - side * 0.8)
            scene.add(z, draw_two_wheeler, scene, x, z, False, False)
    for _ in range(int(rng.integers(0, 2)) + int(rng.random() < 0.3)):
        # People crossing the road.
        z = rng.uniform(z_min + 3, 40)
        scene.add(z, draw_person, scene,
                  rng.uniform(scene.road_left, scene.road_right), z)
    for _ in range(int(rng.integers(0, 3))):
        z = rng.uniform(z_min + 1, 45)
        x = rng.choice([scene.road_left + 0.8, scene.road_right - 0.8
                        ]) + rng.uniform(-0.3, 0.3)
        scene.add(z, draw_two_wheeler, scene, x, z, True, rng.random() < 0.15)
    place_vehicles(scene, z_min)


def draw_tree(scene, x, z):
    rng = scene.rng
    crown_height = rng.uniform(3.5, 7.0)
    trunk = scene.new(VEGETATION, 'trunk')
    scene.canvas.stroke(
        scene.billboard(x, z, [(0, 0), (rng.normal(0, 0.1), crown_height)]),
        scene.pixels(rng.uniform(0.2, 0.4), z), trunk)
    draw_tree_crown(scene, x, crown_height + 0.5, z, rng.uniform(1.2, 3.0))


def draw_pole(scene, x, z, side):
    rng = scene.rng
    kind = rng.choice(['plain', 'sign', 'light', 'lamp'],
                      p=[0.2, 0.35, 0.25, 0.2])
    height = dict(
        plain=rng.uniform(2.5, 4.5),
        sign=rng.uniform(2.3, 3.5),
        light=rng.uniform(2.8, 4.5),
        lamp=rng.uniform(6, 9))[kind]
    pole = scene.new(POLE, 'pole')
    draw_vertical_bar(scene, x, z, 0.0, height, rng.uniform(0.1, 0.25), pole)
    if kind == 'sign':
        for index in range(int(rng.integers(1, 3))):
            center = height - 0.35 - index * 0.8
            draw_traffic_sign(scene, x, center, z - 0.05)
    elif kind == 'light':
        if rng.random() < 0.35:
            # Mast arm over the road with the light hanging from it.
            reach = -side * rng.uniform(1.5, 4.0)
            arm = scene.billboard(x, z, [(0, height - 0.2),
                                         (reach, height - 0.2)])
            scene.canvas.stroke(arm, scene.pixels(0.12, z), pole)
            draw_traffic_light(scene, x + reach, height - 1.1, z - 0.05)
        else:
            draw_traffic_light(scene, x, height - 0.55, z - 0.05)
    elif kind == 'lamp':
        # A street lamp: the arm is a curve over the road.
        reach = -side * rng.uniform(1.0, 2.5)
        curve = bezier_points([(0, height - 1.0), (0, height + 0.5),
                               (reach, height + 0.3), (reach * 1.1, height)],
                              12)
        scene.canvas.stroke(
            scene.billboard(x, z, curve), scene.pixels(0.1, z), pole)
        head = ellipse_points(reach * 1.1, height - 0.1, 0.35, 0.12)
        scene.canvas.fill(scene.billboard(x, z, head), pole)


def draw_vertical_bar(scene, x, z, y0, y1, thickness, segment):
    """A vertical post with an exact pixel width (at least 1)."""
    (left, bottom), (_, top) = scene.project(x, np.array([y0, y1]), z)
    width = max(1, int(round(scene.pixels(thickness, z))))
    col0 = int(math.floor(left - width / 2 + 0.5))
    row0 = max(0, int(math.floor(top + 0.5)))
    row1 = min(scene.height, int(math.floor(bottom + 0.5)) + 1)
    col1 = min(scene.width, col0 + width)
    col0 = max(0, col0)
    if row1 > row0 and col1 > col0:
        scene.canvas.segments[row0:row1, col0:col1] = segment


def draw_traffic_sign(scene, x, center_y, z):
    rng = scene.rng
    shape = rng.choice(['circle', 'triangle', 'square', 'diamond', 'octagon'])
    size = rng.uniform(0.3, 0.45)
    if shape == 'circle':
        outline = ellipse_points(0, center_y, size, size, num=24)
    elif shape == 'octagon':
        outline = ellipse_points(0, center_y, size, size, np.pi / 8, 8)
    elif shape == 'diamond':
        outline = ellipse_points(0, center_y, size, size, 0, 4)
    elif shape == 'triangle':
        flip = rng.choice([-1, 1])
        outline = ellipse_points(0, center_y, size * 1.1, size * 1.1,
                                 -flip * np.pi / 2, 3)
    else:
        outline = rounded_rect_points(-size, center_y - size * 0.8, size,
                                      center_y + size * 0.8, size * 0.1)
    if rng.random() < 0.2:
        # Seen from behind: plain grey.
        scene.canvas.fill(
            scene.billboard(x, z, outline), scene.new(TRAFFIC_SIGN,
                                                      'sign_back'))
        return
    rim_colour, face_colour = [('sign_red', 'sign_white'),
                               ('sign_blue', 'sign_white'),
                               ('sign_white', 'sign_blue'),
                               ('sign_yellow', 'sign_red')
                               ][int(rng.integers(4))]
    scene.canvas.fill(
        scene.billboard(x, z, outline), scene.new(TRAFFIC_SIGN, rim_colour))
    inner = (outline - [0, center_y]) * 0.7 + [0, center_y]
    scene.canvas.fill(
        scene.billboard(x, z, inner), scene.new(TRAFFIC_SIGN, face_colour))


def draw_traffic_light(scene, x, center_y, z):
    rng = scene.rng
    box = rounded_rect_points(-0.18, center_y - 0.5, 0.18, center_y + 0.5,
                              0.06)
    scene.canvas.fill(
        scene.billboard(x, z, box), scene.new(TRAFFIC_LIGHT, 'light_box'))
    lit = int(rng.integers(3))
    for index, colour in enumerate(('lamp_red', 'lamp_yellow', 'lamp_green')):
        lamp = ellipse_points(
            0, center_y - 0.3 + index * 0.3, 0.1, 0.1, num=12)
        scene.canvas.fill(
            scene.billboard(x, z, lamp),
            scene.new(TRAFFIC_LIGHT, colour if index == lit else 'lamp_off'))


def draw_person(scene, x, z, label=PERSON):
    """A walking person: head, torso, two arms and two legs."""
    rng = scene.rng
    height = rng.uniform(1.5, 1.95)
    hip = 0.52 * height
    shoulder = 0.82 * height
    stride = rng.uniform(-0.3, 0.3)
    lean = rng.normal(0, 0.03)
    top = scene.new(label, 'cloth')
    bottom = scene.new(label, 'cloth', val=(0.05, 0.5))
    skin = scene.new(label, 'skin')
    legs = ([(-0.09, hip),
             (-0.1 - stride / 2, 0.0)], [(0.09, hip), (0.1 + stride / 2, 0.0)])
    for leg in legs:
        scene.canvas.stroke(
            scene.billboard(x, z, leg), scene.pixels(0.14, z), bottom)
    torso = [(-0.2 + lean, shoulder), (0.2 + lean, shoulder),
             (0.17, hip - 0.05), (-0.17, hip - 0.05)]
    scene.canvas.fill(scene.billboard(x, z, torso), top)
    for sign in (-1, 1):
        swing = sign * stride * 0.6 + rng.normal(0, 0.05)
        arm = [(sign * 0.21 + lean, shoulder - 0.04),
               (sign * 0.26 + swing / 2, shoulder - 0.3),
               (sign * 0.24 + swing, hip)]
        scene.canvas.stroke(
            scene.billboard(x, z, arm), scene.pixels(0.09, z), top)
    head = ellipse_points(lean, height - 0.12, 0.1, 0.12, num=16)
    scene.canvas.fill(scene.billboard(x, z, head), skin)
    if rng.random() < 0.6:
        hair = ellipse_points(
            lean,
            height - 0.07,
            0.1,
            0.07,
            num=12,
            start=np.pi,
            stop=2 * np.pi)
        scene.canvas.fill(
            scene.billboard(x, z, hair), scene.new(label, 'hair'))


def draw_two_wheeler(scene, x, z, with_rider, motorised):
    """A bicycle (or motorcycle), optionally ridden, seen at an angle.

    The frame is drawn in its own vertical plane, rotated by a random
    yaw, so wheels become ellipses of varying eccentricity.
    """
    rng = scene.rng
    yaw = rng.choice([-1, 1]) * rng.uniform(0.25, 1.3)
    direction = np.array([math.sin(yaw), math.cos(yaw)])

    def plane(points):
        local = np.asarray(points, dtype=np.float64)
        return scene.project(x + local[:, 0] * direction[0], local[:, 1],
                             z + local[:, 0] * direction[1])

    label = MOTORCYCLE if motorised else BICYCLE
    wheel_radius = 0.32 if motorised else 0.34
    wheel_base = 0.7 if motorised else 0.55
    tyre = scene.new(label, 'tyre')
    frame = scene.new(label, 'bike_frame')
    thin = scene.pixels(0.13 if motorised else 0.04, z)
    for hub in (-wheel_base, wheel_base):
        ring = ellipse_points(
            hub, wheel_radius, wheel_radius, wheel_radius, num=20)
        scene.canvas.stroke(plane(ring), thin, tyre, closed=True)
    seat = (-0.2, 0.95 if not motorised else 0.85)
    crank = (0.0, wheel_radius)
    head_tube = (0.42, 0.95)
    if motorised:
        body = blob_points(rng, 0.0, 0.62, 0.55, 0.25, 0.2, num=16)
        scene.canvas.fill(plane(body), frame)
    else:
        rear_hub = (-wheel_base, wheel_radius)
        front_hub = (wheel_base, wheel_radius)
        for start, end in ((rear_hub, seat), (seat, crank), (crank, rear_hub),
                           (seat, head_tube), (crank, head_tube), (head_tube,
                                                                   front_hub)):
            scene.canvas.stroke(
                plane([start, end]), scene.pixels(0.04, z), frame)
    scene.canvas.stroke(
        plane([head_tube, (0.38, 1.08), (0.3, 1.1)]), scene.pixels(0.04, z),
        frame)
    if not with_rider:
        return
    top = scene.new(RIDER, 'cloth')
    bottom = scene.new(RIDER, 'cloth', val=(0.05, 0.5))
    hip = (seat[0], seat[1] + 0.1)
    shoulder = (0.1, hip[1] + 0.58)
    scene.canvas.stroke(
        plane([hip, (0.05, 0.75), (0.0, 0.45)]), scene.pixels(0.14, z), bottom)
    torso = np.array([hip, shoulder])
    scene.canvas.stroke(plane(torso), scene.pixels(0.36, z), top)
    scene.canvas.stroke(
        plane([shoulder, (0.3, 1.15), (0.36, 1.08)]), scene.pixels(0.09, z),
        top)
    head = ellipse_points(
        shoulder[0] + 0.05, shoulder[1] + 0.2, 0.11, 0.13, num=14)
    scene.canvas.fill(
        plane(head),
        scene.new(RIDER, 'hair' if rng.random() < 0.5 else 'clutter'))


def draw_clutter(scene, x, z, kind):
    """Void clutter: bins, bollards and benches are 'static', carts are
    'dynamic'."""
    rng = scene.rng
    if kind == 'bollard':
        segment = scene.new(STATIC, 'pole')
        draw_vertical_bar(scene, x, z, 0.0, rng.uniform(0.6, 1.0), 0.15,
                          segment)
    elif kind == 'bin':
        width, height = rng.uniform(0.4, 0.7), rng.uniform(0.7, 1.1)
        body = rounded_rect_points(-width / 2, 0, width / 2, height,
                                   width * 0.2)
        scene.canvas.fill(
            scene.billboard(x, z, body), scene.new(STATIC, 'clutter'))
    elif kind == 'bench':
        segment = scene.new(STATIC, 'clutter')
        seat = [(-0.8, 0.42), (0.8, 0.42), (0.8, 0.5), (-0.8, 0.5)]
        back = [(-0.8, 0.6), (0.8, 0.6), (0.8, 0.9), (-0.8, 0.9)]
        scene.canvas.fill(scene.billboard(x, z, seat), segment)
        scene.canvas.fill(scene.billboard(x, z, back), segment)
        for leg_x in (-0.7, 0.7):
            scene.canvas.stroke(
                scene.billboard(x, z, [(leg_x, 0), (leg_x, 0.9)]),
                scene.pixels(0.06, z), segment)
    else:
        segment = scene.new(DYNAMIC, 'clutter')
        body = rounded_rect_points(-0.35, 0.25, 0.35, 1.0, 0.1)
        scene.canvas.fill(scene.billboard(x, z, body), segment)
        for wheel_x in (-0.25, 0.25):
            wheel = ellipse_points(wheel_x, 0.12, 0.12, 0.12, num=10)
            scene.canvas.fill(
                scene.billboard(x, z, wheel), scene.new(DYNAMIC, 'tyre'))
