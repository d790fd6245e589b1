# Copyright (c) cblseg contributors. All rights reserved.
"""Exactness tests of the mask-classification Conditional Boundary Loss.

``mask_conditional_boundary_loss`` is compared, in float64, with a plain
per-pixel loop: the NCE term written from the authors' ``er_loss``
(``mask2former/mask2former/modeling/criterion.py`` in
dywu98/CBL-Conditional-Boundary-Loss): for every class and boundary pixel,
the mean of the same-class neighbour *features*, its sigmoid activations
under the image's mask embeddings, weighted by the raw class logits, and a
cross-entropy; the context and CN terms with ``loop_cbl`` of
test_cbl_loss.py (the per-pixel definition, both modes), given the mask
model's prediction.
"""
import pytest
import torch
import torch.nn.functional as F
from mmseg.registry import MODELS

from cblseg.benchmarks.mask_cbl import (authors_mask_cbl, forward_backward,
                                        max_relative_error)
from cblseg.models.losses import (MaskConditionalBoundaryLoss,
                                  mask_conditional_boundary_loss,
                                  mask_semantic_prediction)
from helpers.cbl_oracle import (EPS, IGNORE, TERMS, loop_cbl, make_inputs,
                                resize_label)

pytestmark = pytest.mark.usefixtures('one_torch_thread')


# --------------------------------------------------------------------------
# Oracle
# --------------------------------------------------------------------------
def oracle_prediction(feats, embed, cls_logits):
    mask_logits = torch.einsum('bqd,bdhw->bqhw', embed, feats)
    prob = F.softmax(cls_logits, dim=-1)[..., :-1]
    return torch.einsum('bqc,bqhw->bchw', prob, mask_logits.sigmoid())


def loop_mask_nce(feats,
                  embed,
                  cls_logits,
                  gt_sem_seg,
                  gt_edge_map,
                  pred,
                  k,
                  ignore_index=IGNORE):
    """The authors' NCE, one class and one boundary pixel at a time."""
    bsz, _, h, w = feats.shape
    num_classes = cls_logits.shape[-1] - 1
    label = resize_label(gt_sem_seg, (h, w)).tolist()
    edge = resize_label(gt_edge_map, (h, w)).tolist()
    pred = pred.tolist()
    r = k // 2
    offsets = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
               if (dy, dx) != (0, 0)]
    class_terms = []
    for c in range(num_classes):
        losses, num_right = [], 0
        for i in range(bsz):
            for y in range(h):
                for x in range(w):
                    if edge[i][y][x] != 1 or label[i][y][x] != c:
                        continue
                    s, n, n_ok = 0, 0, 0
                    for dy, dx in offsets:
                        qy, qx = y + dy, x + dx
                        if not (0 <= qy < h and 0 <= qx < w):
                            continue
                        if label[i][qy][qx] != c:
                            continue
                        s = s + feats[i, :, qy, qx]
                        n += 1
                        n_ok += pred[i][qy][qx] == c
                    if n >= 1:
                        m = s / (n + EPS)
                        act = (embed[i] @ m).sigmoid()  # (Q,)
                        z = act @ cls_logits[i, :, :num_classes]  # (K,)
                        losses.append(
                            F.cross_entropy(z[None], torch.tensor([c])))
                    num_right += pred[i][y][x] == c and n_ok >= 1
        if losses and num_right:
            class_terms.append(sum(losses) / len(losses))
    if not class_terms:
        return feats.sum() * 0
    return sum(class_terms) / len(class_terms)


