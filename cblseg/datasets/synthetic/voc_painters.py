"""Shape families of the PASCAL VOC classes, drawn part by part with an
:class:`ObjectPainter`; also used for the matching classes of the class
scenes (ADE20K, Pascal Context)."""
import math

import numpy as np

from .primitives import (bezier_points, blob_points, ellipse_points,
                         rounded_rect_points)

# Classes whose objects fly or float and need not stand on the ground.
VOC_AIRBORNE = ('aeroplane', 'bird')


class ObjectPainter:
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
        self.poly(segment, ellipse_points(cx, cy, rx, ry, angle, num=28))

    def rect(self, segment, x0, y0, x1, y1, radius=0.0):
        self.poly(segment, rounded_rect_points(x0, y0, x1, y1, radius))

    def stroke(self, segment, points, width, closed=False):
        self.canvas.stroke(
            self.to_pixels(points), width * self.scale, segment, closed)

    def ring(self, segment, cx, cy, radius, width):
        self.stroke(
            segment,
            ellipse_points(cx, cy, radius, radius, num=28),
            width,
            closed=True)

    def curve(self, segment, control_points, width):
        self.stroke(segment, bezier_points(control_points, 12), width)


# Shape families, one per VOC class. Each draws its parts with an
# ObjectPainter in local coordinates (roughly [-1, 1]^2, y down, feet or
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
            bezier_points([(-0.2, 0.0), (-0.3, -0.9), (0.3, -0.9), (0.2, 0.0)],
                          12))
        paint.poly(
            wing,
            bezier_points([(-0.15, 0.1), (-0.5, 0.7), (0.1, 0.8), (0.2, 0.05)],
                          12))
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
    bottom = bezier_points([(1.0, -0.05), (0.75, 0.45), (-0.8, 0.45),
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
    left_shoulder = bezier_points([(-0.3, -0.15), (-0.3, -0.45), (-0.1, -0.45),
                                   (-0.1, -0.6)], 8)
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
                            bezier_points([(-0.6, -0.05), (-0.4, -0.55),
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
    paint.poly(wool, blob_points(rng, 0.0, 0.0, 0.62, 0.38, 0.35, num=48))
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
    nose = bezier_points([(0.75, -0.45), (1.15, -0.4), (1.25, 0.0),
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


VOC_PAINTERS = dict(
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
