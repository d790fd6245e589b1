"""Checkpoints load on torch >= 2.6 with an allow-list, and only with it."""
import collections
import os

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, _load_checkpoint

import cblseg  # noqa: F401  (registers the safe loader)
from cblseg.utils import UnsafeCheckpointError, load_checkpoint_safely


class NotAllowed:
    """Stands for any class a checkpoint could smuggle in."""

    def __init__(self):
        self.x = 1


class RunsCode:

    def __reduce__(self):
        return (os.getcwd, ())


def _mmengine_like_checkpoint():
    buffer = HistoryBuffer()
    buffer.update(0.5)
    buffer.update(0.25)
    return dict(
        meta=dict(
            iter=4,
            seed=np.int64(3),
            dataset_meta=dict(classes=('a', 'b'), palette=[[1, 2, 3]]),
            hook_msgs=dict(last_ckpt='x')),
        message_hub=dict(
            log_scalars=collections.OrderedDict(loss=buffer),
            runtime_info=dict(arr=np.arange(3, dtype=np.float32)),
            resumed_keys=dict(loss=True)),
        state_dict=collections.OrderedDict(w=torch.ones(2)),
        optimizer=dict(state={0: dict(momentum_buffer=torch.zeros(2))},
                       param_groups=[dict(lr=0.1, params=[0])]))


def test_loader_is_registered_for_local_files():
    assert CheckpointLoader._schemes[''] is load_checkpoint_safely


def test_mmengine_types_load(tmp_path):
    path = str(tmp_path / 'ok.pth')
    torch.save(_mmengine_like_checkpoint(), path)
    # plain torch refuses it (the problem this module solves) ...
    with pytest.raises(Exception):
        torch.load(path, weights_only=True)
    # ... ours and mmengine's entry points load it
    for ckpt in (load_checkpoint_safely(path), _load_checkpoint(path)):
        assert ckpt['meta']['iter'] == 4
        assert ckpt['message_hub']['log_scalars']['loss'].current() == 0.25
        np.testing.assert_array_equal(
            ckpt['message_hub']['runtime_info']['arr'], [0, 1, 2])


@pytest.mark.parametrize('payload,name', [(NotAllowed(), 'NotAllowed'),
                                          (RunsCode(), 'getcwd')])
def test_arbitrary_objects_are_refused(tmp_path, payload, name):
    path = str(tmp_path / 'evil.pth')
    ckpt = _mmengine_like_checkpoint()
    ckpt['meta']['extra'] = payload
    torch.save(ckpt, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        _load_checkpoint(path)
    message = str(err.value)
    assert path in message and name in message
    assert 'weights_only=True' in message
    model = torch.nn.Linear(2, 2)
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint(model, path)


class _GetattrChain:
    """Pickles as getattr(HistoryBuffer, '__init__'): a walk out of the
    allowed class that a plain getattr allow-list would permit."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_is_limited_to_history_buffer_methods(tmp_path):
    path = str(tmp_path / 'walk.pth')
    torch.save(dict(meta=dict(x=_GetattrChain())), path)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_safely(path)
    assert '__init__' in str(err.value)
