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
        optimizer=dict(
            state={0: dict(momentum_buffer=torch.zeros(2))},
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


# --- Empty arrays and bytes: benign content that used to be refused --------
# torch.save pickles with protocol 2, which writes an empty ``bytes`` as the
# call ``builtins.bytes()``; numpy stores an empty array's raw data as such a
# bytes, and an mmengine HistoryBuffer without values holds two empty
# arrays. The loader answers ``bytes()`` and nothing else (_empty_bytes).

_EMPTY_ARRAYS = dict(
    float64=np.array([]),
    float32=np.zeros(0, np.float32),
    int64=np.zeros((0, 3), np.int64),
    uint8=np.zeros((2, 0), np.uint8),
    bool=np.zeros(0, bool),
    unicode=np.array([], dtype='<U4'),
    fortran=np.asfortranarray(np.zeros((0, 2), np.float16)),
)


def _checkpoint_with_empties():
    ckpt = _mmengine_like_checkpoint()
    ckpt['meta']['empty_arrays'] = dict(_EMPTY_ARRAYS)
    ckpt['meta']['empty_bytes'] = b''
    ckpt['meta']['some_bytes'] = b'\x00abc'  # _codecs.encode, as before
    ckpt['message_hub']['log_scalars']['never_updated'] = HistoryBuffer()
    ckpt['message_hub']['runtime_info'].update(
        empty=np.array([]), empty_bytes=b'', nested=[dict(a=np.zeros(0))])
    return ckpt


def test_empty_arrays_buffers_and_bytes_load(tmp_path):
    path = str(tmp_path / 'empties.pth')
    torch.save(_checkpoint_with_empties(), path)
    for ckpt in (load_checkpoint_safely(path), _load_checkpoint(path)):
        for name, expected in _EMPTY_ARRAYS.items():
            got = ckpt['meta']['empty_arrays'][name]
            assert isinstance(got, np.ndarray), name
            assert got.dtype == expected.dtype and got.shape == expected.shape
        assert ckpt['meta']['empty_arrays']['fortran'].flags.f_contiguous
        assert ckpt['meta']['empty_bytes'] == b''
        assert type(ckpt['meta']['empty_bytes']) is bytes
        assert ckpt['meta']['some_bytes'] == b'\x00abc'
        hub = ckpt['message_hub']
        empty = hub['log_scalars']['never_updated']
        assert isinstance(empty, HistoryBuffer)
        log, count = empty.data
        assert log.size == 0 and count.size == 0
        empty.update(2.0)  # still a working buffer
        assert empty.current() == 2.0 and empty.mean() == 2.0
        assert hub['log_scalars']['loss'].current() == 0.25
        assert hub['runtime_info']['empty'].shape == (0, )
        assert hub['runtime_info']['empty_bytes'] == b''
        assert hub['runtime_info']['nested'][0]['a'].shape == (0, )


def test_load_checkpoint_into_model_with_empty_meta(tmp_path):
    """mmengine's load_checkpoint (load_from, tools/test.py) on such a
    file loads the weights."""
    model = torch.nn.Linear(2, 2)
    ckpt = _checkpoint_with_empties()
    ckpt['state_dict'] = {k: v + 1 for k, v in model.state_dict().items()}
    path = str(tmp_path / 'model.pth')
    torch.save(ckpt, path)
    load_checkpoint(model, path)
    for key, value in model.state_dict().items():
        assert torch.equal(value, ckpt['state_dict'][key])


class _Reduce:
    """Pickles as the call ``func(*args)``: how every gadget is written."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


def _refused_message(tmp_path, payload, where='meta'):
    path = str(tmp_path / 'payload.pth')
    ckpt = _mmengine_like_checkpoint()
    ckpt[where]['payload'] = payload
    torch.save(ckpt, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_safely(path)
    with pytest.raises(UnsafeCheckpointError):
        _load_checkpoint(path)
    message = str(err.value)
    assert path in message
    return message


def test_os_system_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / 'ran'
    payload = _Reduce(os.system, f'touch {marker}')
    message = _refused_message(tmp_path, payload)
    assert 'system' in message
    assert not marker.exists()


@pytest.mark.parametrize('func,arg', [(eval, '__import__("os").getpid()'),
                                      (exec, 'import os'), (compile, 'x')])
def test_eval_exec_payloads_are_refused(tmp_path, func, arg):
    message = _refused_message(tmp_path, _Reduce(func, arg), 'message_hub')
    assert func.__name__ in message


@pytest.mark.parametrize(
    'args',
    [
        (10**6, ),  # allocates: bytes(10**12) would exhaust memory
        ('abc', 'latin1'),
        (b'abc', ),
        ([1, 2, 3], ),
    ])
def test_bytes_with_arguments_is_refused(tmp_path, args):
    """Only ``bytes()`` is answered: pickle never writes bytes(...) with
    arguments, and bytes(n) / bytes(obj) allocate or run __bytes__."""
    message = _refused_message(tmp_path, _Reduce(bytes, *args))
    assert 'builtins.bytes' in message and 'bytes()' in message


@pytest.mark.parametrize(
    'payload,shown',
    [
        # a walk from an allowed method to its module globals
        (_Reduce(getattr, _Reduce(getattr, HistoryBuffer, 'mean'),
                 '__globals__'), '__globals__'),
        # getattr on another allowed class
        (_Reduce(getattr, np.ndarray, 'tofile'), 'tofile'),
        # a private HistoryBuffer attribute
        (_Reduce(getattr, HistoryBuffer,
                 '_set_default_statistics'), '_set_default_statistics'),
        # numpy functions outside the reconstruction helpers
        (_Reduce(np.load, 'x.npy'), 'numpy.load'),
        (_Reduce(np.frombuffer, b'\x00' * 8), 'frombuffer'),
    ])
def test_getattr_and_numpy_gadgets_are_refused(tmp_path, payload, shown):
    assert shown in _refused_message(tmp_path, payload)


# --- A real checkpoint: what mmengine's Runner writes after training,
# validation and testing (every kind of message-hub content) ---------------
def _assert_identical(a, b, path='ckpt'):
    assert type(a) is type(b), f'{path}: {type(a)} != {type(b)}'
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and torch.equal(a, b), path
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype, path
        np.testing.assert_array_equal(a, b, err_msg=path)
    elif isinstance(a, HistoryBuffer):
        assert a.max_length == b.max_length, path
        for x, y in zip(a.data, b.data):
            _assert_identical(x, y, f'{path}.data')
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            _assert_identical(a[key], b[key], f'{path}.{key}')
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_identical(x, y, f'{path}[{i}]')
    elif isinstance(a, (float, np.floating)) and a != a:
        assert b != b, path  # NaN
    else:
        assert a == b, f'{path}: {a!r} != {b!r}'


@pytest.mark.slow
def test_runner_checkpoint_after_train_val_test_round_trips(
        synthetic_cityscapes_root, tmp_path):
    from mmengine.logging import MessageHub

    from cblseg.apis import build_train_runner, parse_train_args
    from helpers import REPO_ROOT, tiny_train_options
    config = os.path.join(
        REPO_ROOT, 'configs/cbl/'
        'cbl-ocrnet_hr-tiny_1xb4-800_synthetic-cityscapes-128x256.py')
    work_dir = str(tmp_path / 'work')
    runner = build_train_runner(
        parse_train_args([config, '--work-dir', work_dir, '--cfg-options'] +
                         tiny_train_options(synthetic_cityscapes_root, 2, 2)))
    runner.train()  # 2 iterations, then validation
    runner.test()
    runner.save_checkpoint(work_dir, 'after_test.pth')
    path = os.path.join(work_dir, 'after_test.pth')

    trusted = torch.load(path, map_location='cpu', weights_only=False)
    scalars = trusted['message_hub']['log_scalars']
    for key in ('train/loss', 'train/decode_1.loss_cbl_context', 'val/mIoU',
                'test/mIoU', 'test/mBIoU'):
        assert isinstance(scalars[key], HistoryBuffer), sorted(scalars)
    for ckpt in (load_checkpoint_safely(path, map_location='cpu'),
                 _load_checkpoint(path, map_location='cpu')):
        _assert_identical(trusted, ckpt)
    # what Runner.resume does with it
    hub = MessageHub.get_instance('checkpoint_round_trip')
    hub.load_state_dict(load_checkpoint_safely(path)['message_hub'])
    assert hub.get_scalar('test/mIoU').current() == \
        scalars['test/mIoU'].current()
    # and the periodic checkpoint of the same run
    _assert_identical(
        torch.load(os.path.join(work_dir, 'iter_2.pth'), weights_only=False),
        load_checkpoint_safely(os.path.join(work_dir, 'iter_2.pth')))


def test_newer_pickle_protocol_is_named(tmp_path):
    """torch's weights_only unpickler reads protocol 2 only (torch.save's
    default): a protocol-4 file is refused with a message that says so,
    not as 'an unknown object'."""
    path = str(tmp_path / 'protocol4.pth')
    torch.save(dict(state_dict=dict(w=torch.ones(2))), path, pickle_protocol=4)
    with pytest.raises(UnsafeCheckpointError) as err:
        load_checkpoint_safely(path)
    message = str(err.value)
    assert path in message and 'protocol' in message
    assert 'unknown object' not in message
