from .boundary_placement import (PLACEMENTS, boundary_shares,
                                 place_generate_boundary,
                                 train_pipeline_and_samples)
from .cityscapes_labels import (CITYSCAPES_LABELS, CITYSCAPES_TRAIN_CLASSES,
                                CITYSCAPES_TRAIN_PALETTE, CityscapesLabel,
                                ids_to_color, label_id_to_train_id_lut)
from .dataset_check import PROBLEM_KINDS, check_dataset, format_check_report
from .label_loading import check_label_loaders, label_loader_problems
from .label_values import bad_label_values, describe_bad_values
from .synthetic import (generate_synthetic_ade20k,
                        generate_synthetic_cityscapes,
                        generate_synthetic_pascal_context,
                        generate_synthetic_voc, render_ade20k_scene,
                        render_class_scene, render_pascal_context_scene,
                        render_street_scene, render_voc_scene)
from .transforms import GenerateBoundary, LoadCheckedAnnotations, PadSegFields
from .voc_labels import (VOC_BORDER_COLOR, VOC_CLASSES, VOC_IGNORE_INDEX,
                         VOC_PALETTE, voc_palette_bytes)

__all__ = [
    'CITYSCAPES_LABELS', 'CITYSCAPES_TRAIN_CLASSES',
    'CITYSCAPES_TRAIN_PALETTE', 'CityscapesLabel', 'ids_to_color',
    'label_id_to_train_id_lut', 'render_street_scene', 'render_voc_scene',
    'generate_synthetic_cityscapes', 'generate_synthetic_voc',
    'render_class_scene', 'render_ade20k_scene', 'generate_synthetic_ade20k',
    'render_pascal_context_scene', 'generate_synthetic_pascal_context',
    'GenerateBoundary', 'LoadCheckedAnnotations', 'PadSegFields',
    'PROBLEM_KINDS', 'check_dataset', 'format_check_report',
    'check_label_loaders', 'label_loader_problems', 'bad_label_values',
    'describe_bad_values', 'PLACEMENTS', 'boundary_shares',
    'place_generate_boundary', 'train_pipeline_and_samples',
    'VOC_BORDER_COLOR', 'VOC_CLASSES', 'VOC_IGNORE_INDEX', 'VOC_PALETTE',
    'voc_palette_bytes'
]
