# Copyright (c) cblseg contributors. All rights reserved.
"""What :func:`~cblseg.evaluation.model_comparison.compare_models` returns
(:class:`ComparisonResult`, one :class:`ModelResult` per model) and its
written forms: the tool's ``comparison.md`` (:func:`format_markdown`) and
``comparison.json`` (:func:`comparison_dict`, :func:`write_json`). The
pictures are drawn by
:func:`cblseg.visualization.comparison_pictures.save_comparison_pictures`.
"""
import json
import os
import os.path as osp
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from .functional.boundary_counts import count_row_names
from .metrics.boundary_iou_metric import json_float, per_class_dict

__all__ = [
    'TABLE_KEYS', 'ModelResult', 'ComparisonResult', 'table_keys',
    'format_markdown', 'comparison_dict', 'write_json'
]

#: Summary keys in the Markdown table, in this order. ``mDice`` and
#: ``mFscore`` are there when the metric's ``iou_metrics`` asks for them;
#: ``mBF@<t>px`` stands for the boundary F-score keys, one column per
#: tolerance (``mBF@3px``) or, with ``bf_protocol='per_image'``, per ratio of
#: the diagonal (``mBF@0.005diag``). The JSON has every key.
TABLE_KEYS = ('aAcc', 'microIoU', 'mIoU', 'mDice', 'mFscore', 'fwIoU', 'mBIoU',
              'mBF@<t>px')
# Table keys shown only when the models' summaries have them.
_OPTIONAL_KEYS = ('mDice', 'mFscore')


@dataclass
class ModelResult:
    """The scores of one model.

    Attributes:
        name (str): Model name (column title, table row).
        config (str): Config file.
        checkpoint (str): Checkpoint file.
        summary (dict): ``BoundaryIoUMetric``'s summary (percent, 2
            decimals).
        per_class (dict): Per-class arrays of fractions (``IoU``, ``Acc``,
            ``BIoU``, ``BF@<t>px``, ``BP@<t>px``, ``BR@<t>px``), NaN where
            undefined.
        counts (np.ndarray): The summed ``R x K`` count matrix.
        seconds (float): Inference and scoring time.
    """
    name: str
    config: str
    checkpoint: str
    summary: Dict[str, float]
    per_class: Dict[str, np.ndarray]
    counts: np.ndarray
    seconds: float


@dataclass
class ComparisonResult:
    """Everything the comparison found.

    Attributes:
        models (list[ModelResult]): In the order given.
        classes (list[str]): The dataset's class names.
        palette (list): The dataset's RGB palette.
        data_config (str): Config whose ``test_dataloader`` was used.
        num_images (int): Images evaluated.
        settings (dict): The metric's settings (every key of
            ``METRIC_SETTINGS``, as the metric resolved them) and the
            device.
        samples (list[dict]): Per picture sample: ``index``, ``img_path``,
            ``stem``, ``image`` (RGB), ``gt``, ``radius`` (the metric's band
            radius at the image size) and ``predictions`` (one per model).
        picture_paths (list[str]): Filled in by
            :func:`cblseg.visualization.comparison_pictures.
            save_comparison_pictures`.
    """
    models: List[ModelResult]
    classes: List[str]
    palette: List
    data_config: str
    num_images: int
    settings: Dict
    samples: List[Dict] = field(default_factory=list)
    picture_paths: List[str] = field(default_factory=list)


def table_keys(result: ComparisonResult) -> List[str]:
    """The summary keys of the Markdown table (:data:`TABLE_KEYS` with the
    boundary F-score keys of the summaries, the optional keys only when
    the summaries have them), in order."""
    summary = result.models[0].summary if result.models else {}
    keys = []
    for key in TABLE_KEYS:
        if key == 'mBF@<t>px':
            keys += [k for k in summary if k.startswith('mBF@')]
        elif key not in _OPTIONAL_KEYS or key in summary:
            keys.append(key)
    return keys


def _format_value(value: float) -> str:
    return 'n/a' if value is None or value != value else f'{value:.2f}'


def _markdown_cell(text: str) -> str:
    return str(text).replace('|', '\\|')


def _band_description(settings: Dict) -> str:
    if settings['radius'] is not None:
        return f"{settings['radius']} px"
    dilation = 0.02 if settings['dilation'] is None else settings['dilation']
    return f'{dilation} of the image diagonal'


