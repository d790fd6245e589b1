# Copyright (c) cblseg contributors. All rights reserved.
"""The picture files of a model comparison
(``tools/analysis/compare_models.py``): one
:func:`~cblseg.visualization.comparison_grid.compose_comparison_row` per
picture sample of a
:class:`~cblseg.evaluation.comparison_report.ComparisonResult`."""
import os
import os.path as osp
from typing import List

from .comparison_grid import compose_comparison_row

__all__ = ['save_comparison_pictures']


def save_comparison_pictures(result, out_dir: str) -> List[str]:
    """Write one :func:`~cblseg.visualization.comparison_grid.
    compose_comparison_row` PNG per picture sample,
    ``<out_dir>/<index:02d>_<stem>.png``, and record the paths in
    ``result.picture_paths``.

    Args:
        result (ComparisonResult): What
            :func:`~cblseg.evaluation.model_comparison.compare_models`
            returned.
        out_dir (str): Folder of the PNGs (created).

    Returns:
        list[str]: The written paths.
    """
    from PIL import Image

    if not result.samples:
        return []
    os.makedirs(out_dir, exist_ok=True)
    names = [model.name for model in result.models]
    paths = []
    for sample in result.samples:
        row = compose_comparison_row(
            sample['image'],
            sample['gt'],
            sample['predictions'],
            names,
            result.palette[:len(result.classes)],
            ignore_index=result.settings['ignore_index'],
            radius=sample['radius'],
            title=sample['stem'])
        path = osp.join(out_dir, f"{sample['index']:02d}_{sample['stem']}.png")
        Image.fromarray(row).save(path)
        paths.append(path)
    result.picture_paths = paths
    return paths
