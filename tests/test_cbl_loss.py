# Copyright (c) cblseg contributors. All rights reserved.
"""Exactness tests of the Conditional Boundary Loss.

``conditional_boundary_loss`` is compared, in float64, with

* ``loop_cbl``: a plain per-image / per-class / per-offset / per-pixel loop
  written from the definition in docs/cbl.md (both modes), and
* ``reference_structured_cbl``: the algorithm of the reference
  ``New_ER5OCRHead.context_loss`` / ``er_loss`` (one-hot to 256 channels,
  per-class depthwise neighbour sums, per-image loops over gathered
  boundary positions, NaN -> 0), re-written here for ``reference_quirks``.
"""
import importlib

import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

from cblseg.models.losses import (ConditionalBoundaryLoss,
                                  conditional_boundary_loss)
from cblseg.ops import label_to_boundary
from helpers.cbl_oracle import (EPS, IGNORE, TERMS, loop_cbl, make_inputs,
                                resize_label)

# Tiny tensors: intra-op threads only add synchronisation (costly on a busy
# machine).
pytestmark = pytest.mark.usefixtures('one_torch_thread')


# --------------------------------------------------------------------------
# Oracles
# --------------------------------------------------------------------------
def reference_structured_cbl(feats, logits, gt_sem_seg, gt_edge_map, weight,
                             bias, k):
    """The reference code's algorithm (ignore index 255), re-written."""
    bsz, channels, h, w = feats.shape
    num_classes = logits.shape[1]
    r = k // 2
    label = resize_label(gt_sem_seg, (h, w))
    edge = resize_label(gt_edge_map, (h, w))
    one_hot = F.one_hot(label, 256)[..., :num_classes].permute(0, 3, 1, 2)

    # context_loss: boundary mask times label (class 0 drops out)
    edge_no_ignore = edge.masked_fill(edge == 255, 0)
    centre_mask = edge_no_ignore * label.masked_fill(label == 255, 0)
    total = feats.new_zeros(())
    images = bsz
    for i in range(bsz):
        if (centre_mask[i] > 0).sum() < 1:
            images -= 1
            continue
        ys, xs = torch.where(centre_mask[i] > 0)
        keep = (ys >= r) & (ys <= h - 1 - r) & (xs >= r) & (xs <= w - 1 - r)
        ys, xs = ys[keep], xs[keep]
        pixel_feats = feats[i].permute(1, 2, 0)
        hot = one_hot[i].permute(1, 2, 0)
        per_image = feats.new_zeros(())
        shifts = [(ki - r, kj - r) for ki in range(k) for kj in range(k)
                  if not ki == kj == r]
        for dy, dx in shifts:
            sim = F.cosine_similarity(
                pixel_feats[ys, xs], pixel_feats[ys + dy, xs + dx], dim=1)
            tgt = (hot[ys, xs] * hot[ys + dy, xs + dx]).sum(-1)
            per_image = per_image + F.mse_loss(sim, tgt.to(sim.dtype))
        total = total + per_image / len(shifts)
    context = total / images
    if torch.isnan(context):
        context = feats.sum() * 0  # the reference returns a constant 0

    # er_loss: per-class depthwise neighbour sums
    classes = [c for c in gt_sem_seg.unique().tolist() if c != 255]
    pred_hot = F.one_hot(logits.argmax(1), num_classes).permute(0, 3, 1, 2)
    kernel = torch.ones(1, 1, k, k, dtype=feats.dtype)
    kernel[0, 0, r, r] = 0
    edge_mask = edge_no_ignore.bool()
    nce_total = feats.new_zeros(())
    cn_total = feats.new_zeros(())
    counted = len(classes)
    for c in classes:
        cls = one_hot[:, c]
        ok = cls * pred_hot[:, c]
        nb = F.conv2d(
            feats * cls[:, None],
            kernel.expand(channels, 1, k, k),
            padding=r,
            groups=channels)
        nb_ok = F.conv2d(
            feats * ok[:, None],
            kernel.expand(channels, 1, k, k),
            padding=r,
            groups=channels)
        cnt = F.conv2d(cls[:, None].to(feats.dtype), kernel, padding=r)[:, 0]
        cnt_ok = F.conv2d(ok[:, None].to(feats.dtype), kernel, padding=r)[:, 0]
        mask = (cnt >= 1) & edge_mask & cls.bool()
        mask_ok = (cnt_ok >= 1) & edge_mask & ok.bool()
        if mask.sum() < 1 or mask_ok.sum() < 1:
            counted -= 1
            continue
        mean = (nb / (cnt[:, None] + EPS)).permute(0, 2, 3, 1)
        mean_ok = (nb_ok / (cnt_ok[:, None] + EPS)).permute(0, 2, 3, 1)
        wt = weight.detach().reshape(num_classes, channels)
        bs = bias.detach() if bias is not None else None
        z = F.linear(mean[mask], wt, bs)
        z_ok = F.linear(mean_ok[mask_ok], wt, bs)
        nce_total = nce_total + F.cross_entropy(z, torch.full(
            (len(z), ), c)) + F.cross_entropy(z_ok, torch.full(
                (len(z_ok), ), c))
        cn_total = cn_total + F.mse_loss(
            feats.permute(0, 2, 3, 1)[mask_ok], mean_ok[mask_ok].detach())
    if not counted:
        nce_total = cn_total = feats.sum() * 0
    else:
        nce_total = nce_total / counted
        cn_total = cn_total / counted
    return dict(context=context, nce=nce_total, cn=cn_total)


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------
def _grads(terms, feats):
    out = {}
    for name in TERMS:
        grad, = torch.autograd.grad(
            terms[name], feats, retain_graph=True, allow_unused=True)
        out[name] = torch.zeros_like(feats) if grad is None else grad
    return out


