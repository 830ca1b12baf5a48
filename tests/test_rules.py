"""Length rules say which bound a value broke."""

from __future__ import annotations

import pytest

from taskmaster.errors import Invalid
from taskmaster.rules import within


def test_values_within_bounds_pass_unchanged() -> None:
    assert within("abc", "Name", at_least=3, at_most=3) == "abc"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ab", "Code must be at least 3 characters long"),
        ("abcde", "Code must be at most 4 characters long"),
    ],
)
def test_values_out_of_bounds_are_refused(value: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        within(value, "Code", at_least=3, at_most=4)
    assert refused.value.message == message
