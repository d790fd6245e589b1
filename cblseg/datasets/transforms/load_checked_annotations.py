# Copyright (c) cblseg contributors. All rights reserved.
import mmcv
import numpy as np
from mmengine import fileio
from mmseg.datasets.transforms import LoadAnnotations
from mmseg.registry import TRANSFORMS

from cblseg.datasets.label_values import bad_label_values, describe_bad_values
from cblseg.ops.checks import check_int

# What decoding a broken file raises: PIL's OSError ("image file is
# truncated", UnidentifiedImageError) or SyntaxError, a missing file's
# FileNotFoundError, OpenCV's None (a ValueError below), numpy's ValueError.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, AttributeError, EOFError)
_HINT = ('tools/check_dataset.py CONFIG lists every such file of a config\'s '
         'datasets')


@TRANSFORMS.register_module()
class LoadCheckedAnnotations(LoadAnnotations):
    """MMSeg's ``LoadAnnotations`` that names the label file it cannot use.

    Loads the label exactly as ``LoadAnnotations`` does (``label_map``,
    ``reduce_zero_label``), then checks it, so that a bad file stops the run
    here, naming the file, before any loss or metric sees it:

    - a file that cannot be read or decoded (missing, truncated, not an
      image) raises ``OSError`` naming ``seg_map_path`` and the cause;
    - a value outside ``[0, num_classes)`` that is not ``ignore_index``
      (after ``label_map`` and ``reduce_zero_label``) raises ``ValueError``
      naming ``seg_map_path``, the values and their pixel counts. Without
      the check, cross-entropy stops with ``IndexError: Target 40 is out of
      bounds`` (a device-side assert on CUDA), and a metric counts the
      pixels nowhere or fails, naming no file.

    A transform, not a check in the heads or the metric, because the label
    passes through it in training, validation and testing alike, for every
    model (MMSeg's own heads included), and it knows the file.

    Required Keys:

    - seg_map_path (str, optional): without it (inference on an image) the
      transform does nothing
    - reduce_zero_label (bool), seg_fields (list), label_map (optional),
      as the dataset provides them

    Added Keys:

    - gt_seg_map (np.uint8)
    - seg_fields (``'gt_seg_map'`` appended)

    Args:
        num_classes (int): Number of classes ``K`` of the dataset (19 for
            Cityscapes, 21 for Pascal VOC); the classes of the dataset's
            metainfo, which ``tools/train.py``, ``tools/test.py`` and
            ``tools/check_dataset.py`` check against.
        ignore_index (int): The label of ignored pixels, allowed besides the
            classes. Defaults to 255 (MMSeg's).
        **kwargs: ``LoadAnnotations``'s arguments (``reduce_zero_label``,
            ``backend_args``, ``imdecode_backend``).
    """

    def __init__(self,
                 num_classes: int,
                 ignore_index: int = 255,
                 **kwargs) -> None:
        num_classes = check_int(
            'num_classes', num_classes, 1, hint="the dataset's classes")
        ignore_index = check_int('ignore_index', ignore_index)
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def read_label(self, results: dict) -> np.ndarray:
        """The label of ``results['seg_map_path']`` as ``LoadAnnotations``
        loads it, without the check of its values.

        The steps are MMSeg's (decode unchanged, drop a channel axis, uint8,
        ``reduce_zero_label``, then ``label_map``; tested equal on valid
        files), with checks in between: MMSeg's cast to uint8 would turn a
        16-bit value 300 into class 44 without a word, and its
        ``squeeze()`` a 1 x W label into a vector (here it stays 1 x W).

        Raises:
            OSError: If the file cannot be read or decoded.
            ValueError: If it does not decode to a 2D map of integers that
                fit in uint8, or ``reduce_zero_label`` contradicts the
                dataset's.
        """
        path = results['seg_map_path']
        try:
            data = fileio.get(path, backend_args=self.backend_args)
            label = mmcv.imfrombytes(
                data, flag='unchanged', backend=self.imdecode_backend)
            if label is None:  # OpenCV's answer to undecodable bytes
                raise ValueError('the decoder returned no image')
        except _DECODE_ERRORS as err:
            raise OSError(f'cannot read or decode the label file {path}: '
                          f'{type(err).__name__}: {err}. Replace or remove '
                          f'the file; {_HINT}.') from err
        if label.ndim == 3 and label.shape[2] == 1:
            # MMSeg squeezes every axis, which turns a 1 x W label into a
            # vector; only a single channel axis goes here
            label = label[..., 0]
        if label.ndim != 2 or not np.issubdtype(label.dtype, np.integer):
            raise ValueError(
                f'label file {path} decodes to a {label.dtype} array of '
                f'shape {label.shape}, not a map of class indices (a colour '
                'image? labels are single-channel class indices; see '
                'tools/dataset_converters/)')
        if label.dtype != np.uint8:
            wide = bad_label_values(label, 256, ignore_index=-1)
            if wide:
                raise ValueError(
                    f'label file {path} ({label.dtype}) has values that do '
                    f'not fit in uint8: {describe_bad_values(wide)}. MMSeg '
                    f'loads labels as uint8; {_HINT}.')
            label = label.astype(np.uint8)
        if self.reduce_zero_label is None:
            self.reduce_zero_label = results['reduce_zero_label']
        if self.reduce_zero_label != results['reduce_zero_label']:
            raise ValueError(
                f'LoadCheckedAnnotations(reduce_zero_label='
                f'{self.reduce_zero_label}) but the dataset has '
                f'reduce_zero_label={results["reduce_zero_label"]}: set it '
                'on the dataset only')
        if self.reduce_zero_label:
            # 0 -> ignore (255), v -> v - 1, in uint8 without wrapping
            label = np.where(label == 0, np.uint8(255), label - np.uint8(1))
            label[label == 254] = 255
        if results.get('label_map') is not None:
            source = label.copy()
            for old_id, new_id in results['label_map'].items():
                label[source == old_id] = new_id
        return label

    def transform(self, results: dict) -> dict:
        """Load and check the label; without ``seg_map_path`` (inference on
        an image: MMSeg's ``inference_model`` and ``MMSegInferencer`` drop
        ``LoadAnnotations`` from the test pipeline by its type name only),
        there is no label and ``results`` pass unchanged."""
        if results.get('seg_map_path') is None:
            return results
        return super().transform(results)

    def _load_seg_map(self, results: dict) -> None:
        """Load ``gt_seg_map`` (:meth:`read_label`) and check its values.

        Raises:
            OSError: If the label file cannot be read or decoded.
            ValueError: If it holds a value that is neither a class nor
                ``ignore_index``, or cannot be a label (:meth:`read_label`).
        """
        label = self.read_label(results)
        bad = bad_label_values(label, self.num_classes, self.ignore_index)
        if bad:
            reduced = (' after reduce_zero_label (0 -> ignore, v -> v - 1)'
                       if self.reduce_zero_label else '')
            raise ValueError(
                f'label file {results["seg_map_path"]} has values outside '
                f'the {self.num_classes} classes [0, {self.num_classes - 1}]'
                f' and the ignore index {self.ignore_index}{reduced}: '
                f'{describe_bad_values(bad)}. Fix the file (or its '
                'conversion), or set num_classes / ignore_index of '
                f'LoadCheckedAnnotations to the dataset\'s; {_HINT}.')
        results['gt_seg_map'] = label
        results['seg_fields'].append('gt_seg_map')

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index}, '
                f'reduce_zero_label={self.reduce_zero_label}, '
                f"imdecode_backend='{self.imdecode_backend}', "
                f'backend_args={self.backend_args})')
