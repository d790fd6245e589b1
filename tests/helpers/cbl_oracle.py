# Copyright (c) cblseg contributors. All rights reserved.
"""The Conditional Boundary Loss written from its definition (docs/cbl.md),
one pixel at a time, and the small float64 inputs it is compared on."""
import numpy as np
import torch
import torch.nn.functional as F

from cblseg.ops import label_to_boundary

IGNORE = 255
EPS = 1e-5
TERMS = ('context', 'nce', 'cn')


def resize_label(label, size):
    """``label`` (N, 1, H, W) to ``size``, nearest, as the loss does."""
    return F.interpolate(
        label.double(), size=size, mode='nearest')[:, 0].long()


def _cos(a, b):
    # F.cosine_similarity's formula: each vector over max(norm, 1e-8).
    return (a / a.norm().clamp_min(1e-8)) @ (b / b.norm().clamp_min(1e-8))


def loop_cbl(feats,
             logits,
             gt_sem_seg,
             gt_edge_map,
             weight,
             bias,
             k,
             ignore_index=IGNORE,
             reference_quirks=False):
    """The definition, one pixel at a time (see docs/cbl.md)."""
    bsz, _, h, w = feats.shape
    num_classes = logits.shape[1]
    weight = weight.detach().reshape(num_classes, -1)
    bias = bias.detach() if bias is not None else None
    label = resize_label(gt_sem_seg, (h, w)).tolist()
    edge = resize_label(gt_edge_map, (h, w)).tolist()
    pred = logits.argmax(1).tolist()
    r = k // 2
    offsets = [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
               if (dy, dx) != (0, 0)]

    def inside(y, x):
        return 0 <= y < h and 0 <= x < w

    def is_boundary(i, y, x):
        return edge[i][y][x] == 1 and label[i][y][x] != ignore_index

    zero = feats.sum() * 0
    # 1. context
    image_terms = []
    for i in range(bsz):
        pixels = [(y, x) for y in range(h) for x in range(w)
                  if is_boundary(i, y, x)]
        if reference_quirks:
            pixels = [(y, x) for y, x in pixels if label[i][y][x] != 0]
            if not pixels:
                continue  # the image does not count
            pixels = [(y, x) for y, x in pixels
                      if r <= y < h - r and r <= x < w - r]
            if not pixels:
                return_zero = True  # reference: NaN -> 0 for the batch
                break
        offset_terms = []
        for dy, dx in offsets:
            errors = []
            for y, x in pixels:
                qy, qx = y + dy, x + dx
                if not inside(qy, qx):
                    continue
                if (not reference_quirks and label[i][qy][qx] == ignore_index):
                    continue
                s = _cos(feats[i, :, y, x], feats[i, :, qy, qx])
                t = float(label[i][qy][qx] == label[i][y][x])
                errors.append((s - t)**2)
            if errors:
                offset_terms.append(sum(errors) / len(errors))
        if offset_terms:
            image_terms.append(sum(offset_terms) / len(offset_terms))
    else:
        return_zero = False
    if return_zero or not image_terms:
        context = zero
    else:
        context = sum(image_terms) / len(image_terms)

    # 2. NCE and CN
    nce_terms, cn_terms = [], []
    for c in range(num_classes):
        ce_a, ce_b, cn = [], [], []
        for i in range(bsz):
            for y in range(h):
                for x in range(w):
                    if not is_boundary(i, y, x) or label[i][y][x] != c:
                        continue
                    s = s_ok = 0
                    n = n_ok = 0
                    for dy, dx in offsets:
                        qy, qx = y + dy, x + dx
                        if not inside(qy, qx) or label[i][qy][qx] != c:
                            continue
                        s = s + feats[i, :, qy, qx]
                        n += 1
                        if pred[i][qy][qx] == c:
                            s_ok = s_ok + feats[i, :, qy, qx]
                            n_ok += 1
                    target = torch.tensor([c])
                    if n >= 1:
                        m = s / (n + EPS)
                        z = weight @ m + (bias if bias is not None else 0)
                        ce_a.append(F.cross_entropy(z[None], target))
                    if pred[i][y][x] == c and n_ok >= 1:
                        m_ok = s_ok / (n_ok + EPS)
                        z = weight @ m_ok + (bias if bias is not None else 0)
                        ce_b.append(F.cross_entropy(z[None], target))
                        cn.append(
                            ((feats[i, :, y, x] - m_ok.detach())**2).mean())
        if ce_a and ce_b:
            nce_terms.append(sum(ce_a) / len(ce_a) + sum(ce_b) / len(ce_b))
            cn_terms.append(sum(cn) / len(cn))
    nce = sum(nce_terms) / len(nce_terms) if nce_terms else zero
    cn = sum(cn_terms) / len(cn_terms) if cn_terms else zero
    return dict(context=context, nce=nce, cn=cn)


def make_inputs(seed=0,
                bsz=2,
                channels=6,
                num_classes=4,
                h=9,
                w=11,
                scale=2,
                dtype=torch.float64,
                ignore=True,
                radius=1):
    """Blocky labels at ``scale`` x the feature size with ignore regions,
    boundaries from ``label_to_boundary``, logits mostly right."""
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    big_h, big_w = h * scale, w * scale
    labels, edges = [], []
    for _ in range(bsz):
        coarse = rng.integers(0, num_classes, size=(4, 5))
        lab = np.kron(
            coarse, np.ones((big_h // 4 + 1, big_w // 5 + 1),
                            dtype=np.int64))[:big_h, :big_w]
        noise = rng.random((big_h, big_w)) < 0.08
        lab = np.where(noise, rng.integers(0, num_classes, lab.shape), lab)
        if ignore:
            lab[:3, -5:] = IGNORE
            lab[rng.random(lab.shape) < 0.03] = IGNORE
        lab = lab.astype(np.int64)
        labels.append(lab)
        edges.append(label_to_boundary(lab, radius, IGNORE))
    gt_sem_seg = torch.from_numpy(np.stack(labels))[:, None]
    gt_edge_map = torch.from_numpy(np.stack(edges).astype(np.int64))[:, None]
    feats = torch.randn(bsz, channels, h, w, generator=gen, dtype=dtype)
    small = resize_label(gt_sem_seg, (h, w)).clamp_max(num_classes - 1)
    logits = torch.randn(bsz, num_classes, h, w, generator=gen, dtype=dtype)
    right = torch.rand(bsz, h, w, generator=gen) < 0.7
    logits = logits + 3 * F.one_hot(small, num_classes).permute(
        0, 3, 1, 2).to(dtype) * right[:, None]
    weight = torch.randn(
        num_classes, channels, 1, 1, generator=gen, dtype=dtype)
    bias = torch.randn(num_classes, generator=gen, dtype=dtype)
    return feats, logits, gt_sem_seg, gt_edge_map, weight, bias