def _fscore_description(settings: Dict) -> str:
    if settings.get('bf_protocol', 'counts') == 'per_image':
        ratios = ', '.join(str(r) for r in settings['bf_tolerance_ratios'])
        return ('boundary F-scores per image (GSCNN / SegFix) at '
                f'tolerances {ratios} of the image diagonal')
    tolerances = ', '.join(str(t) for t in settings['tolerances']) or 'none'
    return f'boundary F-score tolerances {tolerances} px'


def format_markdown(result: ComparisonResult,
                    base_dir: Optional[str] = None) -> str:
    """``comparison.md``: a description, the table (one row per model,
    values in percent, the best of each column in bold when there are
    several models), the files of each model and the pictures.

    Args:
        result (ComparisonResult): What :func:`compare_models` returned.
        base_dir (str, optional): Folder the Markdown file goes to: the
            pictures are then embedded as images with paths relative to it
            (so the file shows them in a Markdown viewer); without it they
            are listed as paths.

    Returns:
        str: The Markdown text.
    """
    keys = table_keys(result)
    settings = result.settings
    lines = [
        '# Model comparison', '',
        f'{result.num_images} images of the test data of '
        f'`{result.data_config}`. Values in percent (docs/metrics.md); '
        f'boundary band radius {_band_description(settings)}, '
        f'{_fscore_description(settings)}, ignore index '
        f"{settings['ignore_index']}.", ''
    ]
    best = {}
    if len(result.models) > 1:
        for key in keys:
            values = [
                model.summary.get(key) for model in result.models
                if model.summary.get(key) == model.summary.get(key)
                and model.summary.get(key) is not None
            ]
            if values:
                best[key] = max(values)
    lines.append('| model | ' + ' | '.join(keys) + ' |')
    lines.append('| --- |' + ' ---: |' * len(keys))
    for model in result.models:
        cells = []
        for key in keys:
            value = model.summary.get(key)
            text = _format_value(value)
            if key in best and value == best[key]:
                text = f'**{text}**'
            cells.append(text)
        lines.append(f'| {_markdown_cell(model.name)} | ' + ' | '.join(cells) +
                     ' |')
    lines += ['', 'Models:', '']
    for model in result.models:
        lines.append(f'- {_markdown_cell(model.name)}: config '
                     f'`{model.config}`, checkpoint `{model.checkpoint}`')
    if result.picture_paths:
        lines += [
            '', 'Pictures (image | ground truth | each model; cyan: '
            'prediction wrong in the ground-truth boundary band):', ''
        ]
        for path in result.picture_paths:
            if base_dir is None:
                lines.append(f'- `{path}`')
            else:
                relative = osp.relpath(path, base_dir).replace(os.sep, '/')
                stem = osp.splitext(osp.basename(path))[0]
                lines += [f'![{stem}]({relative})', '']
    return '\n'.join(lines).rstrip('\n') + '\n'


def comparison_dict(result: ComparisonResult) -> 'OrderedDict':
    """The JSON content: settings, data, table keys and per model its files,
    full summary (percent), per-class values (fractions, as
    ``tools/eval_boundary.py``'s report) and summed counts."""
    models = []
    for model in result.models:
        models.append(
            OrderedDict(
                name=model.name,
                config=model.config,
                checkpoint=model.checkpoint,
                summary=OrderedDict((key, json_float(value))
                                    for key, value in model.summary.items()),
                per_class=per_class_dict(model.per_class, result.classes),
                counts=OrderedDict(
                    (row, values.tolist()) for row, values in zip(
                        count_row_names(result.settings['tolerances']),
                        model.counts)),
                seconds=model.seconds))
    return OrderedDict(
        table_keys=table_keys(result),
        data=OrderedDict(
            config=result.data_config,
            split='test',
            num_images=result.num_images,
            classes=list(result.classes)),
        settings=OrderedDict(result.settings, distance='chebyshev'),
        models=models,
        pictures=list(result.picture_paths))


def write_json(result: ComparisonResult, path: str) -> None:
    """Write :func:`comparison_dict` as JSON (NaN as null)."""
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'w') as file:
        json.dump(comparison_dict(result), file, indent=2)
        file.write('\n')
