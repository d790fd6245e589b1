"""check_int: the integer-argument check of the pictures and tools."""
import pytest

from cblseg.utils import check_int


@pytest.mark.parametrize('value, expected', [(4, 4), (4.0, 4), (0, 0)])
def test_whole_numbers_pass_as_int(value, expected):
    result = check_int('k', value, 0)
    assert result == expected and type(result) is int


@pytest.mark.parametrize('value', [True, 2.5, -1])
def test_other_values_are_named(value):
    with pytest.raises(ValueError,
                       match=rf'^k must be an integer >= 0, got {value!r}$'):
        check_int('k', value, 0)
