# Copyright (c) cblseg contributors. All rights reserved.
"""Label checks and ignore-aware one-hot encodings (numpy and torch).

:func:`check_label_values` is the check of every label tensor the losses,
heads and one-hot encodings see: values outside ``[0, K)`` other than the
ignore index raise a ValueError that lists them.
"""
from typing import Tuple

import numpy as np
import torch
from torch import Tensor

from .checks import check_int, format_values

__all__ = [
    'check_label_values', 'ignore_aware_one_hot', 'ignore_aware_one_hot_numpy'
]


def _invalid_label_error(values,
                         num_classes: int,
                         ignore_index: int,
                         what: str = 'label') -> ValueError:
    return ValueError(
        f'{what} contains values {format_values(values)} that are neither '
        f'a class index in [0, {num_classes}) nor the ignore index '
        f'{ignore_index}')


def _check_label_tensor(label) -> None:
    """An integer H x W, B x H x W or B x 1 x H x W tensor, else raise."""
    if not isinstance(label, Tensor):
        raise TypeError(f'label must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'label must be an integer tensor, got {label.dtype}')
    if label.dim() not in (2, 3, 4) or (label.dim() == 4
                                        and label.shape[1] != 1):
        raise ValueError('label must be H x W, B x H x W or B x 1 x H x W, '
                         f'got shape {tuple(label.shape)}')


def _squeeze_channel(label: Tensor) -> Tensor:
    """Accept ``B x 1 x H x W`` labels (stacked ``gt_sem_seg``)."""
    if label.dim() == 4 and label.shape[1] == 1:
        return label.squeeze(1)
    if label.dim() not in (2, 3):
        raise ValueError('label must be H x W, B x H x W or B x 1 x H x W, '
                         f'got shape {tuple(label.shape)}')
    return label


def _ignore_mask_torch(label: Tensor, ignore_index: int) -> Tensor:
    """``label == ignore_index``, False everywhere when the index does not
    fit ``label``'s dtype (torch would wrap it: uint8 ``x == -1`` is
    ``x == 255``)."""
    if label.dtype == torch.bool:
        return torch.zeros_like(label)
    info = torch.iinfo(label.dtype)
    if not info.min <= ignore_index <= info.max:
        return torch.zeros(label.shape, dtype=torch.bool, device=label.device)
    return label == ignore_index


def _checked_labels(label: Tensor, num_classes: int, ignore_index: int,
                    what: str) -> Tuple[Tensor, Tensor]:
    """``(label, label == ignore_index)`` after :func:`check_label_values`'s
    check (``label`` widened where ``num_classes`` does not fit its dtype;
    bools as uint8)."""
    if not isinstance(label, Tensor):
        raise TypeError(f'{what} must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'{what} must be an integer tensor, got {label.dtype}')
    num_classes = check_int('num_classes', num_classes, 1)
    ignore_index = check_int('ignore_index', ignore_index)
    if label.dtype == torch.bool:
        label = label.to(torch.uint8)
    if num_classes > torch.iinfo(label.dtype).max:
        label = label.long()  # torch would wrap num_classes to the dtype
    ignored = _ignore_mask_torch(label, ignore_index)
    invalid = ((label < 0) | (label >= num_classes)) & ~ignored
    if bool(invalid.any()):
        raise _invalid_label_error(
            torch.unique(label[invalid]).tolist(), num_classes, ignore_index,
            what)
    return label, ignored


def check_label_values(label: Tensor,
                       num_classes: int,
                       ignore_index: int = 255,
                       what: str = 'label') -> None:
    """Raise a ValueError if ``label`` holds values outside ``[0, K)`` other
    than ``ignore_index``, listing them (sorted, the first few).

    One reduction (and, on CUDA, one sync). The check of every label
    tensor the losses, heads and ``ignore_aware_one_hot`` see.

    Args:
        label (Tensor): Integer labels of any shape.
        num_classes (int): Number of classes ``K``.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        what (str): Names the tensor in the message, e.g.
            ``'CBLASPPHead: gt_sem_seg'``. Defaults to ``'label'``.

    Raises:
        ValueError: ``'<what> contains values [...] that are neither a class
            index in [0, K) nor the ignore index <ignore_index>'``.
        TypeError: If ``label`` is not an integer tensor.
    """
    _checked_labels(label, num_classes, ignore_index, what)


def ignore_aware_one_hot(label: Tensor,
                         num_classes: int,
                         ignore_index: int = 255,
                         dtype: torch.dtype = torch.uint8) -> Tensor:
    """One-hot encode labels with ignored pixels all-zero (torch).

    Unlike ``F.one_hot`` this never triggers a device-side assert: labels
    are validated first (one reduction and, on CUDA, one sync).

    Args:
        label (Tensor): Integer labels, ``H x W``, ``B x H x W`` or
            ``B x 1 x H x W``.
        num_classes (int): Number of classes ``K``.
        ignore_index (int): Label of ignored pixels. Defaults to 255.
        dtype (torch.dtype): Output dtype. Defaults to ``torch.uint8``.

    Returns:
        Tensor: ``(B,) K x H x W`` one-hot tensor on ``label``'s device.

    Raises:
        ValueError: If ``label`` holds values outside ``[0, K)`` other than
            ``ignore_index``; the message lists them (sorted, the first few).
    """
    label, ignored = _checked_labels(label, num_classes, ignore_index, 'label')
    label = _squeeze_channel(label)
    ignored = _squeeze_channel(ignored)
    classes = torch.arange(num_classes, device=label.device)
    one_hot = label.unsqueeze(-3) == classes.view(num_classes, 1, 1)
    if 0 <= ignore_index < num_classes:
        one_hot &= ~ignored.unsqueeze(-3)
    return one_hot.to(dtype)


def ignore_aware_one_hot_numpy(label: np.ndarray,
                               num_classes: int,
                               ignore_index: int = 255) -> np.ndarray:
    """One-hot encode a label map, ignored pixels all-zero (numpy twin of
    :func:`ignore_aware_one_hot`).

    Args:
        label (np.ndarray): ``(B,) H x W`` integer label map.
        num_classes (int): Number of classes ``K``.
        ignore_index (int): Label of ignored pixels. Defaults to 255.

    Returns:
        np.ndarray: ``(B,) K x H x W`` uint8 array.

    Raises:
        ValueError: If ``label`` holds values outside ``[0, K)`` other than
            ``ignore_index``; the message lists them.
    """
    label = np.asarray(label)
    num_classes = check_int('num_classes', num_classes, 1)
    if not np.issubdtype(label.dtype, np.integer):
        raise TypeError(f'label must be an integer array, got {label.dtype}')
    invalid = ((label < 0) | (label >= num_classes)) & (label != ignore_index)
    if invalid.any():
        raise _invalid_label_error(
            np.unique(label[invalid]).tolist(), num_classes, ignore_index)
    classes = np.arange(num_classes).reshape(num_classes, 1, 1)
    one_hot = np.expand_dims(label, -3) == classes
    if 0 <= ignore_index < num_classes:
        one_hot &= np.expand_dims(label != ignore_index, -3)
    return one_hot.view(np.uint8)
