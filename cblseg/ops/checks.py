# Copyright (c) cblseg contributors. All rights reserved.
"""The argument checks of the whole package, one message style.

Every check raises ``ValueError('<name> must be <what is accepted>, got
<value>')``: the argument, what to give instead and the value given. The
rules are the same everywhere:

* integers: Python ints and numpy integers (``np.int64(4)``, as read from an
  array or a JSON file through numpy) are accepted and returned as ``int``;
  floats (``4.0``), bools (``True`` is no count), strings and ``None`` are
  rejected;
* real numbers: ints, floats and numpy numbers, finite; bools rejected.

This module imports nothing beyond the standard library (it is part of the
maths that runs without MMSeg, docs/standalone.md).
"""
import math
import numbers
from typing import Iterable, Optional, Sequence, Tuple

__all__ = [
    'check_int', 'check_ints', 'check_real', 'format_values',
    'MAX_REPORTED_VALUES'
]

#: How many offending values an error message lists.
MAX_REPORTED_VALUES = 8


def _is_integer(value) -> bool:
    # bool is an int subclass (and np.bool_ is not Integral): never a count
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _integer_requirement(minimum: Optional[int], maximum: Optional[int],
                         odd: bool) -> str:
    what = 'an odd integer' if odd else 'an integer'
    if minimum is not None and maximum is not None:
        return f'{what} in [{minimum}, {maximum}]'
    if minimum is not None:
        return f'{what} >= {minimum}'
    if maximum is not None:
        return f'{what} <= {maximum}'
    return what


def _message(name: str, requirement: str, hint: Optional[str], value) -> str:
    hint = f' ({hint})' if hint else ''
    return f'{name} must be {requirement}{hint}, got {value!r}'


def check_int(name: str,
              value,
              minimum: Optional[int] = None,
              maximum: Optional[int] = None,
              *,
              odd: bool = False,
              hint: Optional[str] = None) -> int:
    """``value`` as an ``int``, if it is an integer in range.

    Args:
        name (str): The argument's name in the message (may carry a prefix
            such as ``'CBLASPPHead: kernel_size'``).
        value: The value to check: a Python or numpy integer.
        minimum (int, optional): The smallest value allowed.
        maximum (int, optional): The largest value allowed.
        odd (bool): Whether the value must be odd. Defaults to False.
        hint (str, optional): Why, or an example, put in parentheses after
            the requirement.

    Returns:
        int: ``int(value)``.

    Raises:
        ValueError: ``'<name> must be an integer >= <minimum>, got
            <value>'`` (the requirement as given) for floats, bools, other
            types and values out of range.
    """
    if (not _is_integer(value) or (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
            or (odd and value % 2 == 0)):
        raise ValueError(
            _message(name, _integer_requirement(minimum, maximum, odd), hint,
                     value))
    return int(value)


def check_ints(name: str,
               values,
               minimum: Optional[int] = None,
               *,
               hint: Optional[str] = None) -> Tuple[int, ...]:
    """One integer or a sequence of integers, each checked as by
    :func:`check_int`; returned as a tuple of ``int`` in the given order.

    Raises:
        ValueError: ``'<name> must be integers >= <minimum>, got
            <values>'``, naming the whole argument.
    """
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = (values, )  # one value (checked below)
    values = tuple(values)
    requirement = 'integers' if minimum is None else f'integers >= {minimum}'
    if not all(
            _is_integer(v) and (minimum is None or v >= minimum)
            for v in values):
        raise ValueError(_message(name, requirement, hint, values))
    return tuple(int(v) for v in values)


def check_real(name: str,
               value,
               above: Optional[float] = None,
               below: Optional[float] = None,
               *,
               hint: Optional[str] = None) -> float:
    """``value`` as a ``float``, if it is a finite number with
    ``above < value < below`` (bounds exclusive, each optional).

    Raises:
        ValueError: ``'<name> must be a finite number > <above>, got
            <value>'`` (or ``in (above, below)``) for bools, non-numbers,
            NaN, infinities and values out of range.
    """
    if above is not None and below is not None:
        requirement = f'a number in ({above}, {below})'
    elif above is not None:
        requirement = f'a finite number > {above}'
    elif below is not None:
        requirement = f'a finite number < {below}'
    else:
        requirement = 'a finite number'
    if (isinstance(value, bool) or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
            or (above is not None and not value > above)
            or (below is not None and not value < below)):
        raise ValueError(_message(name, requirement, hint, value))
    return float(value)


def format_values(values: Sequence, limit: int = MAX_REPORTED_VALUES) -> str:
    """The first ``limit`` of a (sorted) sequence of values, for messages:
    ``'[3, 7]'``, or ``'[0, 1, 2, 3, 4, 5, 6, 7, ... (4 more)]'``."""
    values = list(values)
    shown = ', '.join(str(v) for v in values[:limit])
    more = len(values) - limit
    return f'[{shown}, ... ({more} more)]' if more > 0 else f'[{shown}]'
