# Copyright (c) cblseg contributors. All rights reserved.
"""Synthetic inputs shared by the benchmark scripts and the GPU report.

* :func:`cbl_loss_inputs`: what a CBL head hands to
  :func:`cblseg.models.losses.conditional_boundary_loss` (features, logits,
  labels and boundaries of synthetic street scenes, a classifier);
* :func:`train_step_batch`: a batch in the form ``model.train_step`` takes
  (what MMSeg's ``PackSegInputs`` produces after ``GenerateBoundary``).

No real data and no files: everything is rendered in memory.
"""
from typing import Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from torch import Tensor

from cblseg.datasets import (GenerateBoundary, label_id_to_train_id_lut,
                             render_street_scene)

__all__ = ['cbl_loss_inputs', 'train_step_batch']

IGNORE = 255
NUM_CLASSES = 19


def _street_labels(rng: np.random.Generator, height: int, width: int):
    """Image (RGB uint8), train-id label and GenerateBoundary map of one
    synthetic street scene."""
    image, label_ids = render_street_scene(rng, height, width)
    label = label_id_to_train_id_lut()[label_ids]
    edge = GenerateBoundary(dilation=0.02).transform(
        dict(gt_seg_map=label))['gt_edge_map']
    return image, label, edge


def cbl_loss_inputs(
    batch: int,
    height: int,
    width: int,
    channels: int,
    stride: int,
    seed: int = 0,
    num_classes: int = NUM_CLASSES
) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Inputs of the CBL at the feature size of a ``height x width`` crop.

    Labels are synthetic street scenes (train ids, void as ignore) with
    boundaries from ``GenerateBoundary(dilation=0.02)``; features are
    ``(batch, channels, height // stride, width // stride)`` standard
    normal; the logits are right (4 above the rest) at about 80 % of the
    valid pixels; the classifier is a random 1 x 1 convolution.

    Returns:
        tuple: ``feats, logits, gt_sem_seg, gt_edge_map, weight, bias``
        (CPU tensors; labels int64 ``(B, 1, H, W)``, weight
        ``(K, C, 1, 1)``).
    """
    rng = np.random.default_rng(seed)
    labels, edges = [], []
    for _ in range(batch):
        _, label, edge = _street_labels(rng, height, width)
        labels.append(label.astype(np.int64))
        edges.append(edge.astype(np.int64))
    gt_sem_seg = torch.from_numpy(np.stack(labels))[:, None]
    gt_edge_map = torch.from_numpy(np.stack(edges))[:, None]
    h, w = height // stride, width // stride
    gen = torch.Generator().manual_seed(seed)
    feats = torch.randn(batch, channels, h, w, generator=gen)
    small = F.interpolate(
        gt_sem_seg.float(), size=(h, w), mode='nearest')[:, 0].long()
    logits = torch.randn(batch, num_classes, h, w, generator=gen)
    right = (torch.rand(batch, h, w, generator=gen) < 0.8) & (small != IGNORE)
    logits += 4.0 * F.one_hot(small.clamp_max(num_classes - 1),
                              num_classes).permute(0, 3, 1, 2) * right[:, None]
    weight = torch.randn(num_classes, channels, 1, 1, generator=gen) * 0.05
    bias = torch.randn(num_classes, generator=gen) * 0.1
    return feats, logits, gt_sem_seg, gt_edge_map, weight, bias


def train_step_batch(batch_size: int,
                     height: int,
                     width: int,
                     seed: int = 0) -> dict:
    """Synthetic street scenes in the form ``model.train_step`` takes.

    As ``PackSegInputs`` delivers them after the train pipeline: BGR uint8
    ``3 x H x W`` images and ``SegDataSample`` s with int64 ``1 x H x W``
    ``gt_sem_seg`` and ``gt_edge_map`` (``GenerateBoundary(dilation=0.02)``).

    Returns:
        dict: ``inputs`` (list of tensors) and ``data_samples``.
    """
    rng = np.random.default_rng(seed)
    inputs, samples = [], []
    for _ in range(batch_size):
        image, label, edge = _street_labels(rng, height, width)
        inputs.append(
            torch.from_numpy(
                np.ascontiguousarray(image[..., ::-1].transpose(2, 0, 1))))
        meta = dict(
            img_shape=(height, width),
            ori_shape=(height, width),
            pad_shape=(height, width))
        sample = SegDataSample(metainfo=meta)
        sample.gt_sem_seg = PixelData(
            data=torch.from_numpy(label.astype(np.int64))[None])
        sample.gt_edge_map = PixelData(
            data=torch.from_numpy(edge.astype(np.int64))[None])
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)
