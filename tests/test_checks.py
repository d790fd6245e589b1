"""The package's one set of argument checks (cblseg.ops.checks), where it
is used: each validated argument accepts numpy integers and rejects floats
and bools with one message style naming the argument, the requirement and
the value."""
import importlib
import re

import numpy as np
import pytest
import torch
from mmseg.registry import MODELS

from cblseg.datasets.transforms import GenerateBoundary, LoadCheckedAnnotations
from cblseg.evaluation.functional import boundary_counts, check_tolerances
from cblseg.evaluation.metrics import BoundaryIoUMetric
from cblseg.models.losses import ConditionalBoundaryLoss
from cblseg.models.losses.functional import conditional_boundary_loss
from cblseg.ops import (check_int, check_ints, check_radius, check_real,
                        ignore_aware_one_hot, label_to_boundary,
                        label_to_boundary_torch, radius_from_dilation,
                        window_extreme_torch)

LABEL = torch.zeros(1, 8, 8, dtype=torch.long)


def _loss_inputs():
    feats = torch.randn(1, 4, 8, 8)
    weight = torch.randn(2, 4)
    logits = torch.einsum('kc,bchw->bkhw', weight, feats)
    return feats, logits, LABEL, label_to_boundary_torch(LABEL, 1), weight


def _dense_aspp(**kwargs):
    cfg = dict(
        type='DenseASPPHead',
        in_channels=8,
        channels=8,
        bottleneck_channels=8,
        growth_channels=4,
        dilations=(3, 6),
        num_classes=3,
        norm_cfg=dict(type='BN'))
    cfg.update(kwargs)
    return MODELS.build(cfg)


# (argument, the requirement as the message states it, a valid integer,
#  the call that validates it)
CASES = [
    ('kernel_size', 'an odd integer >= 1', 5,
     lambda v: ConditionalBoundaryLoss(kernel_size=v)),
    ('kernel_size', 'an odd integer >= 1', 3,
     lambda v: conditional_boundary_loss(*_loss_inputs(), kernel_size=v)),
    ('ignore_index', 'an integer', 255,
     lambda v: ConditionalBoundaryLoss(ignore_index=v)),
    ('ignore_index', 'an integer', 255,
     lambda v: conditional_boundary_loss(*_loss_inputs(), ignore_index=v)),
    ('ignore_index', 'an integer in [0, 255]', 255,
     lambda v: GenerateBoundary(ignore_index=v)),
    ('ignore_index', 'an integer in [0, 255]', 255,
     lambda v: label_to_boundary(LABEL[0].numpy(), 1, v)),
    ('ignore_index', 'an integer', 255,
     lambda v: LoadCheckedAnnotations(num_classes=3, ignore_index=v)),
    ('ignore_index', 'an integer', 255,
     lambda v: BoundaryIoUMetric(ignore_index=v)),
    ('num_classes', 'an integer >= 1', 3,
     lambda v: LoadCheckedAnnotations(num_classes=v)),
    ('num_classes', 'an integer >= 1', 3,
     lambda v: ignore_aware_one_hot(LABEL, v)),
    ('num_classes', 'an integer >= 1', 3,
     lambda v: boundary_counts(LABEL, LABEL, v, 1)),
    ('radius', 'an integer >= 1', 2, check_radius),
    ('radius', 'an integer >= 1', 2,
     lambda v: label_to_boundary_torch(LABEL, v)),
    ('radius', 'an integer >= 1', 2,
     lambda v: boundary_counts(LABEL, LABEL, 3, v)),
    ('radius', 'an integer >= 0', 2,
     lambda v: window_extreme_torch(LABEL, v, 'min')),
    ('tolerances', 'integers >= 0', 3, check_tolerances),
    ('tolerances', 'integers >= 0', 3,
     lambda v: boundary_counts(LABEL, LABEL, 3, 1, tolerances=(1, v))),
    ('DenseASPPHead: bottleneck_channels', 'an integer >= 1', 8,
     lambda v: _dense_aspp(bottleneck_channels=v)),
    ('DenseASPPHead: dilations[1]', 'an integer >= 1', 6,
     lambda v: _dense_aspp(dilations=(3, v))),
]
IDS = [f'{i}-{case[0]}' for i, case in enumerate(CASES)]


@pytest.mark.parametrize('name, requirement, good, call', CASES, ids=IDS)
def test_numpy_integers_accepted(name, requirement, good, call):
    call(np.int64(good))
    call(np.int32(good))


