"""The threat levels of the README's examples: a fresh incident at its place sets these levels."""

import pytest

from jsms.risk.areas import level_for
from jsms.risk.surface import RiskModel


@pytest.mark.parametrize(
    ("kind", "killed", "injured", "protected", "level"),
    [
        ("threat", 0, 0, False, 1),
        ("ied", 0, 0, False, 2),
        ("armed_attack", 4, 0, False, 3),
        ("suicide_bombing", 2, 10, False, 4),
        ("suicide_bombing", 10, 0, True, 5),
    ],
)
def test_readme_examples(kind, killed, injured, protected, level):
    assert level_for(RiskModel().severity(kind, killed, injured, protected)) == level


@pytest.mark.parametrize(
    ("intensity", "level"), [(0, 1), (1.99, 1), (2, 2), (4.99, 2), (5, 3), (12, 4), (25, 5), (1000, 5)]
)
def test_bounds(intensity, level):
    assert level_for(intensity) == level
