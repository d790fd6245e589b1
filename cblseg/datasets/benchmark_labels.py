# Copyright (c) cblseg contributors. All rights reserved.
"""Street-like label maps for the benchmarks.

Unlike :func:`cblseg.datasets.render_street_scene` (images for training,
official label ids, the classes a street scene plausibly shows), these are
train-id label maps in which all 19 Cityscapes classes and ignore regions
always occur, so that per-class costs are measured at their worst.
"""
from typing import Optional

import cv2
import numpy as np

__all__ = ['synthetic_street_label', 'synthetic_prediction']

IGNORE = 255
NUM_CLASSES = 19
# Cityscapes train ids.
ROAD, SIDEWALK, BUILDING, WALL, FENCE, POLE, LIGHT, SIGN, VEGETATION, \
    TERRAIN, SKY, PERSON, RIDER, CAR, TRUCK, BUS, TRAIN, MOTORCYCLE, \
    BICYCLE = range(NUM_CLASSES)


def synthetic_street_label(height: int, width: int, seed: int) -> np.ndarray:
    """A Cityscapes-like ``height x width`` uint8 label map.

    Sky above a jagged skyline of buildings, road and sidewalks below the
    horizon, vegetation / terrain / walls / fences, poles with lights and
    signs, vehicles and people as polygons and ellipses, and ignore regions
    (ego vehicle, unlabelled blobs). All 19 classes appear.
    """
    rng = np.random.default_rng(seed)
    h, w = height, width

    def pts(xy) -> np.ndarray:
        xy = np.asarray(xy, dtype=np.float64)
        return np.round(xy * [w, h]).astype(np.int32)

    def poly(label, xy, value):
        cv2.fillPoly(label, [pts(xy)], int(value))

    def box(label, x0, y0, x1, y1, value):
        poly(label, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], value)

    horizon = rng.uniform(0.42, 0.5)
    label = np.full((h, w), SKY, dtype=np.uint8)
    # buildings: a jagged skyline
    xs = np.sort(np.concatenate([[0.0, 1.0], rng.uniform(0, 1, 24)]))
    tops = rng.uniform(0.05, horizon - 0.1, len(xs))
    skyline = [(0.0, horizon)]
    for x0, x1, top in zip(xs[:-1], xs[1:], tops):
        skyline += [(x0, top), (x1, top)]
    skyline.append((1.0, horizon))
    poly(label, skyline, BUILDING)
    # ground: sidewalks, road trapezoid, terrain strips
    box(label, 0, horizon, 1, 1.01, SIDEWALK)
    road_left, road_right = rng.uniform(0.38, 0.46), rng.uniform(0.54, 0.62)
    poly(label, [(road_left, horizon), (road_right, horizon), (1.15, 1.01),
                 (-0.15, 1.01)], ROAD)
    poly(label, [(0, horizon + 0.05), (0.1, horizon + 0.05), (0, 0.7)],
         TERRAIN)
    # walls, fences and vegetation along the street
    box(label, 0.0, horizon - 0.08, 0.12, horizon + 0.04, WALL)
    for _ in range(6):
        cx, cy = rng.uniform(0, 1), rng.uniform(0.15, horizon)
        cv2.ellipse(label, tuple(pts((cx, cy))), (int(
            rng.uniform(0.03, 0.09) * w), int(rng.uniform(0.05, 0.15) * h)), 0,
                    0, 360, VEGETATION, -1)
    # poles with traffic lights and signs
    for _ in range(5):
        x = rng.uniform(0.02, 0.98)
        box(label, x, rng.uniform(0.1, 0.3), x + 0.004, horizon + 0.12, POLE)
        box(label, x - 0.006, 0.28, x + 0.01, 0.34,
            LIGHT if rng.random() < 0.5 else SIGN)
    box(label, 0.7, 0.3, 0.73, 0.35, SIGN)
    box(label, 0.3, 0.3, 0.31, 0.36, LIGHT)
    # vehicles and people
    vehicles = [CAR] * 6 + [TRUCK, BUS, TRAIN, MOTORCYCLE, BICYCLE]
    for value in vehicles:
        x0 = rng.uniform(0.0, 0.9)
        y1 = rng.uniform(horizon + 0.05, 0.85)
        size = {TRAIN: 0.25, BUS: 0.18, TRUCK: 0.15}.get(value, 0.08)
        size *= rng.uniform(0.7, 1.3)
        y0 = y1 - size * 0.8
        poly(label, [(x0, y1), (x0, y0 + 0.03), (x0 + 0.2 * size, y0),
                     (x0 + 0.8 * size, y0), (x0 + size, y0 + 0.03),
                     (x0 + size, y1)], value)
    box(label, rng.uniform(0.62, 0.7), horizon - 0.04, 0.82, horizon + 0.01,
        FENCE)
    for value in [PERSON] * 6 + [RIDER] * 2:
        cx, cy = rng.uniform(0.05, 0.95), rng.uniform(horizon, 0.8)
        cv2.ellipse(label, tuple(pts((cx, cy))),
                    (int(0.006 * w) + 1, int(0.05 * h) + 1), 0, 0, 360,
                    int(value), -1)
    # ignore: ego vehicle, a license-plate-like box, unlabelled blobs
    cv2.ellipse(label, tuple(pts((0.5, 1.0))), (int(0.55 * w), int(0.12 * h)),
                0, 180, 360, IGNORE, -1)
    box(label, 0.47, 0.93, 0.53, 0.97, IGNORE)
    for _ in range(4):
        cx, cy = rng.uniform(0, 1), rng.uniform(0.1, 0.9)
        radius = rng.uniform(0.01, 0.04)
        angles = np.sort(rng.uniform(0, 2 * np.pi, 7))
        poly(label, [(cx + radius * np.cos(a), cy + 2 * radius * np.sin(a))
                     for a in angles], IGNORE)
    return label


def synthetic_prediction(label: np.ndarray,
                         seed: int,
                         fill_ignore: Optional[int] = None) -> np.ndarray:
    """A plausible prediction for ``label``: boundaries moved by a 4x
    nearest down/up-sampling, ignore regions filled with classes (of another
    scene, or class ``fill_ignore`` if given), and a few blobs of wrong
    classes."""
    height, width = label.shape
    rng = np.random.default_rng(seed)
    small = cv2.resize(
        label, (max(1, width // 4), max(1, height // 4)),
        interpolation=cv2.INTER_NEAREST)
    pred = cv2.resize(small, (width, height), interpolation=cv2.INTER_NEAREST)
    if fill_ignore is None:
        other = synthetic_street_label(height, width, seed + 1)
        other[other == IGNORE] = 0
        pred = np.where(pred == IGNORE, other, pred).astype(np.uint8)
    else:
        pred[pred == IGNORE] = fill_ignore
    for _ in range(12):
        centre = (int(rng.integers(width)), int(rng.integers(height)))
        axes = (int(rng.integers(1, max(2, width // 40))),
                int(rng.integers(1, max(2, height // 20))))
        cv2.ellipse(pred, centre, axes, 0, 0, 360,
                    int(rng.integers(NUM_CLASSES)), -1)
    return pred
