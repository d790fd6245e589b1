# Copyright (c) cblseg contributors. All rights reserved.
"""Argument checks with the messages the tools and registries show."""
import difflib
import inspect
from typing import Callable, List, Mapping

# The integer check of the whole package lives with the maths (importable
# without mmengine); re-exported here for the tools and pictures.
from cblseg.ops.checks import check_int

__all__ = ['check_int', 'accepted_arguments', 'reject_unknown_kwargs']


def accepted_arguments(function: Callable) -> List[str]:
    """The keyword arguments ``function`` names in its signature (without
    ``self`` and the ``*args`` / ``**kwargs`` catch-alls), in order."""
    return [
        name
        for name, parameter in inspect.signature(function).parameters.items()
        if name != 'self' and parameter.kind not in (
            inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD,
            inspect.Parameter.POSITIONAL_ONLY)
    ]


def reject_unknown_kwargs(owner: str, kwargs: Mapping,
                          function: Callable) -> None:
    """Raise a TypeError for the keys of ``kwargs`` (the ``**kwargs`` that
    ``function`` collected), naming them and the accepted arguments.

    Python's own message ("got an unexpected keyword argument 'x'") does
    not list what is accepted, and a config key that a registry passes on
    is easy to misspell; a close name is suggested.

    Args:
        owner (str): What the arguments were given to, e.g. the class name.
        kwargs (Mapping): The unknown keyword arguments (nothing happens if
            empty).
        function (Callable): The function whose signature lists the
            accepted arguments (usually ``Class.__init__``).

    Raises:
        TypeError: ``"<owner> got unknown argument(s) 'x' (did you mean
            'y'?); accepted: a, b, c"``.
    """
    if not kwargs:
        return
    accepted = accepted_arguments(function)
    described = []
    for name in sorted(kwargs, key=str):
        close = difflib.get_close_matches(str(name), accepted, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ''
        described.append(f'{name!r}{hint}')
    noun = 'argument' if len(described) == 1 else 'arguments'
    raise TypeError(f'{owner} got unknown {noun} {", ".join(described)}; '
                    f'accepted: {", ".join(accepted)}')
