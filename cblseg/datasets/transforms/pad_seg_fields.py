# Copyright (c) cblseg contributors. All rights reserved.
import mmcv
from mmcv.transforms import Pad
from mmseg.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PadSegFields(Pad):
    """mmcv's ``Pad`` that pads every seg field, not only ``gt_seg_map``.

    mmcv 2.x's ``Pad`` (MMSeg 1.x has none of its own) pads ``img`` and
    ``gt_seg_map`` only, so a ``gt_edge_map`` made before it (where
    ``GenerateBoundary`` belongs: on the full label, right after
    ``LoadAnnotations``) would keep its unpadded size. This transform pads
    each key listed in ``seg_fields`` the same way, with the ``seg`` pad
    value (255, ignore), as MMSeg 0.x's ``Pad`` (used by the CBL reference)
    did. Arguments and behaviour on ``img`` and ``gt_seg_map`` are those of
    ``Pad``; MMSeg's Pascal VOC aug pipeline uses ``Pad(size=crop_size)``.

    Required Keys:

    - img
    - seg_fields (optional): keys of the maps to pad (``gt_seg_map``
      is padded whether listed or not).

    Modified Keys:

    - img
    - img_shape
    - every key in ``seg_fields`` and ``gt_seg_map``

    Added Keys:

    - pad_shape
    - pad_fixed_size
    - pad_size_divisor

    Args: see ``mmcv.transforms.Pad``.
    """

    def _pad_seg(self, results: dict) -> None:
        """Pad ``gt_seg_map`` and every other seg field to
        ``results['pad_shape']``."""
        super()._pad_seg(results)
        pad_val = self.pad_val.get('seg', 255)
        for key in results.get('seg_fields', []):
            value = results.get(key)
            if key == 'gt_seg_map' or value is None:
                continue
            field_pad_val = pad_val
            if isinstance(pad_val, int) and value.ndim == 3:
                field_pad_val = (pad_val, ) * value.shape[2]
            results[key] = mmcv.impad(
                value,
                shape=results['pad_shape'][:2],
                pad_val=field_pad_val,
                padding_mode=self.padding_mode)