def loop_mask_cbl(feats,
                  embed,
                  cls_logits,
                  gt_sem_seg,
                  gt_edge_map,
                  k,
                  reference_quirks=False):
    num_classes = cls_logits.shape[-1] - 1
    with torch.no_grad():
        pred = oracle_prediction(feats, embed, cls_logits).argmax(1)
    # context and CN of the per-pixel definition, with this prediction
    pred_logits = F.one_hot(pred, num_classes).permute(0, 3, 1, 2).double()
    dummy_weight = torch.zeros(num_classes, feats.shape[1], dtype=feats.dtype)
    terms = loop_cbl(
        feats,
        pred_logits,
        gt_sem_seg,
        gt_edge_map,
        dummy_weight,
        None,
        k,
        reference_quirks=reference_quirks)
    terms['nce'] = loop_mask_nce(feats, embed, cls_logits, gt_sem_seg,
                                 gt_edge_map, pred, k)
    return terms


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------
def make_mask_inputs(seed=0,
                     bsz=2,
                     dims=6,
                     queries=6,
                     num_classes=4,
                     h=9,
                     w=11,
                     ignore=True):
    """Blocky labels with ignore regions and their boundaries (as in
    test_cbl_loss), mask features that point towards a direction of their
    class, and queries whose embeddings and class logits favour one class
    each, so that the prediction is mostly right."""
    _, _, gt, edge, _, _ = make_inputs(
        seed=seed,
        bsz=bsz,
        channels=dims,
        num_classes=num_classes,
        h=h,
        w=w,
        ignore=ignore)
    gen = torch.Generator().manual_seed(seed + 1000)
    dt = torch.float64
    small = resize_label(gt, (h, w)).clamp_max(num_classes - 1)
    dirs = F.normalize(
        torch.randn(num_classes, dims, generator=gen, dtype=dt), dim=1)
    feats = 0.7 * torch.randn(bsz, dims, h, w, generator=gen, dtype=dt)
    feats += 2 * dirs[small].permute(0, 3, 1, 2)
    embed = 0.3 * torch.randn(bsz, queries, dims, generator=gen, dtype=dt)
    cls_logits = torch.randn(
        bsz, queries, num_classes + 1, generator=gen, dtype=dt)
    for q in range(min(queries, num_classes)):
        embed[:, q] += 2 * dirs[q]
        cls_logits[:, q, q] += 4
    return feats, embed, cls_logits, gt, edge


def _grads(terms, leaves):
    out = {}
    for name in TERMS:
        grads = torch.autograd.grad(
            terms[name], leaves, retain_graph=True, allow_unused=True)
        out[name] = [
            torch.zeros_like(leaf) if g is None else g
            for g, leaf in zip(grads, leaves)
        ]
    return out


def _leaves(inputs):
    feats, embed, cls_logits = inputs[:3]
    return [t.clone().requires_grad_() for t in (feats, embed, cls_logits)]


def assert_same_as_loop(inputs, k, quirks, pass_mask_logits=False):
    gt, edge = inputs[3:]
    ours_leaves, loop_leaves = _leaves(inputs), _leaves(inputs)
    mask_logits = None
    if pass_mask_logits:
        mask_logits = torch.einsum('bqd,bdhw->bqhw', ours_leaves[1],
                                   ours_leaves[0])
    ours = mask_conditional_boundary_loss(
        *ours_leaves,
        gt,
        edge,
        mask_logits=mask_logits,
        kernel_size=k,
        reference_quirks=quirks)
    theirs = loop_mask_cbl(*loop_leaves, gt, edge, k, reference_quirks=quirks)
    for name in TERMS:
        assert ours[name].dim() == 0
        torch.testing.assert_close(
            ours[name].detach(),
            theirs[name].detach(),
            rtol=1e-6,
            atol=1e-12,
            msg=f'{name} value')
    g_ours, g_theirs = _grads(ours, ours_leaves), _grads(theirs, loop_leaves)
    for name in TERMS:
        for which, a, b in zip(('feats', 'embed', 'cls'), g_ours[name],
                               g_theirs[name]):
            torch.testing.assert_close(
                a, b, rtol=1e-6, atol=1e-12, msg=f'd {name} / d {which}')
    return ours, theirs


# --------------------------------------------------------------------------
# Exactness
# --------------------------------------------------------------------------
@pytest.mark.parametrize('quirks', [False, True])
@pytest.mark.parametrize('k', [3, 5])
def test_matches_loop_of_authors_code(k, quirks):
    inputs = make_mask_inputs(seed=k + 10 * quirks)
    ours, theirs = assert_same_as_loop(inputs, k, quirks)
    for name in TERMS:  # the inputs exercise every term
        assert float(theirs[name].detach()) > 0, name
    # the NCE gradient reaches the queries
    leaves = _leaves(inputs)
    terms = mask_conditional_boundary_loss(
        *leaves, *inputs[3:], kernel_size=k, reference_quirks=quirks)
    terms['nce'].backward()
    assert all(float(leaf.grad.abs().sum()) > 0 for leaf in leaves)
    if quirks:  # and the quirks matter on these inputs
        default = mask_conditional_boundary_loss(*inputs, kernel_size=k)
        assert abs(
            float(default['context']) - float(ours['context'].detach())) > 1e-3


