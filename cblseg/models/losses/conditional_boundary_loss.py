# Copyright (c) cblseg contributors. All rights reserved.
"""Conditional Boundary Loss (CBL, Wu et al., TIP 2023), vectorised.

See :func:`conditional_boundary_loss` for the definition and docs/cbl.md for
the differences from the reference implementation.
"""
import numbers
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from cblseg.ops import ignore_aware_one_hot

__all__ = ['conditional_boundary_loss', 'ConditionalBoundaryLoss']

# The reference's constant in m = S / (n + eps).
_MEAN_EPS = 1e-5
# F.cosine_similarity's default eps.
_COS_EPS = 1e-8


def _window_offsets(kernel_size: int):
    """The (dy, dx) offsets of the k x k window without the centre."""
    r = kernel_size // 2
    return [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
            if (dy, dx) != (0, 0)]


def _check_kernel_size(kernel_size) -> int:
    if (isinstance(kernel_size, bool)
            or not isinstance(kernel_size, numbers.Integral)
            or kernel_size < 1 or kernel_size % 2 == 0):
        raise ValueError(
            f'kernel_size must be an odd integer >= 1, got {kernel_size!r}')
    return int(kernel_size)


def _as_label_map(label: Tensor, name: str, batch: int) -> Tensor:
    """(B, 1, H, W) or (B, H, W) integer labels -> (B, 1, H, W)."""
    if not isinstance(label, Tensor):
        raise TypeError(f'{name} must be a torch.Tensor, got {type(label)}')
    if label.is_floating_point() or label.is_complex():
        raise TypeError(f'{name} must be an integer tensor, got {label.dtype}')
    if label.dim() == 3:
        label = label.unsqueeze(1)
    if label.dim() != 4 or label.shape[1] != 1 or label.shape[0] != batch:
        raise ValueError(f'{name} must be (B, 1, H, W) or (B, H, W) with '
                         f'B = {batch}, got shape {tuple(label.shape)}')
    return label


def _resize_nearest(label: Tensor, size: Tuple[int, int]) -> Tensor:
    """``F.interpolate(mode='nearest')`` of a (B, 1, H, W) integer map, as
    int64 (B, h, w). Labels are exact in float32 (|values| < 2**24)."""
    if tuple(label.shape[-2:]) != tuple(size):
        label = F.interpolate(label.float(), size=size, mode='nearest')
    return label[:, 0].long()


def _validate_labels(label: Tensor, num_classes: int,
                     ignore_index: int) -> None:
    """Raise the shared ValueError naming labels outside [0, K) + ignore."""
    wide = label.long()
    invalid = ((wide < 0) | (wide >= num_classes)) & (wide != ignore_index)
    if bool(invalid.any()):
        # Raises ValueError listing the offending values.
        ignore_aware_one_hot(wide, num_classes, ignore_index)
        raise ValueError(  # pragma: no cover (defensive)
            f'label contains values outside [0, {num_classes}) other than '
            f'the ignore index {ignore_index}')


def _zero_like_graph(feats: Tensor) -> Tensor:
    """A scalar 0 that depends on ``feats`` (keeps DDP graphs connected)."""
    return feats.reshape(-1)[:1].sum() * 0.0


def _shift(padded: Tensor, r: int, dy: int, dx: int, h: int,
           w: int) -> Tensor:
    """View of a map padded by r on both spatial sides, shifted by (dy, dx):
    out[..., y, x] = original[..., y + dy, x + dx] (pad value outside)."""
    return padded[..., r + dy:r + dy + h, r + dx:r + dx + w]


def _cosine_map(fn: Tensor, fn_padded: Tensor, r: int, dy: int, dx: int,
                h: int, w: int) -> Tensor:
    return (fn * _shift(fn_padded, r, dy, dx, h, w)).sum(1)


