"""Loading mmengine checkpoints safely on torch >= 2.6.

torch 2.6 made ``torch.load`` default to ``weights_only=True``: it refuses to
unpickle anything but tensors, containers and a few builtins. mmengine
checkpoints also hold numpy arrays and mmengine's ``HistoryBuffer`` (in the
message hub), so ``--resume``, ``load_from`` and testing a checkpoint fail.

The fix here keeps ``weights_only=True`` and allow-lists exactly the types that
mmengine writes into a checkpoint (and the empty ``bytes`` that pickle writes
for empty numpy arrays, see :func:`_empty_bytes`). Anything else (an arbitrary
pickled object can run code when unpickled) is refused with
:class:`UnsafeCheckpointError` naming the offending global.
:func:`register_safe_checkpoint_loader` installs the loader for local files in
mmengine's ``CheckpointLoader``, so the Runner (resume, load_from, test) and
``mmengine.runner.load_checkpoint`` use it.
"""
import inspect
import pickle
import re
import warnings
from typing import Any, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.runner.checkpoint import CheckpointLoader

__all__ = [
    'UnsafeCheckpointError', 'mmengine_checkpoint_safe_globals',
    'load_checkpoint_safely', 'register_safe_checkpoint_loader'
]


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a pickled object outside the allow-list."""


def _numpy_globals() -> List[Union[Any, Tuple[Any, str]]]:
    """numpy objects that appear when numpy arrays and scalars are pickled.

    Checkpoints written under numpy 1.x name ``numpy.core.multiarray``; numpy
    2.x moved it to ``numpy._core``. Both spellings are listed.
    """
    try:
        from numpy._core import multiarray  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray
    entries: List[Union[Any, Tuple[Any, str]]] = [np.ndarray, np.dtype]
    for name in ('_reconstruct', 'scalar'):
        func = getattr(multiarray, name)
        entries.append((func, f'numpy.core.multiarray.{name}'))
        entries.append((func, f'numpy._core.multiarray.{name}'))
    # Concrete dtype classes (numpy >= 1.25 pickles e.g. Float64DType).
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        for name in dir(dtypes):
            obj = getattr(dtypes, name)
            if isinstance(obj, type) and name.endswith('DType'):
                entries.append(obj)
    return entries


def _history_buffer_method(owner: Any, name: str) -> Any:
    """Stands in for ``builtins.getattr`` while unpickling.

    ``HistoryBuffer.__getstate__`` stores its statistics methods, which pickle
    as ``getattr(HistoryBuffer, 'mean')``. Allowing the real ``getattr`` would
    let a file walk from an allowed class to anything reachable from it; this
    resolves public functions defined on HistoryBuffer and nothing else.
    """
    from mmengine.logging import HistoryBuffer
    attr = vars(HistoryBuffer).get(name) if owner is HistoryBuffer else None
    if (isinstance(name, str) and not name.startswith('_')
            and inspect.isfunction(attr)):
        return attr
    raise pickle.UnpicklingError(
        f'GLOBAL builtins.getattr is allowed only for HistoryBuffer methods, '
        f'not getattr({owner!r}, {name!r})')


def _empty_bytes(*args: Any) -> bytes:
    """Stands in for ``builtins.bytes`` while unpickling: ``bytes()`` only.

    ``torch.save`` pickles with protocol 2, which writes a non-empty
    ``bytes`` as ``_codecs.encode(str, 'latin1')`` (allowed by torch) but an
    empty one as the call ``bytes()``. Empty numpy arrays (an mmengine
    ``HistoryBuffer`` with no values holds two) pickle their raw data as
    such an empty ``bytes``, so without this every checkpoint holding one
    was refused. pickle itself never writes ``bytes`` with arguments, and
    the real ``bytes`` would accept some that are not harmless: an int
    allocates that many bytes (``bytes(10**12)`` exhausts memory) and an
    object's ``__bytes__`` runs its code. So the call without arguments is
    the only one answered.
    """
    if args:
        raise pickle.UnpicklingError(
            'GLOBAL builtins.bytes is allowed only as bytes() (the empty '
            'bytes that pickle protocol 2 writes), not with arguments '
            f'{_short_repr(args)}')
    return b''


def _short_repr(obj: Any, limit: int = 80) -> str:
    text = repr(obj)
    return text if len(text) <= limit else text[:limit] + '...'


def mmengine_checkpoint_safe_globals() -> List[Union[Any, Tuple[Any, str]]]:
    """Everything beyond torch's defaults that an mmengine checkpoint holds.

    Returns:
        list: Objects (or ``(object, qualified_name)`` pairs) for
        ``torch.serialization.safe_globals``.
    """
    from mmengine.logging import HistoryBuffer
    return [
        HistoryBuffer, (_history_buffer_method, 'builtins.getattr'),
        (_empty_bytes, 'builtins.bytes'), *_numpy_globals()
    ]


def _unsupported_global(message: str) -> Optional[str]:
    match = re.search(r'GLOBAL ([\w.]+)', message)
    if match:
        return match.group(1)
    match = re.search(r'Unsupported (?:global|class)[:\s]+([\w.]+)', message)
    return match.group(1) if match else None


def _detail_line(message: str) -> str:
    """The line of torch's long unpickling message that names the culprit."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    for line in lines:
        if 'GLOBAL' in line or 'getattr' in line or 'Unsupported' in line:
            return line[:300]
    return lines[0][:300] if lines else 'no detail'


