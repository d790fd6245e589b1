# Copyright (c) cblseg contributors. All rights reserved.
"""Prediction / ground-truth samples for BoundaryIoUMetric and a loop that
evaluates them as MMSeg's evaluator does."""
import numpy as np
import torch

from .labels import IGNORE, random_label

CLASSES = ('road', 'wall', 'sky', 'car', 'person', 'tree')


def make_samples(seed, count=6, size=(36, 52), num_classes=len(CLASSES)):
    """``count`` samples as a segmentor's test step gives them (random
    labels of ``size``, every third image of another size, a class absent
    from one ground truth), each with an ``img_path``."""
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(count):
        height, width = size if index % 3 else (size[0] + 5, size[1] - 7)
        gt = random_label(rng, height, width, num_classes)
        pred = random_label(rng, height, width, num_classes)
        pred[pred == IGNORE] = rng.integers(num_classes)
        if index == 1:
            gt[gt == 2] = 0  # a class absent from this image's ground truth
        samples.append(
            dict(
                img_path=f'data/img_{seed}_{index}.png',
                pred_sem_seg=dict(data=torch.from_numpy(pred).long()[None]),
                gt_sem_seg=dict(data=torch.from_numpy(gt).long()[None])))
    return samples


def evaluate(metric, samples, batch_size=2):
    """Feed ``samples`` to ``metric`` in batches; return its result."""
    metric.dataset_meta = dict(classes=CLASSES)
    for start in range(0, len(samples), batch_size):
        metric.process({}, samples[start:start + batch_size])
    return metric.evaluate(len(samples))