def _context_term(feats: Tensor, label: Tensor, boundary: Tensor,
                  kernel_size: int, ignore_index: int,
                  reference_quirks: bool) -> Tensor:
    """Context term; see :func:`conditional_boundary_loss`."""
    b, _, h, w = feats.shape
    r = kernel_size // 2
    offsets = _window_offsets(kernel_size)
    zero = _zero_like_graph(feats)
    if not offsets:
        return zero
    valid = label != ignore_index
    if reference_quirks:
        centre = boundary & (label != 0)
        has_boundary = centre.flatten(1).any(1)  # images that count
        interior = torch.zeros_like(centre)
        interior[:, r:h - r, r:w - r] = True
        centre = centre & interior
    else:
        centre = boundary
    # Unit-norm features as in F.cosine_similarity (norms clamped at eps);
    # clamping the squared norm keeps the gradient finite at F = 0.
    inv_norm = feats.pow(2).sum(1, keepdim=True).clamp_min(
        _COS_EPS * _COS_EPS).rsqrt()
    fn = feats * inv_norm
    fn_padded = F.pad(fn, (r, r, r, r))
    label_padded = F.pad(label, (r, r, r, r), value=-1)
    sums, counts = [], []
    for dy, dx in offsets:
        nb_label = _shift(label_padded, r, dy, dx, h, w)
        if reference_quirks:
            pair = centre
            target = (nb_label == label) & valid
        else:
            pair = centre & (nb_label >= 0) & (nb_label != ignore_index)
            target = nb_label == label
        cos = _cosine_map(fn, fn_padded, r, dy, dx, h, w)
        err = (cos - target.to(cos.dtype)).pow(2) * pair.to(cos.dtype)
        sums.append(err.flatten(1).sum(1))
        counts.append(pair.flatten(1).sum(1))
    sums = torch.stack(sums, 1)  # (B, offsets)
    counts = torch.stack(counts, 1).to(sums.dtype)
    per_offset = sums / counts.clamp_min(1)
    if reference_quirks:
        interior_count = counts[:, 0]
        if bool((has_boundary & (interior_count == 0)).any()):
            # The reference takes F.mse_loss of empty tensors (NaN) and
            # then returns 0 for the whole batch.
            return zero
        num_images = has_boundary.sum()
        if int(num_images) == 0:
            return zero
        per_image = per_offset.mean(1)
        return (per_image * has_boundary).sum() / num_images + zero
    offset_used = counts > 0
    num_offsets = offset_used.sum(1)
    image_used = num_offsets > 0
    if not bool(image_used.any()):
        return zero
    per_image = (per_offset * offset_used).sum(1) / num_offsets.clamp_min(1)
    return (per_image * image_used).sum() / image_used.sum() + zero


def _class_terms(feats: Tensor, logits: Tensor, label: Tensor,
                 boundary: Tensor, weight: Tensor, bias: Optional[Tensor],
                 kernel_size: int, ignore_index: int) -> Tuple[Tensor, Tensor]:
    """NCE and CN terms; see :func:`conditional_boundary_loss`."""
    b, c, h, w = feats.shape
    k = weight.shape[0]
    r = kernel_size // 2
    zero = _zero_like_graph(feats)
    offsets = _window_offsets(kernel_size)
    if not offsets:
        return zero, zero
    valid = label != ignore_index
    pred = logits.argmax(1)
    correct = (pred == label) & valid
    # W m + b = (W S) / (n + eps) + b: sum the K-channel projections of the
    # neighbours instead of C-channel features.
    proj = torch.einsum('kc,bchw->bkhw', weight, feats)
    proj_padded = F.pad(proj, (r, r, r, r))
    feats_padded = F.pad(feats.detach(), (r, r, r, r))
    label_padded = F.pad(label, (r, r, r, r), value=-1)
    correct_padded = F.pad(correct, (r, r, r, r), value=False)
    s_proj = proj.new_zeros(b, k, h, w)
    s_proj_ok = proj.new_zeros(b, k, h, w)
    num = feats.new_zeros(b, h, w)
    num_ok = feats.new_zeros(b, h, w)
    with torch.no_grad():
        s_feat_ok = feats.new_zeros(b, c, h, w)
    for dy, dx in offsets:
        same = (_shift(label_padded, r, dy, dx, h, w) == label) & valid
        same_ok = same & _shift(correct_padded, r, dy, dx, h, w)
        same_f = same.to(feats.dtype)
        same_ok_f = same_ok.to(feats.dtype)
        nb_proj = _shift(proj_padded, r, dy, dx, h, w)
        s_proj = s_proj + nb_proj * same_f.unsqueeze(1)
        s_proj_ok = s_proj_ok + nb_proj * same_ok_f.unsqueeze(1)
        num = num + same_f
        num_ok = num_ok + same_ok_f
        with torch.no_grad():
            s_feat_ok.addcmul_(
                _shift(feats_padded, r, dy, dx, h, w), same_ok_f.unsqueeze(1))
    set_a = boundary & (num >= 1)
    set_b = boundary & correct & (num_ok >= 1)

    def per_class_ce(s: Tensor, n: Tensor, mask: Tensor):
        target = label[mask]
        logit = s.permute(0, 2, 3, 1)[mask] / (n[mask] + _MEAN_EPS)[:, None]
        if bias is not None:
            logit = logit + bias
        ce = F.cross_entropy(logit, target, reduction='none')
        total = ce.new_zeros(k).index_add(0, target, ce)
        count = torch.bincount(target, minlength=k)
        return total, count

    ce_a, count_a = per_class_ce(s_proj, num, set_a)
    ce_b, count_b = per_class_ce(s_proj_ok, num_ok, set_b)
    target_b = label[set_b]
    feat_b = feats.permute(0, 2, 3, 1)[set_b]
    mean_b = s_feat_ok.permute(0, 2, 3, 1)[set_b] / (
        num_ok[set_b] + _MEAN_EPS)[:, None]
    cn_pix = (feat_b - mean_b).pow(2).mean(1)
    cn_sum = cn_pix.new_zeros(k).index_add(0, target_b, cn_pix)
    counted = (count_a > 0) & (count_b > 0)
    num_counted = int(counted.sum())
    if num_counted == 0:
        return zero, zero
    ca = count_a.clamp_min(1).to(feats.dtype)
    cb = count_b.clamp_min(1).to(feats.dtype)
    nce = ((ce_a / ca + ce_b / cb) * counted).sum() / num_counted
    cn = ((cn_sum / cb) * counted).sum() / num_counted
    return nce + zero, cn + zero


