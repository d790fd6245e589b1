# Copyright (c) cblseg contributors. All rights reserved.
"""Checks of integer arguments, with the message the tools show."""

__all__ = ['check_int']


def check_int(name: str, value, minimum: int) -> int:
    """``value`` as an int, if it is a whole number >= ``minimum``.

    Args:
        name (str): The argument's name in the error message.
        value: An int, or a float with an integer value (``4.0``).
        minimum (int): The smallest value allowed.

    Returns:
        int: ``int(value)``.

    Raises:
        ValueError: ``'<name> must be an integer >= <minimum>, got
            <value>'`` for bools, fractions and values below ``minimum``.
    """
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(
            f'{name} must be an integer >= {minimum}, got {value!r}')
    return int(value)
