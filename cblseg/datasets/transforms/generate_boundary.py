# Copyright (c) cblseg contributors. All rights reserved.
from typing import Optional

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from cblseg.ops import (DEFAULT_DILATION, check_radius_options,
                        label_to_boundary, resolve_radius)
from cblseg.ops.checks import check_int
from cblseg.utils.arguments import reject_unknown_kwargs


@TRANSFORMS.register_module()
class GenerateBoundary(BaseTransform):
    """Generate the boundary ground truth of a semantic label map.

    A labelled pixel is a boundary pixel if some pixel within Chebyshev
    distance ``radius`` lies outside the image or has another label (ignored
    pixels count as another label); see :mod:`cblseg.ops.boundary`. This is
    the band that the Conditional Boundary Loss (Wu et al., TIP 2023) and
    Boundary IoU use.

    ``gt_edge_map`` is added to ``seg_fields``, so MMSeg's seg-field-aware
    transforms (``RandomResize``/``Resize``, ``RandomCrop``, ``RandomFlip``,
    ``RandomRotate``, ... with ``default_scope='mmseg'``) keep it aligned
    with ``gt_seg_map`` (nearest interpolation, padded with 255), and
    ``PackSegInputs`` packs it as ``data_sample.gt_edge_map``. Where to put
    it:

    - Right after ``LoadAnnotations``, before any resize, crop or flip (what
      the CBL reference config ``CBLorc_config.py`` does, and what our
      dataset configs do): the band is computed once on the full-resolution
      label (46 px wide at 1024 x 2048) and then resized, cropped and
      flipped with it, so its width follows the resize and crop borders are
      not boundary.
    - Last, before ``PackSegInputs`` (a choice, not the paper's pipeline):
      the band is computed on the final crop, ``dilation`` refers to the
      crop's diagonal (23 px for 512 x 1024), crop borders and padding are
      boundary (padding is ignore), and ``gt_edge_map`` equals
      ``label_to_boundary(gt_seg_map)`` exactly.
      :func:`cblseg.datasets.place_generate_boundary` moves it in a
      pipeline; docs/cbl.md gives the share of boundary pixels both ways.

    Caveat: mmcv's ``Pad`` (MMSeg 1.x has none of its own) pads
    ``gt_seg_map`` only, not other seg fields; after this transform use
    :class:`PadSegFields` (same arguments), which pads ``gt_edge_map`` too.
    MMSeg 1.x configs mostly pad in ``SegDataPreProcessor``, which pads
    ``gt_edge_map`` like ``gt_sem_seg``.

    Note: the CBL reference config passes ``dilation=0.005``, but its code
    ignores the argument and always uses 0.02, the default here.

    Required Keys:

    - gt_seg_map (np.ndarray): ``H x W`` integer label map.

    Added Keys:

    - gt_edge_map (np.ndarray, uint8): ``H x W``; 1 on boundary pixels, 0
      elsewhere, ``ignore_index`` where ``gt_seg_map == ignore_index``.

    Modified Keys:

    - seg_fields (list[str]): ``'gt_edge_map'`` is appended (the list is
      created if missing).

    Args:
        dilation (float, optional): Boundary radius as a ratio of the label's
            diagonal: ``radius = max(1, round(dilation * sqrt(H**2 + W**2)))``
            (46 pixels for 1024 x 2048). Defaults to 0.02 when ``radius`` is
            not given either.
        radius (int, optional): Boundary radius in pixels (>= 1), for a fixed
            width independent of the label size. Give ``dilation`` or
            ``radius``, not both.
        ignore_index (int): Label of ignored pixels, in [0, 255]. Should be
            the ``seg_pad_val`` of later transforms (255). Defaults to 255.

    Raises:
        TypeError: For any other keyword argument (a misspelt config key),
            naming it and the accepted ones.
    """

    def __init__(self,
                 dilation: Optional[float] = None,
                 radius: Optional[int] = None,
                 ignore_index: int = 255,
                 **kwargs) -> None:
        reject_unknown_kwargs(
            type(self).__name__, kwargs, GenerateBoundary.__init__)
        super().__init__()
        check_radius_options(dilation, radius)
        if radius is None and dilation is None:
            dilation = DEFAULT_DILATION
        self.dilation = dilation
        self.radius = radius
        self.ignore_index = check_int(
            'ignore_index',
            ignore_index,
            0,
            255,
            hint='to fit the uint8 gt_edge_map')

    def transform(self, results: dict) -> dict:
        """Add ``gt_edge_map`` computed from ``gt_seg_map``.

        Args:
            results (dict): Result dict holding ``gt_seg_map``.

        Returns:
            dict: ``results`` with ``gt_edge_map`` added and registered in
            ``seg_fields``.
        """
        gt_seg_map = results.get('gt_seg_map')
        if gt_seg_map is None:
            raise KeyError(
                'GenerateBoundary needs results["gt_seg_map"]; put '
                'LoadAnnotations before GenerateBoundary in the pipeline')
        height, width = gt_seg_map.shape[:2]
        radius = resolve_radius(
            height, width, dilation=self.dilation, radius=self.radius)
        results['gt_edge_map'] = label_to_boundary(gt_seg_map, radius,
                                                   self.ignore_index)
        seg_fields = results.setdefault('seg_fields', [])
        if 'gt_edge_map' not in seg_fields:
            seg_fields.append('gt_edge_map')
        return results

    def __repr__(self) -> str:
        repr_str = self.__class__.__name__
        if self.radius is not None:
            repr_str += f'(radius={self.radius}, '
        else:
            repr_str += f'(dilation={self.dilation}, '
        repr_str += f'ignore_index={self.ignore_index})'
        return repr_str
