"""PASCAL VOC 2012 segmentation classes and the VOC colour map, as data.

``SegmentationClass/*.png`` files in VOC are palette ('P' mode) PNGs whose
pixel values are class indices (0 = background, 1..20 = objects) and 255 for
the "void" band drawn along object outlines; the palette is the standard VOC
bit-interleaved colour map, which gives index 255 the cream border colour
(224, 224, 192).
"""
import numpy as np

# MMSeg's spelling (``mmseg.datasets.PascalVOCDataset``).
VOC_CLASSES = ('background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle',
               'bus', 'car', 'cat', 'chair', 'cow', 'diningtable', 'dog',
               'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa',
               'train', 'tvmonitor')

VOC_IGNORE_INDEX = 255
VOC_BORDER_COLOR = (224, 224, 192)


def voc_color_map(num_entries=256):
    """The standard VOC colour map.

    Entry ``i`` spreads the bits of ``i`` over the three channels, from the
    most significant bit down: bit 0 of each 3-bit group goes to red, bit 1
    to green and bit 2 to blue.

    Args:
        num_entries (int): Number of colours to build. Defaults to 256.

    Returns:
        np.ndarray: uint8 array of shape (num_entries, 3).
    """
    colors = np.zeros((num_entries, 3), dtype=np.uint8)
    for index in range(num_entries):
        red = green = blue = 0
        bits = index
        for shift in range(7, -1, -1):
            red |= ((bits >> 0) & 1) << shift
            green |= ((bits >> 1) & 1) << shift
            blue |= ((bits >> 2) & 1) << shift
            bits >>= 3
        colors[index] = (red, green, blue)
    return colors


# A list of [r, g, b] lists, like the ``palette`` of MMSeg's dataset
# metainfo.
VOC_PALETTE = voc_color_map(len(VOC_CLASSES)).tolist()


def voc_palette_bytes():
    """The 768-byte palette for VOC 'P' mode PNGs.

    Returns:
        bytes: 256 RGB triplets; entries 0..20 are :data:`VOC_PALETTE` and
        entry 255 is :data:`VOC_BORDER_COLOR`, as in the official files.
    """
    return voc_color_map(256).tobytes()