def load_checkpoint_safely(filename: str, map_location=None) -> Any:
    """``torch.load`` with ``weights_only=True`` and mmengine's types allowed.

    Args:
        filename (str): Path of the checkpoint file.
        map_location: Same as :func:`torch.load`.

    Returns:
        The loaded checkpoint (usually a dict).

    Raises:
        UnsafeCheckpointError: When the file holds a pickled object that is
            not on the allow-list.
    """
    if not hasattr(torch.serialization, 'safe_globals'):  # torch < 2.5
        return torch.load(filename, map_location=map_location)
    with torch.serialization.safe_globals(mmengine_checkpoint_safe_globals()):
        try:
            return torch.load(
                filename, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            detail = _detail_line(str(err))
            if 'Unsupported operand' in str(err):
                # Not a refused object: torch's weights_only unpickler reads
                # only what pickle protocol 2 (torch.save's default) writes.
                raise UnsafeCheckpointError(
                    f'Cannot load checkpoint {filename!r} safely: it was '
                    'pickled with a protocol newer than 2 (torch.save(..., '
                    'pickle_protocol=N)), whose opcodes torch.load('
                    f'weights_only=True) does not read ({detail}). '
                    'Re-save it with torch.save(checkpoint, path) (protocol '
                    '2) in a session that trusts the file.') from None
            offending = _unsupported_global(str(err)) or 'an unknown object'
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {filename!r}: it contains the '
                f'pickled object `{offending}` ({detail}), which is not one '
                'of the types '
                'mmengine writes into checkpoints (tensors, containers, '
                'numbers, strings, numpy arrays, mmengine HistoryBuffer). '
                'Unpickling an unknown object can execute arbitrary code, so '
                'cblseg loads checkpoints with torch.load(weights_only=True) '
                'and an allow-list. If you made this file yourself and trust '
                'it, re-save it with only plain types, or allow-list that '
                'class with torch.serialization.add_safe_globals([...]) '
                'before training/testing.') from None


def register_safe_checkpoint_loader() -> None:
    """Make mmengine load local checkpoints through
    :func:`load_checkpoint_safely`.

    Called when ``cblseg`` is imported (through ``custom_imports`` too), so
    ``--resume``, ``load_from`` and ``tools/test.py`` work on torch >= 2.6.
    """
    if not hasattr(torch.serialization, 'safe_globals'):
        warnings.warn(
            f'torch {torch.__version__} has no torch.serialization.'
            'safe_globals; cblseg leaves checkpoint loading to mmengine.')
        return
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_checkpoint_safely, force=True)
