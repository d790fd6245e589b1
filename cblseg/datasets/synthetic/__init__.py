"""Procedural scenes and synthetic datasets for CPU demos and tests.

Renderers (pure functions of a ``np.random.Generator`` and a size, no file
I/O) return an RGB image and its label map:

* :func:`render_street_scene` (:mod:`.street_scene`): a Cityscapes-like
  street seen from a car, official Cityscapes *label ids*.
* :func:`render_voc_scene` (:mod:`.voc_scene`): 1-4 objects of PASCAL VOC
  classes on a textured background, 255 along object outlines.
* :func:`render_class_scene` (:mod:`.class_scene`) for any class list, and
  its ADE20K and Pascal Context flavours.

Writers put them on disk in the layouts of the real datasets
(:mod:`.cityscapes`, :mod:`.voc`, :mod:`.ade20k`, :mod:`.pascal_context`;
what they share is in :mod:`.writer`).

Every scene is drawn into a *segment map* first (:mod:`.primitives`):
every drawn part (a window, a tyre, a shirt) becomes a segment with a class
label and an appearance drawn from a material (:mod:`.materials`,
:mod:`.appearance`). The label map is a lookup of the segment labels and
the image is composed from the appearances in one vectorised pass, so the
label map and the image always agree exactly.
"""
from .ade20k import generate_synthetic_ade20k, render_ade20k_scene
from .cityscapes import generate_synthetic_cityscapes
from .class_scene import render_class_scene
from .pascal_context import (generate_synthetic_pascal_context,
                             render_pascal_context_scene)
from .street_scene import render_street_scene
from .voc import generate_synthetic_voc
from .voc_scene import render_voc_scene

__all__ = [
    'render_street_scene', 'render_voc_scene', 'render_class_scene',
    'render_ade20k_scene', 'render_pascal_context_scene',
    'generate_synthetic_cityscapes', 'generate_synthetic_voc',
    'generate_synthetic_ade20k', 'generate_synthetic_pascal_context'
]