def _assert_same(ours, theirs, feats_ours, feats_theirs):
    for name in TERMS:
        torch.testing.assert_close(
            ours[name].detach(),
            theirs[name].detach().to(ours[name].dtype),
            rtol=1e-5,
            atol=1e-12,
            msg=f'{name} value')
    g_ours = _grads(ours, feats_ours)
    g_theirs = _grads(theirs, feats_theirs)
    for name in TERMS:
        torch.testing.assert_close(
            g_ours[name],
            g_theirs[name],
            rtol=1e-5,
            atol=1e-12,
            msg=f'{name} gradient')


def _run_both(inputs, oracle, **kwargs):
    feats, logits, gt, edge, weight, bias = inputs
    f1 = feats.clone().requires_grad_()
    f2 = feats.clone().requires_grad_()
    quirks = kwargs.get('reference_quirks', False)
    k = kwargs.get('kernel_size', 5)
    ours = conditional_boundary_loss(f1, logits, gt, edge, weight, bias,
                                     **kwargs)
    if oracle is loop_cbl:
        theirs = loop_cbl(
            f2, logits, gt, edge, weight, bias, k, reference_quirks=quirks)
    else:
        theirs = oracle(f2, logits, gt, edge, weight, bias, k)
    return ours, theirs, f1, f2


# --------------------------------------------------------------------------
# Exactness
# --------------------------------------------------------------------------
@pytest.mark.parametrize('quirks', [False, True])
@pytest.mark.parametrize('k', [3, 5, 7])
def test_matches_loop_definition(k, quirks):
    inputs = make_inputs(seed=k + 10 * quirks)
    ours, theirs, f1, f2 = _run_both(
        inputs, loop_cbl, kernel_size=k, reference_quirks=quirks)
    for name in TERMS:  # the inputs exercise every term
        assert float(theirs[name].detach()) > 0, name
    _assert_same(ours, theirs, f1, f2)
    if quirks:  # and the quirks matter on them
        default = conditional_boundary_loss(
            *inputs, kernel_size=k, reference_quirks=False)
        assert abs(
            float(default['context']) - float(ours['context'].detach())) > 1e-3


