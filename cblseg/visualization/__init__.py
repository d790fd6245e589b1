# Copyright (c) cblseg contributors. All rights reserved.
"""Pictures: boundary grids and overlays, prediction panels, model
comparison rows. Pictures read their samples through
``cblseg.datasets.dataset_samples``; nothing in ``cblseg.datasets`` or
``cblseg.evaluation`` imports this package."""
from .boundary_grid import (boundary_grid_size, compose_boundary_grid,
                            overlay_boundaries, render_boundary_pictures)
from .colorize import colorize_label
from .prediction_panels import make_prediction_panel, save_prediction_panels

__all__ = [
    'boundary_grid_size', 'compose_boundary_grid', 'overlay_boundaries',
    'render_boundary_pictures', 'colorize_label', 'make_prediction_panel',
    'save_prediction_panels'
]
