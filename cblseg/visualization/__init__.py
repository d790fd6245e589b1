from .boundary_grid import (boundary_grid_size, build_split_dataset,
                            compose_boundary_grid, load_dataset_sample,
                            load_sample_from_config, load_sample_from_files,
                            overlay_boundaries, render_boundary_pictures)
from .prediction_panels import (colorize_label, make_prediction_panel,
                                save_prediction_panels)

__all__ = [
    'boundary_grid_size', 'build_split_dataset', 'compose_boundary_grid',
    'load_dataset_sample', 'load_sample_from_config', 'load_sample_from_files',
    'overlay_boundaries', 'render_boundary_pictures', 'colorize_label',
    'make_prediction_panel', 'save_prediction_panels'
]
