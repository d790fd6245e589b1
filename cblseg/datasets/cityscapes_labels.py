"""The official Cityscapes label table, as plain data.

This mirrors the ``labels`` table of the official ``cityscapesScripts``
(``cityscapesscripts/helpers/labels.py``): 34 labels with ids 0..33 plus the
``license plate`` label with id -1. Ground-truth ``*_gtFine_labelIds.png``
files store label ids; training uses the 19 ``trainId`` classes, everything
with ``ignoreInEval`` set maps to trainId 255 (-1 for the license plate).

Only data and tiny pure helpers live here so that the synthetic data
generator and label converters can share one source of truth without
depending on ``cityscapesscripts``.
"""
from collections import namedtuple

import numpy as np

CityscapesLabel = namedtuple(
    'CityscapesLabel',
    [
        'name',  # unique class name, e.g. 'car'
        'id',  # label id stored in *_gtFine_labelIds.png (-1: not stored)
        'trainId',  # id used for training; 255 (or -1) means ignored
        'category',  # name of the category, e.g. 'vehicle'
        'categoryId',  # id of the category
        'hasInstances',  # whether instances of this class are annotated
        'ignoreInEval',  # whether its pixels are ignored in evaluation
        'color',  # RGB colour used in *_gtFine_color.png
    ])

# yapf: disable
_LABEL_ROWS = (
    # (name, id, trainId, category, categoryId, hasInstances,
    #  ignoreInEval, color)
    ('unlabeled', 0, 255, 'void', 0, False, True, (0, 0, 0)),
    ('ego vehicle', 1, 255, 'void', 0, False, True, (0, 0, 0)),
    ('rectification border', 2, 255, 'void', 0, False, True, (0, 0, 0)),
    ('out of roi', 3, 255, 'void', 0, False, True, (0, 0, 0)),
    ('static', 4, 255, 'void', 0, False, True, (0, 0, 0)),
    ('dynamic', 5, 255, 'void', 0, False, True, (111, 74, 0)),
    ('ground', 6, 255, 'void', 0, False, True, (81, 0, 81)),
    ('road', 7, 0, 'flat', 1, False, False, (128, 64, 128)),
    ('sidewalk', 8, 1, 'flat', 1, False, False, (244, 35, 232)),
    ('parking', 9, 255, 'flat', 1, False, True, (250, 170, 160)),
    ('rail track', 10, 255, 'flat', 1, False, True, (230, 150, 140)),
    ('building', 11, 2, 'construction', 2, False, False, (70, 70, 70)),
    ('wall', 12, 3, 'construction', 2, False, False, (102, 102, 156)),
    ('fence', 13, 4, 'construction', 2, False, False, (190, 153, 153)),
    ('guard rail', 14, 255, 'construction', 2, False, True, (180, 165, 180)),
    ('bridge', 15, 255, 'construction', 2, False, True, (150, 100, 100)),
    ('tunnel', 16, 255, 'construction', 2, False, True, (150, 120, 90)),
    ('pole', 17, 5, 'object', 3, False, False, (153, 153, 153)),
    ('polegroup', 18, 255, 'object', 3, False, True, (153, 153, 153)),
    ('traffic light', 19, 6, 'object', 3, False, False, (250, 170, 30)),
    ('traffic sign', 20, 7, 'object', 3, False, False, (220, 220, 0)),
    ('vegetation', 21, 8, 'nature', 4, False, False, (107, 142, 35)),
    ('terrain', 22, 9, 'nature', 4, False, False, (152, 251, 152)),
    ('sky', 23, 10, 'sky', 5, False, False, (70, 130, 180)),
    ('person', 24, 11, 'human', 6, True, False, (220, 20, 60)),
    ('rider', 25, 12, 'human', 6, True, False, (255, 0, 0)),
    ('car', 26, 13, 'vehicle', 7, True, False, (0, 0, 142)),
    ('truck', 27, 14, 'vehicle', 7, True, False, (0, 0, 70)),
    ('bus', 28, 15, 'vehicle', 7, True, False, (0, 60, 100)),
    ('caravan', 29, 255, 'vehicle', 7, True, True, (0, 0, 90)),
    ('trailer', 30, 255, 'vehicle', 7, True, True, (0, 0, 110)),
    ('train', 31, 16, 'vehicle', 7, True, False, (0, 80, 100)),
    ('motorcycle', 32, 17, 'vehicle', 7, True, False, (0, 0, 230)),
    ('bicycle', 33, 18, 'vehicle', 7, True, False, (119, 11, 32)),
    ('license plate', -1, -1, 'vehicle', 7, False, True, (0, 0, 142)),
)
# yapf: enable
CITYSCAPES_LABELS = tuple(CityscapesLabel(*row) for row in _LABEL_ROWS)

