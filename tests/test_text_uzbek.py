"""Tests for service.text.uzbek: official Uzbek apostrophes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.text import (
    fold_uzbek_apostrophes,
    normalize_uzbek,
)

# --------------------------------------------------------------------------------------------
# Uzbek apostrophes
# --------------------------------------------------------------------------------------------

OKINA, TUTUQ = "\u02bb", "\u02bc"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("O'zbekiston", f"O{OKINA}zbekiston"),
        ("o‘zbek g‘alaba", f"o{OKINA}zbek g{OKINA}alaba"),
        ("G`ulom o’qidi", f"G{OKINA}ulom o{OKINA}qidi"),
        (f"bo{TUTUQ}lgan", f"bo{OKINA}lgan"),
        (f"O{OKINA}zbekiston", f"O{OKINA}zbekiston"),
        ("a'lo ma'no san'at", f"a{TUTUQ}lo ma{TUTUQ}no san{TUTUQ}at"),
        ("e‘lon", f"e{TUTUQ}lon"),
        ("Tog' va bog'.", f"Tog{OKINA} va bog{OKINA}."),
        ("'muppets' deb", "'muppets' deb"),
        ("‘Muppet’ so'zi", f"‘Muppet’ so{OKINA}zi"),
        ("“O'zbekiston” gazetasi", f"“O{OKINA}zbekiston” gazetasi"),
        ("'bog' deb", "'bog' deb"),
        ("Salom, dunyo!", "Salom, dunyo!"),
        ("", ""),
    ],
)
def test_normalize_uzbek(text: str, expected: str) -> None:
    assert normalize_uzbek(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("oOgGab '`‘’ʻʼ.“”")), max_size=40))
def test_normalize_uzbek_only_touches_apostrophes(text: str) -> None:
    normalized = normalize_uzbek(text)
    assert len(normalized) == len(text)
    for before, after in zip(text, normalized, strict=True):
        assert before == after or (before in "'`‘’ʻʼ" and after in (OKINA, TUTUQ))
    assert fold_uzbek_apostrophes(normalized) == fold_uzbek_apostrophes(text)
    assert normalize_uzbek(normalized) == normalized


def test_fold_uzbek_apostrophes() -> None:
    variants = ["O'zbekiston", "O`zbekiston", "O‘zbekiston", "O’zbekiston", "Oʻzbekiston"]
    assert {fold_uzbek_apostrophes(v) for v in variants} == {f"O{TUTUQ}zbekiston"}
    assert fold_uzbek_apostrophes("ma'no, 'gap'") == f"ma{TUTUQ}no, {TUTUQ}gap{TUTUQ}"
    assert fold_uzbek_apostrophes("Salom “dunyo”") == "Salom “dunyo”"