def conditional_boundary_loss(feats: Tensor,
                              logits: Tensor,
                              gt_sem_seg: Tensor,
                              gt_edge_map: Tensor,
                              cls_weight: Tensor,
                              cls_bias: Optional[Tensor] = None,
                              kernel_size: int = 5,
                              ignore_index: int = 255,
                              reference_quirks: bool = False
                              ) -> Dict[str, Tensor]:
    """The three unweighted terms of the Conditional Boundary Loss.

    (Docstring to be completed.)
    """
    kernel_size = _check_kernel_size(kernel_size)
    if feats.dim() != 4:
        raise ValueError(
            f'feats must be (B, C, h, w), got shape {tuple(feats.shape)}')
    b, c, h, w = feats.shape
    if logits.dim() != 4 or logits.shape[0] != b or tuple(
            logits.shape[2:]) != (h, w):
        raise ValueError(f'logits must be (B, K, h, w) = ({b}, K, {h}, {w}) '
                         f'like feats, got shape {tuple(logits.shape)}')
    k = logits.shape[1]
    if cls_weight.dim() == 4:
        if tuple(cls_weight.shape[2:]) != (1, 1):
            raise ValueError('cls_weight must be (K, C) or (K, C, 1, 1), got '
                             f'shape {tuple(cls_weight.shape)}')
        cls_weight = cls_weight.flatten(1)
    if tuple(cls_weight.shape) != (k, c):
        raise ValueError(f'cls_weight must be (K, C) = ({k}, {c}) or '
                         f'(K, C, 1, 1), got shape {tuple(cls_weight.shape)}')
    if cls_bias is not None and tuple(cls_bias.shape) != (k, ):
        raise ValueError(
            f'cls_bias must be (K,) = ({k},), got {tuple(cls_bias.shape)}')
    gt_sem_seg = _as_label_map(gt_sem_seg, 'gt_sem_seg', b)
    gt_edge_map = _as_label_map(gt_edge_map, 'gt_edge_map', b)
    _validate_labels(gt_sem_seg, k, ignore_index)

    with torch.autocast(device_type=feats.device.type, enabled=False):
        # fp16 / bf16 -> fp32; fp64 stays fp64.
        dtype = torch.promote_types(feats.dtype, torch.float32)
        feats = feats.to(dtype)
        logits = logits.detach().to(dtype)
        weight = cls_weight.detach().to(dtype)
        bias = None if cls_bias is None else cls_bias.detach().to(dtype)
        label = _resize_nearest(gt_sem_seg, (h, w))
        boundary = (_resize_nearest(gt_edge_map, (h, w)) == 1) & (
            label != ignore_index)
        context = _context_term(feats, label, boundary, kernel_size,
                                ignore_index, reference_quirks)
        nce, cn = _class_terms(feats, logits, label, boundary, weight, bias,
                               kernel_size, ignore_index)
    return dict(context=context, nce=nce, cn=cn)


@MODELS.register_module()
class ConditionalBoundaryLoss(nn.Module):
    """Conditional Boundary Loss (registry module). Docstring to be
    completed."""

    def __init__(self,
                 loss_weight_context: float = 1.0,
                 loss_weight_nce: float = 0.2,
                 loss_weight_cn: float = 2.0,
                 kernel_size: int = 5,
                 ignore_index: int = 255,
                 reference_quirks: bool = False,
                 loss_name: str = 'loss_cbl') -> None:
        super().__init__()
        self.loss_weight_context = float(loss_weight_context)
        self.loss_weight_nce = float(loss_weight_nce)
        self.loss_weight_cn = float(loss_weight_cn)
        self.kernel_size = _check_kernel_size(kernel_size)
        self.ignore_index = int(ignore_index)
        self.reference_quirks = bool(reference_quirks)
        self._loss_name = loss_name

    def forward(self, feats: Tensor, logits: Tensor, gt_sem_seg: Tensor,
                gt_edge_map: Tensor, cls_weight: Tensor,
                cls_bias: Optional[Tensor]) -> Dict[str, Tensor]:
        terms = conditional_boundary_loss(
            feats,
            logits,
            gt_sem_seg,
            gt_edge_map,
            cls_weight,
            cls_bias,
            kernel_size=self.kernel_size,
            ignore_index=self.ignore_index,
            reference_quirks=self.reference_quirks)
        name = self._loss_name
        return {
            f'{name}_context': self.loss_weight_context * terms['context'],
            f'{name}_nce': self.loss_weight_nce * terms['nce'],
            f'{name}_cn': self.loss_weight_cn * terms['cn'],
        }

    @property
    def loss_name(self) -> str:
        return self._loss_name
