"""Receipts and poster codes: short, grouped, no look-alikes, read in any case."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey_app.short_codes import ALPHABET, LENGTH, grouped, new_code, normalise, receipt_key


def test_alphabet_has_no_look_alikes() -> None:
    assert not set("01OIL") & set(ALPHABET) and len(set(ALPHABET)) == 31


def test_new_codes_are_random_and_grouped_for_reading_aloud() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == LENGTH and set(c) <= set(ALPHABET) for c in codes)
    assert grouped("K7M4QX") == "K7M-4QX"


@given(st.text(alphabet=ALPHABET, min_size=LENGTH, max_size=LENGTH))
def test_typed_in_any_case_with_spaces_or_dash(code: str) -> None:
    for typed in (code.lower(), f" {code[:3]} {code[3:]} ", grouped(code), grouped(code).lower()):
        assert normalise(typed) == code
    assert receipt_key(code.lower()) == grouped(code)


def test_what_cannot_be_a_code() -> None:
    for text in ("K7M4Q", "K7M4QXX", "K7M-4QO", "k7m4q1", "", "ÄÖÜ123"):
        assert normalise(text) is None
    assert receipt_key("r-1a2b3c4d5e6f") == "r-1a2b3c4d5e6f", "older receipts are looked up as they are"