@pytest.mark.parametrize('quirks', [False, True])
@pytest.mark.parametrize('shape', [(1, 1, 2, 3, 4, 7), (3, 3, 5, 5, 2, 3),
                                   (1, 4, 3, 8, 8, 9), (2, 2, 1, 6, 7, 5)])
def test_odd_shapes(shape, quirks):
    """Any B, C, K and odd k, windows larger than the map, K = 1."""
    bsz, channels, num_classes, h, w, k = shape
    inputs = make_inputs(
        seed=sum(shape),
        bsz=bsz,
        channels=channels,
        num_classes=num_classes,
        h=h,
        w=w,
        ignore=h > 5)
    ours, theirs, f1, f2 = _run_both(
        inputs, loop_cbl, kernel_size=k, reference_quirks=quirks)
    _assert_same(ours, theirs, f1, f2)


def test_gpu_code_path_on_cpu(monkeypatch):
    """Small cache blocks and the un-blocked code path (used on GPUs) give
    the same result as the default blocking."""
    module = importlib.import_module(
        'cblseg.models.losses.functional.cbl_window')
    feats, *rest = make_inputs(seed=12, h=12, w=10)

    def run():
        f = feats.clone().requires_grad_()
        return conditional_boundary_loss(f, *rest), f

    expected, f0 = run()
    monkeypatch.setattr(module, '_BLOCK_ELEMS', 250)  # 2 channels a block
    chunked, f1 = run()
    _assert_same(chunked, expected, f1, f0)
    monkeypatch.setattr(module, '_cache_blocking', lambda device: False)
    unblocked, f2 = run()
    _assert_same(unblocked, expected, f2, f0)


def test_other_ignore_index():
    feats, logits, gt, edge, weight, bias = make_inputs(seed=11)
    ref = conditional_boundary_loss(feats, logits, gt, edge, weight, bias)
    gt = gt.masked_fill(gt == IGNORE, -1)
    out = conditional_boundary_loss(
        feats, logits, gt, edge, weight, bias, ignore_index=-1)
    for name in TERMS:
        torch.testing.assert_close(out[name], ref[name])


@pytest.mark.parametrize('k', [3, 5])
def test_quirks_match_reference_structure(k):
    inputs = make_inputs(seed=3 + k, h=10, w=12)
    ours, theirs, f1, f2 = _run_both(
        inputs, reference_structured_cbl, kernel_size=k, reference_quirks=True)
    assert float(theirs['context'].detach()) > 0
    _assert_same(ours, theirs, f1, f2)


def test_quirks_reference_nan_case():
    """An image whose class > 0 boundary pixels all lie in the border band:
    the reference averages empty tensors (NaN) and returns 0 for the
    context term of the whole batch; ``reference_quirks`` reproduces that,
    the default does not."""
    feats, logits, gt, edge, weight, bias = make_inputs(seed=5)
    gt = gt.clone()
    edge = edge.clone()
    gt[1] = 0
    gt[1, :, :, :2] = 1  # a class-1 column at the left border
    edge[1] = torch.from_numpy(label_to_boundary(gt[1, 0].numpy(), 1,
                                                 IGNORE)).long()
    inputs = (feats, logits, gt, edge, weight, bias)
    ours, theirs, f1, f2 = _run_both(
        inputs, reference_structured_cbl, kernel_size=5, reference_quirks=True)
    assert float(theirs['context'].detach()) == 0
    _assert_same(ours, theirs, f1, f2)
    default = conditional_boundary_loss(feats, logits, gt, edge, weight, bias)
    assert float(default['context']) > 0


def test_bias_none_and_2d_weight():
    feats, logits, gt, edge, weight, _ = make_inputs(seed=7)
    ours, theirs, f1, f2 = _run_both(
        (feats, logits, gt, edge, weight.flatten(1), None),
        loop_cbl,
        kernel_size=3)
    _assert_same(ours, theirs, f1, f2)


