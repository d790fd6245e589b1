# Copyright (c) cblseg contributors. All rights reserved.
"""Conditional Boundary Loss for mask classification (Mask2Former,
MaskFormer), vectorised.

:func:`mask_conditional_boundary_loss` computes the three terms as the CBL
authors do for their Mask2Former / MaskFormer models (``forward_withcbl``,
``context_loss`` and ``er_loss`` of ``modeling/criterion.py`` in
dywu98/CBL-Conditional-Boundary-Loss) and
:class:`MaskConditionalBoundaryLoss` wraps it for MMSeg configs. The
definition is in the docstring of :func:`mask_conditional_boundary_loss`;
docs/cbl.md maps it to the per-pixel (OCR) version and lists the
differences from the authors' code (``reference_quirks``).

How it is computed. The context and CN terms are the per-pixel version's
(:mod:`.cbl_window`, with its hand-written backward) applied to the mask
features. The NCE term needs, at each boundary pixel ``p``, the products
``e_q . m(p)`` of the mask embeddings with the mean ``m(p)`` of the
same-label neighbour features. The mask logits ``M_q = e_q . F`` are linear
in ``F``, so ``e_q . m(p)`` is the same-label neighbour mean of the mask
logits: a sparse (pixels x positions) averaging matrix with at most
``k * k - 1`` entries a row, applied to the Q-channel mask logits; nothing
is summed in the feature channels and no per-class tensor is built. The
class scores ``z(p) = sigmoid(e . m(p)) @ l`` are one (N_b x Q) @ (Q x K)
product per image. Autograd differentiates the NCE term.
"""
from typing import Dict, Optional

import torch
from torch import Tensor

from cblseg.ops.checks import check_int
from .cbl_window import (_MEAN_EPS, NeighbourSets, _checked_ground_truth,
                         _label_and_boundary, _neighbour_sets, _window_offsets,
                         check_kernel_size)
from .conditional_boundary_loss import _CBLFunction

__all__ = ['mask_conditional_boundary_loss', 'mask_semantic_prediction']


@torch.no_grad()
def mask_semantic_prediction(mask_logits: Tensor,
                             cls_logits: Tensor) -> Tensor:
    """The predicted class of each pixel of a mask-classification model.

    ``argmax_c sum_q softmax(cls_logits)[q, c] * sigmoid(mask_logits[q])``
    with the last (no-object) column of the softmax dropped, as MMSeg's
    ``Mask2FormerHead.predict`` and the authors' training code compute it.

    Args:
        mask_logits (Tensor): (B, Q, h, w) mask logits.
        cls_logits (Tensor): (B, Q, K + 1) class logits, no-object last.

    Returns:
        Tensor: (B, h, w) int64 classes in ``[0, K)``.
    """
    bsz, queries, h, w = mask_logits.shape
    prob = cls_logits.softmax(-1)[..., :-1]  # (B, Q, K)
    masks = mask_logits.sigmoid().reshape(bsz, queries, h * w)
    sem = torch.bmm(prob.transpose(1, 2), masks)  # (B, K, h*w)
    return sem.argmax(1).view(bsz, h, w)


def _neighbour_mean_matrix(sets: NeighbourSets, pixels: Tensor, offsets,
                           shape) -> Tensor:
    """Sparse (N, B*h*w) matrix whose row ``n`` averages the same-label
    neighbours of boundary pixel ``pixels[n] = (b, y, x)``: entries
    ``1 / (n(p) + eps)`` (the reference's ``S / (n + 1e-5)``)."""
    bsz, h, w = shape
    b, y, x = pixels.unbind(1)
    rows, cols = [], []
    row_ids = torch.arange(len(b), device=b.device)
    for (dy, dx), maps in zip(offsets, sets.same_maps):
        if maps is None:
            continue
        same = maps[0][b, y, x] > 0  # a same-label neighbour inside the map
        rows.append(row_ids[same])
        cols.append(((b * h + y + dy) * w + x + dx)[same])
    rows, cols = torch.cat(rows), torch.cat(cols)
    inv_num = 1.0 / (sets.num[b, y, x] + _MEAN_EPS)
    vals = inv_num[rows]
    # (the indices are in range by construction)
    return torch.sparse_coo_tensor(
        torch.stack([rows, cols]),
        vals, (len(b), bsz * h * w),
        check_invariants=False).coalesce()


class _PositionMajor(torch.autograd.Function):
    """(B, Q, h, w) -> (B * h * w, Q), whose backward returns a contiguous
    (B, Q, h, w) gradient. A permuted gradient would be accepted by
    autograd, but when it is the first to reach the head's mask logits the
    accumulated gradient keeps its strides, and the head's einsum backward
    then rounds differently: with the CBL weights at 0 MMSeg's gradients
    would no longer be reproduced bit for bit."""

    @staticmethod
    def forward(ctx, mask_logits):
        bsz, queries, h, w = mask_logits.shape
        ctx.shape = mask_logits.shape
        return mask_logits.permute(0, 2, 3, 1).reshape(bsz * h * w, queries)

    @staticmethod
    def backward(ctx, grad):
        bsz, queries, h, w = ctx.shape
        return grad.reshape(bsz, h, w, queries).permute(0, 3, 1,
                                                        2).contiguous()