@pytest.mark.parametrize('bad', [4.0, True])
@pytest.mark.parametrize('name, requirement, good, call', CASES, ids=IDS)
def test_floats_and_bools_rejected_with_the_message(name, requirement, good,
                                                    call, bad):
    if requirement.startswith('integers'):
        shown = re.escape(repr(bad))  # inside the tuple of values
    else:
        shown = re.escape(repr(bad)) + '$'
    with pytest.raises(ValueError) as err:
        call(bad)
    message = str(err.value)
    assert message.startswith(f'{name} must be {requirement}'), message
    assert re.search(f'got .*{shown}', message), message


def test_check_int_range_odd_and_hint():
    assert check_int('k', np.uint8(7), 1, 9, odd=True) == 7
    with pytest.raises(
            ValueError,
            match=r'^k must be an odd integer in \[1, 9\] '
            r'\(e\.g\. 5\), got 4$'):
        check_int('k', 4, 1, 9, odd=True, hint='e.g. 5')
    with pytest.raises(ValueError, match=r'^k must be an integer <= 2, '):
        check_int('k', 3, maximum=2)


def test_check_ints_and_check_real():
    assert check_ints('t', np.int64(3), 0) == (3, )
    assert check_ints('t', [np.int64(1), 2]) == (1, 2)
    assert check_ints('t', ()) == ()
    with pytest.raises(
            ValueError, match=r"^t must be integers >= 0, got \('abc',\)$"):
        check_ints('t', 'abc', 0)
    assert check_real('d', np.float32(0.5), 0, 1) == 0.5
    assert check_real('d', 2, 0) == 2.0
    for bad in (True, float('nan'), float('inf'), 0, '0.1'):
        with pytest.raises(ValueError, match=r'^d must be a finite number '):
            check_real('d', bad, 0)
    with pytest.raises(ValueError, match=r'^dilation must be a finite '):
        radius_from_dilation(True, 4, 4)


# --------------------------------------------------------------------------
# Labels are checked once per training step
# --------------------------------------------------------------------------
def _count_label_checks(monkeypatch):
    """Count the calls of check_label_values from the head mixin and from
    the functional losses' shared ground-truth check (the places that
    check labels)."""
    from cblseg.ops import check_label_values

    # (import_module: the package attributes of these names are functions)
    modules = [
        importlib.import_module(name)
        for name in ('cblseg.models.decode_heads.cbl_head_mixin',
                     'cblseg.models.losses.functional.cbl_window')
    ]
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[3] if len(args) > 3 else kwargs.get('what'))
        return check_label_values(*args, **kwargs)

    for module in modules:
        monkeypatch.setattr(module, 'check_label_values', counted)
    return calls


def _fcn_head_and_batch(label):
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    head = MODELS.build(
        dict(
            type='CBLFCNHead',
            in_channels=8,
            channels=8,
            num_convs=1,
            concat_input=False,
            num_classes=3,
            norm_cfg=dict(type='BN')))
    samples = []
    for _ in range(2):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=label[None].clone())
        sample.set_metainfo(dict(img_shape=(16, 16), pad_shape=(16, 16)))
        samples.append(sample)
    return head, [torch.randn(2, 8, 16, 16)], samples


def test_labels_checked_once_per_training_step(monkeypatch):
    label = torch.zeros(16, 16, dtype=torch.long)
    label[:, 8:] = 1
    label[12:, :4] = 2
    head, inputs, samples = _fcn_head_and_batch(label)
    calls = _count_label_checks(monkeypatch)
    with pytest.warns(UserWarning, match='no gt_edge_map'):
        losses = head.loss(inputs, samples, dict())
    assert 'loss_cbl_context' in losses
    assert calls == ['CBLFCNHead: gt_sem_seg']
    # a direct call of the loss still checks
    calls.clear()
    ConditionalBoundaryLoss()(*_loss_inputs()[:4], torch.randn(2, 4), None)
    assert calls == ['gt_sem_seg']


def test_head_check_names_the_head_and_values():
    label = torch.zeros(16, 16, dtype=torch.long)
    label[3, 3] = 7
    label[4, 4] = -2
    head, inputs, samples = _fcn_head_and_batch(label)
    with pytest.raises(ValueError) as err:
        head.loss(inputs, samples, dict())
    assert str(err.value) == (
        'CBLFCNHead: gt_sem_seg contains values [-2, 7] that are neither a '
        'class index in [0, 3) nor the ignore index 255')