@pytest.mark.parametrize('k', [3, 5])
def test_given_mask_logits(k):
    """The heads pass their own mask logits: same values and gradients."""
    assert_same_as_loop(
        make_mask_inputs(seed=20 + k), k, False, pass_mask_logits=True)


@pytest.mark.parametrize('quirks', [False, True])
@pytest.mark.parametrize(
    'shape',
    [
        # bsz, dims, queries, num_classes, h, w, k
        (1, 3, 2, 5, 7, 9, 5),  # batch of 1, Q < K
        (2, 4, 3, 6, 5, 8, 3),  # Q < K
        (2, 5, 4, 3, 1, 1, 5),  # 1-pixel maps
        (1, 4, 4, 3, 3, 7, 5),  # odd sizes, window larger than the map
        (2, 3, 5, 1, 6, 5, 3),  # K = 1
    ])
def test_odd_shapes(shape, quirks):
    bsz, dims, queries, num_classes, h, w, k = shape
    inputs = make_mask_inputs(
        seed=sum(shape),
        bsz=bsz,
        dims=dims,
        queries=queries,
        num_classes=num_classes,
        h=h,
        w=w,
        ignore=h > 5)
    assert_same_as_loop(inputs, k, quirks)


@pytest.mark.parametrize('k', [3, 5])
def test_quirks_match_authors_structure(k):
    """The benchmark's re-implementation of the authors' algorithm
    (per-class depthwise sums of the features, per-image query products)
    equals ``reference_quirks=True``, gradients included."""
    inputs = make_mask_inputs(seed=30 + k, h=10, w=12)
    ours = forward_backward(
        mask_conditional_boundary_loss,
        inputs,
        kernel_size=k,
        reference_quirks=True)
    theirs = forward_backward(authors_mask_cbl, inputs, kernel_size=k)
    assert all(float(theirs[name]) > 0 for name in TERMS)
    errors = max_relative_error(ours, theirs)
    assert max(errors.values()) < 1e-9, errors


def test_absent_classes():
    """K = 9 but only classes 0-3 occur: the absent ones do not count."""
    feats, embed, cls_logits, gt, edge = make_mask_inputs(
        seed=3, num_classes=4)
    gen = torch.Generator().manual_seed(1)
    extra = torch.randn(2, 6, 5, generator=gen, dtype=torch.float64)
    cls_logits = torch.cat([cls_logits[..., :-1], extra, cls_logits[..., -1:]],
                           -1)
    assert_same_as_loop((feats, embed, cls_logits, gt, edge), 5, False)


def test_prediction_is_mmseg_formula():
    feats, embed, cls_logits, _, _ = make_mask_inputs(seed=4)
    mask_logits = torch.einsum('bqd,bdhw->bqhw', embed, feats)
    expected = oracle_prediction(feats, embed, cls_logits).argmax(1)
    assert torch.equal(
        mask_semantic_prediction(mask_logits, cls_logits), expected)


# --------------------------------------------------------------------------
# Degenerate inputs
# --------------------------------------------------------------------------
def _check_zero_connected(out, leaves):
    for name in TERMS:
        assert out[name].dim() == 0
        assert float(out[name].detach()) == 0, name
    total = sum(out.values())
    grads = torch.autograd.grad(total, leaves, allow_unused=True)
    assert grads[0] is not None  # connected to the features (DDP)
    assert all(g is None or torch.isfinite(g).all() for g in grads)


@pytest.mark.parametrize('quirks', [False, True])
def test_no_boundary_pixels(quirks):
    *_, gt, edge = inputs = make_mask_inputs(seed=5)
    leaves = _leaves(inputs)
    out = mask_conditional_boundary_loss(
        *leaves, gt, torch.zeros_like(edge), reference_quirks=quirks)
    _check_zero_connected(out, leaves)


