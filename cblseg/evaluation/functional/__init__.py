# Copyright (c) cblseg contributors. All rights reserved.
from .boundary_counts import (BAND_ROWS, CONTOUR_ROWS, REGION_ROWS,
                              BoundaryCounts, boundary_counts,
                              check_tolerances, count_row_names)

__all__ = [
    'BAND_ROWS', 'CONTOUR_ROWS', 'REGION_ROWS', 'BoundaryCounts',
    'boundary_counts', 'check_tolerances', 'count_row_names'
]
