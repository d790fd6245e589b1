from .prediction_panels import (colorize_label, make_prediction_panel,
                                save_prediction_panels)

__all__ = ['colorize_label', 'make_prediction_panel', 'save_prediction_panels']
