# Copyright (c) cblseg contributors. All rights reserved.
from .boundary_iou_metric import (BoundaryIoUMetric, class_table, json_float,
                                  per_class_dict, summarize_counts)

__all__ = [
    'BoundaryIoUMetric', 'class_table', 'json_float', 'per_class_dict',
    'summarize_counts'
]