@pytest.mark.parametrize('quirks', [False, True])
def test_ignore_only_labels(quirks):
    *_, gt, edge = inputs = make_mask_inputs(seed=6)
    leaves = _leaves(inputs)
    out = mask_conditional_boundary_loss(
        *leaves,
        torch.full_like(gt, IGNORE),
        torch.full_like(edge, IGNORE),
        reference_quirks=quirks)
    _check_zero_connected(out, leaves)


def test_float32_and_other_ignore_index():
    feats, embed, cls_logits, gt, edge = make_mask_inputs(seed=7)
    ref = mask_conditional_boundary_loss(feats, embed, cls_logits, gt, edge)
    out = mask_conditional_boundary_loss(
        feats.float(),
        embed.float(),
        cls_logits.float(),
        gt.masked_fill(gt == IGNORE, -1),
        edge,
        ignore_index=-1)
    for name in TERMS:
        assert out[name].dtype == torch.float32
        torch.testing.assert_close(
            out[name].double(), ref[name], rtol=1e-4, atol=1e-6)


def test_bf16_autocast():
    """Under autocast the head's outputs are low precision; the loss runs
    in float32 and its gradients come back in the inputs' dtype."""
    inputs = make_mask_inputs(seed=12)
    leaves = [t.float().requires_grad_() for t in inputs[:3]]
    with torch.autocast('cpu', dtype=torch.bfloat16):
        feats = leaves[0] * 1  # low precision activations
        mask_logits = torch.einsum('bqd,bdhw->bqhw', leaves[1], feats)
        out = mask_conditional_boundary_loss(
            feats, leaves[1], leaves[2], *inputs[3:], mask_logits=mask_logits)
    ref = mask_conditional_boundary_loss(*[t.float() for t in inputs[:3]],
                                         *inputs[3:])
    for name in TERMS:
        assert out[name].dtype == torch.float32
        torch.testing.assert_close(
            out[name].detach(), ref[name], rtol=0.05, atol=1e-3)
    sum(out.values()).backward()
    for leaf in leaves:
        assert leaf.grad.dtype == torch.float32
        assert torch.isfinite(leaf.grad).all()


def test_bad_inputs_raise():
    feats, embed, cls_logits, gt, edge = make_mask_inputs(seed=8)
    with pytest.raises(ValueError, match='mask_embed'):
        mask_conditional_boundary_loss(feats, embed[..., :-1], cls_logits, gt,
                                       edge)
    with pytest.raises(ValueError, match='cls_logits'):
        mask_conditional_boundary_loss(feats, embed, cls_logits[:, :-1], gt,
                                       edge)
    with pytest.raises(ValueError, match='mask_logits'):
        mask_conditional_boundary_loss(
            feats, embed, cls_logits, gt, edge, mask_logits=feats[:, :-1])
    with pytest.raises(ValueError, match='kernel_size'):
        mask_conditional_boundary_loss(
            feats, embed, cls_logits, gt, edge, kernel_size=4)
    bad = gt.clone()
    bad[0, 0, 0, 0] = 7  # K = 4
    with pytest.raises(ValueError, match='7'):
        mask_conditional_boundary_loss(feats, embed, cls_logits, bad, edge)


# --------------------------------------------------------------------------
# Module
# --------------------------------------------------------------------------
def test_module_weights_and_keys():
    loss = MODELS.build(dict(type='MaskConditionalBoundaryLoss'))
    assert isinstance(loss, MaskConditionalBoundaryLoss)
    # the authors' SetCriterion weights
    assert (loss.loss_weight_context, loss.loss_weight_nce,
            loss.loss_weight_cn) == (2.0, 0.4, 4.0)
    assert loss.kernel_size == 5 and not loss.reference_quirks
    inputs = make_mask_inputs(seed=9)
    out = loss(*inputs)
    terms = mask_conditional_boundary_loss(*inputs)
    assert sorted(out) == ['loss_cbl_cn', 'loss_cbl_context', 'loss_cbl_nce']
    torch.testing.assert_close(out['loss_cbl_context'], 2 * terms['context'])
    torch.testing.assert_close(out['loss_cbl_nce'], 0.4 * terms['nce'])
    torch.testing.assert_close(out['loss_cbl_cn'], 4 * terms['cn'])
    assert 'loss_weight_nce=0.4' in repr(loss)