# uint8 label maps cannot hold -1: the license plate id is written as 255.
LICENSE_PLATE_STORED_ID = 255

# The 19 evaluated classes, in trainId order (MMSeg's spelling of the names
# is the same as the official one).
CITYSCAPES_TRAIN_CLASSES = tuple(
    label.name for label in sorted((lbl for lbl in CITYSCAPES_LABELS
                                    if 0 <= lbl.trainId < 255),
                                   key=lambda lbl: lbl.trainId))
# A list of [r, g, b] lists, like the ``palette`` of MMSeg's dataset
# metainfo.
CITYSCAPES_TRAIN_PALETTE = [
    list(label.color) for label in sorted((lbl for lbl in CITYSCAPES_LABELS
                                           if 0 <= lbl.trainId < 255),
                                          key=lambda lbl: lbl.trainId)
]

CITYSCAPES_NAME_TO_LABEL = {label.name: label for label in CITYSCAPES_LABELS}
CITYSCAPES_ID_TO_LABEL = {label.id: label for label in CITYSCAPES_LABELS}

#: Train id of every label that takes no part in training or evaluation.
IGNORE_TRAIN_ID = 255


def stored_id(label):
    """Value of a label in 8-bit labelIds maps (id -1, the license plate,
    is stored as 255)."""
    return LICENSE_PLATE_STORED_ID if label.id < 0 else label.id


def eval_train_id(label):
    """Train id of a label, with every ignored label (trainId 255 or -1) as
    255."""
    return label.trainId if 0 <= label.trainId < IGNORE_TRAIN_ID \
        else IGNORE_TRAIN_ID


def label_id_to_train_id_lut(unknown=IGNORE_TRAIN_ID):
    """The lookup table from stored label ids to train ids.

    Every label of :data:`CITYSCAPES_LABELS` maps to its train id, and every
    ``ignoreInEval`` label, including the license plate (id -1, stored as
    255 in uint8 label maps), to 255.

    Args:
        unknown (int): Entry of the ids that are not in the table (34..254).
            255 (default) treats them as ignored, as the synthetic data
            writer wants; the label converter passes 254 (no train id) to
            find them and report the files that hold them. Must be 255 or a
            value that is not a train id (19..254), else unknown ids would
            pass for a class.

    Returns:
        np.ndarray: uint8 array of 256 entries (a new one per call);
        ``lut[label_ids]`` converts a labelIds map into a labelTrainIds map.
    """
    if isinstance(unknown, bool) or not isinstance(
            unknown, (int, np.integer)) or not 19 <= unknown <= 255:
        raise ValueError('unknown must be an integer in [19, 255] (not a '
                         f'train id), got {unknown!r}')
    lut = np.full(256, unknown, dtype=np.uint8)
    for label in CITYSCAPES_LABELS:
        lut[stored_id(label)] = eval_train_id(label)
    return lut


def label_id_to_color_lut():
    """Build a lookup table from stored label ids to official colours.

    Index 255 holds the license plate colour, because that is how id -1 is
    stored in uint8 label maps; other unknown ids are black like 'unlabeled'.

    Returns:
        np.ndarray: uint8 array of shape (256, 3).
    """
    lut = np.zeros((256, 3), dtype=np.uint8)
    for label in CITYSCAPES_LABELS:
        lut[stored_id(label)] = label.color
    return lut


def ids_to_color(label_ids):
    """Colourise a Cityscapes labelIds map with the official colours.

    Args:
        label_ids (np.ndarray): HxW integer array of label ids (255 for the
            license plate).

    Returns:
        np.ndarray: HxWx3 uint8 RGB image, as in ``*_gtFine_color.png``.
    """
    label_ids = np.asarray(label_ids)
    return label_id_to_color_lut()[label_ids.astype(np.uint8)]