def test_absent_classes():
    """K = 7 but only classes 0-3 occur: the absent ones do not count."""
    inputs = list(make_inputs(seed=2, num_classes=4))
    gen = torch.Generator().manual_seed(0)
    inputs[1] = torch.cat([
        inputs[1],
        torch.randn(2, 3, 9, 11, generator=gen, dtype=torch.float64)
    ], 1)
    inputs[4] = torch.cat([
        inputs[4],
        torch.randn(3, 6, 1, 1, generator=gen, dtype=torch.float64)
    ], 0)
    inputs[5] = torch.cat([inputs[5], torch.zeros(3, dtype=torch.float64)])
    ours, theirs, f1, f2 = _run_both(inputs, loop_cbl, kernel_size=5)
    _assert_same(ours, theirs, f1, f2)


# --------------------------------------------------------------------------
# Degenerate inputs
# --------------------------------------------------------------------------
def _check_zero_and_finite(out, feats, expect_zero=TERMS):
    for name in TERMS:
        assert out[name].dim() == 0
        assert torch.isfinite(out[name])
        if name in expect_zero:
            assert float(out[name].detach()) == 0, name
    total = sum(out.values())
    assert total.requires_grad  # graph connected to feats (DDP)
    grad, = torch.autograd.grad(total, feats)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize('quirks', [False, True])
def test_no_boundary_pixels(quirks):
    feats, logits, gt, edge, weight, bias = make_inputs(seed=1)
    feats.requires_grad_()
    out = conditional_boundary_loss(
        feats,
        logits,
        gt,
        torch.zeros_like(edge),
        weight,
        bias,
        reference_quirks=quirks)
    _check_zero_and_finite(out, feats)


@pytest.mark.parametrize('quirks', [False, True])
def test_all_ignore(quirks):
    feats, logits, gt, edge, weight, bias = make_inputs(seed=1)
    feats.requires_grad_()
    gt = torch.full_like(gt, IGNORE)
    edge = torch.full_like(edge, IGNORE)
    out = conditional_boundary_loss(
        feats, logits, gt, edge, weight, bias, reference_quirks=quirks)
    _check_zero_and_finite(out, feats)


@pytest.mark.parametrize('quirks', [False, True])
def test_one_by_one_map(quirks):
    feats = torch.randn(2, 5, 1, 1, requires_grad=True)
    logits = torch.randn(2, 3, 1, 1)
    gt = torch.tensor([1, 2]).view(2, 1, 1, 1)
    edge = torch.ones_like(gt)
    weight, bias = torch.randn(3, 5), torch.randn(3)
    out = conditional_boundary_loss(
        feats, logits, gt, edge, weight, bias, reference_quirks=quirks)
    _check_zero_and_finite(out, feats)
    # labels at a higher resolution, resized to 1 x 1
    gt = torch.randint(0, 3, (2, 1, 4, 4))
    out = conditional_boundary_loss(feats, logits, gt, torch.ones_like(gt),
                                    weight, bias)
    _check_zero_and_finite(out, feats)


def test_zero_features_finite_gradient():
    feats, logits, gt, edge, weight, bias = make_inputs(seed=4)
    feats = torch.zeros_like(feats, requires_grad=True)
    out = conditional_boundary_loss(feats, logits, gt, edge, weight, bias)
    _check_zero_and_finite(out, feats, expect_zero=())


def test_kernel_size_one_and_invalid():
    feats, logits, gt, edge, weight, bias = make_inputs(seed=4)
    feats.requires_grad_()
    out = conditional_boundary_loss(
        feats, logits, gt, edge, weight, bias, kernel_size=1)
    _check_zero_and_finite(out, feats)
    for bad in (0, 2, 4, -3, 2.0, True):
        with pytest.raises(ValueError, match='kernel_size'):
            conditional_boundary_loss(
                feats, logits, gt, edge, weight, bias, kernel_size=bad)


