# Copyright (c) cblseg contributors. All rights reserved.
"""Small model batches and training steps for the head tests."""
import copy

import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from cblseg.datasets import GenerateBoundary

# The loss keys of a CBL head (ConditionalBoundaryLoss).
CBL_KEYS = ('loss_cbl_context', 'loss_cbl_nce', 'loss_cbl_cn')
# What the small test models take from MMSeg's configs.
BN_NORM_CFG = dict(type='BN', requires_grad=True)
SEG_PREPROCESSOR = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size_divisor=32)


def make_batch(labels, with_edges=True, edges=None):
    """What PackSegInputs + pseudo_collate give the data preprocessor:
    uint8 images (seeded by position) and SegDataSamples with
    ``gt_sem_seg`` and, ``with_edges``, the ``gt_edge_map`` of
    ``GenerateBoundary(dilation=0.02)`` (or ``edges[i]``)."""
    inputs, samples = [], []
    for i, label in enumerate(labels):
        height, width = label.shape
        gen = torch.Generator().manual_seed(i)
        inputs.append(
            torch.randint(0, 256, (3, height, width),
                          generator=gen).to(torch.uint8))
        sample = SegDataSample(
            metainfo=dict(
                img_shape=(height, width),
                ori_shape=(height, width),
                pad_shape=(height, width)))
        sample.gt_sem_seg = PixelData(
            data=torch.from_numpy(label.astype(np.int64))[None])
        if with_edges:
            edge = edges[i] if edges is not None else GenerateBoundary(
                dilation=0.02).transform(dict(gt_seg_map=label))['gt_edge_map']
            sample.gt_edge_map = PixelData(
                data=torch.from_numpy(edge.astype(np.int64))[None])
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def forward_losses(model, data):
    """The loss dict of a training forward of ``model`` on a copy of
    ``data`` (a :func:`make_batch` batch)."""
    model.train()
    data = model.data_preprocessor(copy.deepcopy(data), True)
    return model(**data, mode='loss')


def assert_every_parameter_has_finite_grad(model):
    """What DDP with find_unused_parameters=False needs, and no NaN/inf."""
    missing = [
        name for name, p in model.named_parameters()
        if p.requires_grad and p.grad is None
    ]
    assert not missing, f'parameters without gradient: {missing}'
    bad = [
        name for name, p in model.named_parameters()
        if p.grad is not None and not torch.isfinite(p.grad).all()
    ]
    assert not bad, f'non-finite gradients: {bad}'


def train_step(model, data, lr=0.01):
    """Forward, backward, check the losses and gradients, SGD step.
    Returns the losses."""
    losses = forward_losses(model, data)
    loss, _ = model.parse_losses(losses)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    optimizer.zero_grad()
    loss.backward()
    assert_every_parameter_has_finite_grad(model)
    optimizer.step()
    for key, value in losses.items():
        assert torch.isfinite(torch.as_tensor(value)).all(), (key, value)
    return losses
