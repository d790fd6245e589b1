# Copyright (c) cblseg contributors. All rights reserved.
"""Evaluation: ``BoundaryIoUMetric`` (registered in MMSeg's ``METRICS``),
the per-image count functions behind it and offline evaluation of
prediction folders (``cblseg.evaluation.offline``, ``tools/eval_boundary.py``).
"""
from .functional import (BoundaryCounts, boundary_counts, check_tolerances,
                         count_row_names)
from .metrics import BoundaryIoUMetric, class_table, summarize_counts

__all__ = [
    'BoundaryCounts', 'boundary_counts', 'check_tolerances', 'count_row_names',
    'BoundaryIoUMetric', 'class_table', 'summarize_counts'
]