def test_invalid_labels_raise():
    feats, logits, gt, edge, weight, bias = make_inputs(seed=4)
    gt = gt.clone()
    gt[0, 0, 0, 0] = 7
    gt[1, 0, 5, 5] = -3
    with pytest.raises(ValueError) as info:
        conditional_boundary_loss(feats, logits, gt, edge, weight, bias)
    assert '-3' in str(info.value) and '7' in str(info.value)
    gt = torch.full_like(gt, 4)  # == K, uint8 too
    with pytest.raises(ValueError, match=r'\[4\]'):
        conditional_boundary_loss(feats, logits, gt.to(torch.uint8), edge,
                                  weight, bias)


def test_shape_errors():
    feats, logits, gt, edge, weight, bias = make_inputs(seed=4)
    with pytest.raises(ValueError, match='logits'):
        conditional_boundary_loss(feats, logits[..., :5], gt, edge, weight,
                                  bias)
    with pytest.raises(ValueError, match='cls_weight'):
        conditional_boundary_loss(feats, logits, gt, edge, weight[:, :3], bias)
    with pytest.raises(ValueError, match='cls_bias'):
        conditional_boundary_loss(feats, logits, gt, edge, weight, bias[:2])
    with pytest.raises(ValueError, match='gt_edge_map'):
        conditional_boundary_loss(feats, logits, gt, edge[:1], weight, bias)


# --------------------------------------------------------------------------
# Gradients, dtypes, module
# --------------------------------------------------------------------------
def test_classifier_gets_no_gradient():
    feats, logits, gt, edge, weight, bias = make_inputs(seed=6)
    feats.requires_grad_()
    weight.requires_grad_()
    bias.requires_grad_()
    out = conditional_boundary_loss(feats, logits, gt, edge, weight, bias)
    sum(out.values()).backward()
    for param in (weight, bias):
        assert param.grad is None or not param.grad.any()
    assert feats.grad is not None and feats.grad.abs().sum() > 0


def test_bf16_autocast_runs_in_fp32():
    feats, logits, gt, edge, weight, bias = make_inputs(
        seed=8, dtype=torch.float32, channels=8)
    conv = torch.nn.Conv2d(8, 8, 1)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        mid = conv(feats)
        assert mid.dtype == torch.bfloat16
        out = conditional_boundary_loss(mid, logits.bfloat16(), gt, edge,
                                        weight, bias)
    for name in TERMS:
        assert out[name].dtype == torch.float32
        assert torch.isfinite(out[name])
    sum(out.values()).backward()
    assert torch.isfinite(conv.weight.grad).all()
    # same value as the fp32 loss on the bf16-rounded inputs
    ref = conditional_boundary_loss(mid.detach().float(), logits.bfloat16(),
                                    gt, edge, weight, bias)
    for name in TERMS:
        torch.testing.assert_close(out[name].detach(), ref[name])


def test_module_weights_and_keys():
    inputs = make_inputs(seed=9)
    terms = conditional_boundary_loss(*inputs)
    loss = MODELS.build(dict(type='ConditionalBoundaryLoss'))
    assert isinstance(loss, ConditionalBoundaryLoss)
    out = loss(*inputs)
    assert set(out) == {'loss_cbl_context', 'loss_cbl_nce', 'loss_cbl_cn'}
    for name, wt in zip(TERMS, (1.0, 0.2, 2.0)):
        torch.testing.assert_close(out[f'loss_cbl_{name}'], wt * terms[name])
    loss = ConditionalBoundaryLoss(
        loss_weight_context=0.5,
        loss_weight_nce=3.0,
        loss_weight_cn=0.25,
        kernel_size=3,
        reference_quirks=True,
        loss_name='loss_x')
    assert loss.loss_name == 'loss_x'
    out = loss(*inputs)
    terms = conditional_boundary_loss(
        *inputs, kernel_size=3, reference_quirks=True)
    assert set(out) == {'loss_x_context', 'loss_x_nce', 'loss_x_cn'}
    for name, wt in zip(TERMS, (0.5, 3.0, 0.25)):
        torch.testing.assert_close(out[f'loss_x_{name}'], wt * terms[name])
