# Copyright (c) cblseg contributors. All rights reserved.
"""Label maps for the op, metric and head tests, and the CBL reference's
binary boundary (biou.py) as an independent oracle."""
import cv2
import numpy as np

IGNORE = 255


def random_label(rng: np.random.Generator,
                 height: int,
                 width: int,
                 num_classes: int = 19,
                 ignore_index: int = IGNORE,
                 max_shapes: int = 6,
                 max_extent: float = 0.5) -> np.ndarray:
    """Blobby label map: background, random polygons / ellipses / a coarse
    grid of classes (all touching the border now and then), and ignore
    regions. ``max_extent`` bounds the shape sizes as a fraction of the
    image size."""
    label = np.full((height, width), rng.integers(num_classes), dtype=np.uint8)
    if max_shapes > 2 and rng.random() < 0.3:
        grid = rng.integers(
            0, num_classes, size=(rng.integers(1, 4), rng.integers(1, 5)))
        label = cv2.resize(
            grid.astype(np.uint8), (width, height),
            interpolation=cv2.INTER_NEAREST)
    for _ in range(rng.integers(0, max_shapes + 1)):
        value = int(rng.integers(num_classes))
        if rng.random() < 0.15:
            value = ignore_index
        if rng.random() < 0.5:
            center = (int(rng.integers(-5, width + 5)),
                      int(rng.integers(-5, height + 5)))
            axes = (int(rng.integers(1, max(2, width * max_extent))),
                    int(rng.integers(1, max(2, height * max_extent))))
            cv2.ellipse(label, center, axes, float(rng.uniform(0, 180)), 0,
                        360, value, -1)
        else:
            center = rng.integers(-10, (width + 10, height + 10), size=2)
            spread = np.array([width, height]) * max_extent + 1
            points = (center + rng.uniform(-spread, spread, size=(5, 2)))
            points = points.astype(np.int32)
            cv2.fillPoly(label, [points], value)
    return label


# (height, width), radius: sizes that fit a radius-46 window, and small odd
# ones where the border band covers most or all of the image.
SIZES_AND_RADII = [
    ((120, 150), 1), ((120, 150), 2), ((120, 150), 5), ((120, 150), 46),
    ((7, 9), 1), ((7, 9), 2), ((13, 5), 2), ((31, 33), 5), ((1, 17), 1),
    ((17, 1), 2), ((1, 1), 1), ((5, 5), 46), ((2, 3), 1)
]  # yapf: disable


def synthetic_label(height, width, seed, num_classes=5):
    """Rectangles of random classes on a random background, an ignore
    blob: boundaries, interiors and ignore in a few lines."""
    rng = np.random.default_rng(seed)
    label = np.full((height, width), rng.integers(num_classes), np.uint8)
    for _ in range(6):
        y0, x0 = rng.integers(0, height - 8), rng.integers(0, width - 8)
        h, w = rng.integers(6, height // 2), rng.integers(6, width // 2)
        label[y0:y0 + h, x0:x0 + w] = rng.integers(num_classes)
    label[-6:, :10] = 255
    return label


def cbl_reference_boundary(label: np.ndarray, radius: int) -> np.ndarray:
    """multi_class_gt_to_boundary of biou.py, re-implemented from its
    description: per class other than 255 pad the mask with zeros, erode
    ``radius`` times with a 3x3 square, subtract; union over classes; an
    image without any class gives all 255."""
    height, width = label.shape
    classes = [c for c in np.unique(label) if c != 255]
    if not classes:
        return np.full(label.shape, 255, dtype=np.uint8)
    boundary = np.zeros(label.shape, dtype=np.uint8)
    for cls in classes:
        mask = (label == cls).astype(np.uint8)
        padded = cv2.copyMakeBorder(
            mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        eroded = cv2.erode(
            padded, np.ones((3, 3), np.uint8), iterations=radius)[1:height + 1,
                                                                  1:width + 1]
        boundary |= mask - eroded
    return boundary


def cbl_reference_pair(pred, gt, radius):
    pd, gd = cbl_reference_boundary(pred, radius), cbl_reference_boundary(
        gt, radius)
    return (np.count_nonzero(np.fmin(pd,
                                     gd)), np.count_nonzero(np.fmax(pd, gd)))
