"""Label converters for the Cityscapes and PASCAL VOC layouts.

Pure array functions (array -> array, plus the unknown values and their
pixel counts), file functions with the skip rule (an output newer than its
input is up to date) and folder walkers returning a
:class:`~cblseg.datasets.label_converters.common.ConversionSummary`. The
command-line tools are ``tools/dataset_converters/cityscapes.py`` and
``tools/dataset_converters/voc.py``.
"""
from .cityscapes import (AMBIGUOUS_COLORS, color_to_train_id_map,
                         color_to_train_ids, convert_cityscapes,
                         convert_cityscapes_file, find_cityscapes_labels,
                         label_id_to_train_id_map, label_ids_to_train_ids)
from .common import (CONVERTED, FAILED, SKIPPED, ColorLookup,
                     ConversionSummary, FileResult, is_up_to_date,
                     run_conversions)
from .voc import (convert_voc, convert_voc_file, load_voc_label, merge_sbd,
                  read_sbd_mat, rgb_to_voc_indices, voc_color_to_index_map)

__all__ = [
    'AMBIGUOUS_COLORS', 'color_to_train_id_map', 'color_to_train_ids',
    'convert_cityscapes', 'convert_cityscapes_file', 'find_cityscapes_labels',
    'label_id_to_train_id_map', 'label_ids_to_train_ids', 'CONVERTED',
    'FAILED', 'SKIPPED', 'ColorLookup', 'ConversionSummary', 'FileResult',
    'is_up_to_date', 'run_conversions', 'convert_voc', 'convert_voc_file',
    'load_voc_label', 'merge_sbd', 'read_sbd_mat', 'rgb_to_voc_indices',
    'voc_color_to_index_map'
]
