"""check_int (re-exported by cblseg.utils): the integer-argument check of
the pictures and tools is the package's one check (cblseg.ops.checks)."""
import re

import numpy as np
import pytest

from cblseg.ops.checks import check_int as ops_check_int
from cblseg.utils import check_int


def test_one_check():
    assert check_int is ops_check_int


@pytest.mark.parametrize('value, expected', [(4, 4), (np.int64(4), 4),
                                             (np.uint8(0), 0), (0, 0)])
def test_integers_pass_as_int(value, expected):
    result = check_int('k', value, 0)
    assert result == expected and type(result) is int


@pytest.mark.parametrize('value', [True, 4.0, 2.5, -1, '4', None])
def test_other_values_are_named(value):
    message = f'k must be an integer >= 0, got {value!r}'
    with pytest.raises(ValueError, match=f'^{re.escape(message)}$'):
        check_int('k', value, 0)