def _mask_nce(mask_logits: Tensor, cls_logits: Tensor, sets: NeighbourSets,
              offsets) -> Tensor:
    """The class-balanced mean over ``A`` of ``CE(z(m(p)), L(p))`` with
    ``z_c(m) = sum_q l[q, c] sigmoid(e_q . m)`` (see the public function)."""
    bsz, queries, h, w = mask_logits.shape
    keep = sets.pix_weight_a > 0  # pixels of classes that count
    pixels = sets.set_a.nonzero()[keep]
    target, pix_weight = sets.target_a[keep], sets.pix_weight_a[keep]
    mean_op = _neighbour_mean_matrix(sets, pixels, offsets, (bsz, h, w))
    flat = _PositionMajor.apply(mask_logits)
    # e_q . m(p) = (same-label neighbour mean of M_q)(p)
    act = torch.sparse.mm(mean_op, flat).sigmoid()  # (N, Q)
    # z = act @ l per image (pixels are in image order: nonzero() order)
    per_image = torch.bincount(pixels[:, 0], minlength=bsz).tolist()
    scores = torch.cat([
        part @ cls_logits[i] for i, part in enumerate(act.split(per_image))
        if per_image[i]
    ])
    nll = -torch.log_softmax(scores, 1).gather(1, target[:, None])[:, 0]
    return (pix_weight * nll).sum()


