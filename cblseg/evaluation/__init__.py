# Copyright (c) cblseg contributors. All rights reserved.
"""Evaluation: ``BoundaryIoUMetric`` (registered in MMSeg's ``METRICS``),
the per-image count functions behind it and offline evaluation of
prediction folders (``cblseg.evaluation.offline``, ``tools/eval_boundary.py``).

The count functions (:mod:`.functional`) need torch only; the metric is
imported when MMSeg is installed (see cblseg/_optional.py).
"""
from cblseg._optional import mmseg_installed
from .functional import (BoundaryCounts, boundary_counts, check_tolerances,
                         count_row_names)

__all__ = [
    'BoundaryCounts', 'boundary_counts', 'check_tolerances', 'count_row_names'
]

if mmseg_installed():
    from .metrics import BoundaryIoUMetric, class_table, summarize_counts

    __all__ += ['BoundaryIoUMetric', 'class_table', 'summarize_counts']
