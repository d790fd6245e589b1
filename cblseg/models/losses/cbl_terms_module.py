# Copyright (c) cblseg contributors. All rights reserved.
"""What the registered CBL losses share (weights, window, key prefix)."""
from typing import Dict

import torch.nn as nn
from torch import Tensor

from cblseg.ops.checks import check_int
from .functional.cbl_window import check_kernel_size

__all__ = ['CBLTermsModule']


class CBLTermsModule(nn.Module):
    """What the registered CBL losses share: the three term weights, the
    window, the ignore index, ``reference_quirks`` and the key prefix, and
    the weighting of the terms a functional loss returns. Subclasses give
    their own defaults and ``forward``.

    Args:
        loss_weight_context (float): Weight of the context term.
        loss_weight_nce (float): Weight of the NCE term.
        loss_weight_cn (float): Weight of the CN term.
        kernel_size (int): Odd neighbourhood size ``k``.
        ignore_index (int): Ignored label.
        reference_quirks (bool): The authors' context term.
        loss_name (str): Prefix of the returned keys.
    """

    def __init__(self, loss_weight_context: float, loss_weight_nce: float,
                 loss_weight_cn: float, kernel_size: int, ignore_index: int,
                 reference_quirks: bool, loss_name: str) -> None:
        super().__init__()
        self.loss_weight_context = float(loss_weight_context)
        self.loss_weight_nce = float(loss_weight_nce)
        self.loss_weight_cn = float(loss_weight_cn)
        self.kernel_size = check_kernel_size(kernel_size)
        self.ignore_index = check_int('ignore_index', ignore_index)
        self.reference_quirks = bool(reference_quirks)
        self._loss_name = loss_name

    def weighted(self, terms: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """``{loss_name}_{context,nce,cn}``: each term times its weight."""
        name = self._loss_name
        return {
            f'{name}_context': self.loss_weight_context * terms['context'],
            f'{name}_nce': self.loss_weight_nce * terms['nce'],
            f'{name}_cn': self.loss_weight_cn * terms['cn'],
        }

    @property
    def loss_name(self) -> str:
        """str: The prefix of the returned keys."""
        return self._loss_name

    def extra_repr(self) -> str:
        return (f'loss_weight_context={self.loss_weight_context}, '
                f'loss_weight_nce={self.loss_weight_nce}, '
                f'loss_weight_cn={self.loss_weight_cn}, '
                f'kernel_size={self.kernel_size}, '
                f'ignore_index={self.ignore_index}, '
                f'reference_quirks={self.reference_quirks}, '
                f'loss_name={self._loss_name!r}')
