# Copyright (c) cblseg contributors. All rights reserved.
from .boundary_counts import (BAND_ROWS, CONTOUR_ROWS, REGION_ROWS,
                              BoundaryCounts, boundary_counts,
                              check_tolerances, count_row_names)
from .boundary_fscore_per_image import (
    GSCNN_TOLERANCE_RATIOS, average_per_image_scores, check_tolerance_ratios,
    class_boundary_pixels, per_image_boundary_counts,
    per_image_boundary_scores, per_image_count_row_names, ratio_key,
    tolerance_pixels)

__all__ = [
    'BAND_ROWS', 'CONTOUR_ROWS', 'REGION_ROWS', 'BoundaryCounts',
    'boundary_counts', 'check_tolerances', 'count_row_names',
    'GSCNN_TOLERANCE_RATIOS', 'average_per_image_scores',
    'check_tolerance_ratios', 'class_boundary_pixels',
    'per_image_boundary_counts', 'per_image_boundary_scores',
    'per_image_count_row_names', 'ratio_key', 'tolerance_pixels'
]