def mask_conditional_boundary_loss(
        mask_feats: Tensor,
        mask_embed: Tensor,
        cls_logits: Tensor,
        gt_sem_seg: Tensor,
        gt_edge_map: Tensor,
        mask_logits: Optional[Tensor] = None,
        kernel_size: int = 5,
        ignore_index: int = 255,
        reference_quirks: bool = False,
        check_labels: bool = True) -> Dict[str, Tensor]:
    """The three unweighted terms of the CBL for mask classification.

    Definition (default mode), for the last transformer-decoder layer.
    ``F`` = ``mask_feats`` (the pixel decoder's mask features, stride 4),
    ``e_q`` = ``mask_embed[b, q]``, ``l`` = ``cls_logits[b, :, :K]`` (the
    raw class logits without the no-object column), ``M_q = e_q . F`` the
    mask logits. ``L``, ``E`` are the labels and boundary map resized to the
    mask size with ``F.interpolate(mode='nearest')``; the prediction is
    :func:`mask_semantic_prediction` (no gradient). Boundary pixels, the
    window ``N(p)``, ``S_c``, ``n_c``, ``S'_c``, ``n'_c``, ``A_c``,
    ``A'_c``, ``m``, ``m'`` and the counted classes are those of
    :func:`~cblseg.models.losses.conditional_boundary_loss`.

    1. ``context``: as in the per-pixel version, on ``F``.
    2. ``NCE_c = mean_{p in A_c} CE(z(m(p)), c)`` with the class scores
       ``z_c(m) = sum_q l[q, c] * sigmoid(e_q . m)`` of the image of ``p``
       (no softmax on ``l``; ``l`` and ``e`` are not detached, so the term
       trains the queries too). One cross-entropy, on the mean of *all*
       same-label neighbours: the per-pixel version adds a second one on
       ``m'``; the authors' mask-classification code has only this one.
    3. ``CN_c``: as in the per-pixel version, on ``F``.

    ``nce`` / ``cn`` are the means over the counted classes. Every term is
    0 when nothing counts and still connected to the inputs' graph.
    ``reference_quirks=True`` computes the context term as the authors'
    ``context_loss`` does (the same quirks as the per-pixel version: class
    0 is never a centre, centres within ``k // 2`` of the border are
    skipped, ignore-labelled neighbours are pairs with target 0, and an
    image whose class > 0 boundary pixels are all in the border band makes
    the whole batch's term 0). Other differences from the authors' code,
    in both modes (docs/cbl.md): one ``kernel_size`` for all terms (theirs
    hard-codes 5 and D = 256 for NCE / CN), float32 with autocast disabled
    (theirs runs under AMP), zero terms connected to the graph (theirs are
    constants), only boundary value 1 is boundary (theirs: anything but 0
    and 255), and out-of-range labels raise a ValueError.

    Computed in float32 (float64 stays float64) with autocast disabled; no
    Python loop over pixels or classes (loops over the window offsets and,
    for one small matrix product, the images).

    Args:
        mask_feats (Tensor): Mask features ``F``, (B, D, h, w).
        mask_embed (Tensor): The last layer's mask embeddings, (B, Q, D).
        cls_logits (Tensor): The last layer's class logits, (B, Q, K + 1),
            the no-object class last.
        gt_sem_seg (Tensor): Labels (B, 1, H, W) or (B, H, W), values in
            ``[0, K)`` or ``ignore_index``.
        gt_edge_map (Tensor): ``GenerateBoundary`` map of the same shape;
            values other than 1 are non-boundary.
        mask_logits (Tensor, optional): The last layer's mask logits
            ``einsum('bqd,bdhw->bqhw', mask_embed, mask_feats)``, (B, Q, h,
            w), if the caller has them (MMSeg's heads do): they are used
            instead of being recomputed, and the NCE gradient reaches
            ``mask_embed`` and ``mask_feats`` through the caller's graph.
            Defaults to None (computed here).
        kernel_size (int): Odd window size ``k``. Defaults to 5.
        ignore_index (int): Ignored label. Defaults to 255.
        reference_quirks (bool): The authors' context term (see above).
            Defaults to False.
        check_labels (bool): Check that ``gt_sem_seg`` holds only classes
            and ``ignore_index`` (one reduction; one sync on CUDA), raising
            the ValueError below. The CBL heads pass False: they check the
            labels once per step, before the decode loss. With False,
            invalid labels give undefined results. Defaults to True.

    Returns:
        dict[str, Tensor]: 0-dim tensors ``context``, ``nce`` and ``cn``,
        unweighted.

    Raises:
        ValueError: On shape mismatches, an invalid ``kernel_size``, or
            labels that are neither in ``[0, K)`` nor ``ignore_index``.
    """
    kernel_size = check_kernel_size(kernel_size)
    ignore_index = check_int('ignore_index', ignore_index)
    for name, value, dim in (('mask_feats', mask_feats, 4),
                             ('mask_embed', mask_embed, 3), ('cls_logits',
                                                             cls_logits, 3)):
        if not isinstance(value, Tensor) or value.dim() != dim:
            raise ValueError(f'{name} must be a {dim}-d tensor, got '
                             f'{getattr(value, "shape", type(value))}')
    bsz, dims, h, w = mask_feats.shape
    queries = mask_embed.shape[1]
    if tuple(mask_embed.shape) != (bsz, queries, dims):
        raise ValueError(f'mask_embed must be (B, Q, D) = ({bsz}, Q, {dims}) '
                         f'like mask_feats (B, D, h, w), got shape '
                         f'{tuple(mask_embed.shape)}')
    if cls_logits.shape[:2] != (bsz, queries) or cls_logits.shape[2] < 2:
        raise ValueError(
            f'cls_logits must be (B, Q, K + 1) = ({bsz}, {queries}, K + 1) '
            'with the no-object class last, K >= 1, got shape '
            f'{tuple(cls_logits.shape)}')
    if mask_logits is not None and tuple(
            mask_logits.shape) != (bsz, queries, h, w):
        raise ValueError(
            f'mask_logits must be (B, Q, h, w) = ({bsz}, {queries}, {h}, '
            f'{w}), got shape {tuple(mask_logits.shape)}')
    num_classes = cls_logits.shape[2] - 1
    gt_sem_seg, gt_edge_map = _checked_ground_truth(gt_sem_seg, gt_edge_map,
                                                    bsz, num_classes,
                                                    ignore_index, check_labels)

    with torch.autocast(device_type=mask_feats.device.type, enabled=False):
        dtype = torch.promote_types(mask_feats.dtype, torch.float32)
        feats = mask_feats.to(dtype).contiguous()
        cls_logits = cls_logits.to(dtype)
        if mask_logits is None:
            mask_logits = torch.einsum('bqd,bdhw->bqhw', mask_embed.to(dtype),
                                       feats)
        mask_logits = mask_logits.to(dtype)
        label, boundary = _label_and_boundary(gt_sem_seg, gt_edge_map, (h, w),
                                              ignore_index)
        pred = mask_semantic_prediction(mask_logits, cls_logits)
        # context and CN: the per-pixel machinery (no classifier)
        context, _, cn = _CBLFunction.apply(feats, pred, label, boundary, None,
                                            None, kernel_size, ignore_index,
                                            bool(reference_quirks),
                                            num_classes)
        offsets = _window_offsets(kernel_size)
        sets = None
        if offsets:
            sets = _neighbour_sets(label, pred, boundary, offsets,
                                   ignore_index, num_classes, dtype)
        if sets is None:
            # 0, still connected to the queries' graph (DDP)
            nce = (mask_logits.sum() + cls_logits.sum()) * 0
        else:
            nce = _mask_nce(mask_logits, cls_logits[..., :-1], sets, offsets)
    return dict(context=context, nce=nce, cn=cn)
