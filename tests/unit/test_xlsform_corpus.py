"""Issue 26: the round trip over our own corpus (tests/xlsform_corpus.py) and every bundled instrument:
import -> export -> pyxform -> import again keeps every language, label, choice, or_other, constraint and its
message, required_message, type, the title, the groups and the repeats; nothing in the corpus is refused."""

from __future__ import annotations

import dataclasses

import pytest

from forms import load_bundled
from forms.schema import Instrument
from forms.xlsform import read_xlsform
from forms.xlsform_export import write_xlsform
from tests.xlsform_corpus import CORPUS


def _same(first: Instrument, second: Instrument) -> None:
    assert first.title == second.title and first.languages == second.languages
    assert first.default_language == second.default_language and first.kind == second.kind
    assert first.dimensions == second.dimensions
    assert first.sections == second.sections, "every section, item, label, choice, check and message"


@pytest.mark.parametrize(("name", "book", "media"), CORPUS, ids=[c[0] for c in CORPUS])
def test_every_corpus_form_imports_and_comes_back_the_same(
    name: str, book: bytes, media: dict[str, bytes]
) -> None:
    from pyxform.xls2xform import convert

    first = read_xlsform(book, source=f"{name}.xlsx", media=media)
    assert first.problems == [], [f"{p.path}: {p.reason}" for p in first.problems]
    assert first.instrument is not None
    assert not [n for n in first.notes if "could not check" in n.reason], "pyxform read it"
    exported = write_xlsform(first.instrument)
    assert convert(xlsform=exported, file_type=".xlsx").xform, "ODK's converter reads our export"
    second = read_xlsform(exported, source=f"{name}.xlsx")
    assert second.problems == [] and second.instrument is not None
    _same(first.instrument, second.instrument)
    third = read_xlsform(write_xlsform(second.instrument), source=f"{name}.xlsx")
    assert third.instrument is not None
    _same(second.instrument, third.instrument)


def test_the_corpus_exercises_every_feature() -> None:
    forms = {name: read_xlsform(book, media=media).instrument for name, book, media in CORPUS}
    assert all(f is not None for f in forms.values())
    items = [i for f in forms.values() if f is not None for i in f.items]
    types = {i.type for i in items} | {i.format for i in items if i.format}
    for wanted in ("likert5", "yesno", "single", "multi", "number", "integer", "range", "text", "photo",
                   "time", "note", "date", "datetime", "acknowledge", "geopoint", "calculate"):  # fmt: skip
        assert wanted in types, wanted
    assert any(s.repeat and s.repeat_count for f in forms.values() if f for s in f.sections)
    assert any(i.choice_filter for i in items) and any(i.constraint_message for i in items)
    assert any(i.required_message for i in items) and any(i.hint for i in items)
    assert any(o.value == "other" for i in items for o in i.options), "or_other"
    assert {lang for f in forms.values() if f for lang in f.languages} >= {"Français (fr)", "Deutsch (de)"}
    hand = forms["hand_written"]
    assert hand is not None
    spelled = {i.id: i.type for i in hand.items}
    assert (spelled["intro"], spelled["owner"], spelled["rooms"], spelled["ok"], spelled["moved_in"]) == (
        "note",
        "yesno",
        "number",
        "acknowledge",
        "datetime",
    ), "pyxform's older spellings read as their types"
    assert "started" not in spelled, "a metadata row is not a question"


@pytest.mark.parametrize("key", sorted(load_bundled()))
def test_every_bundled_instrument_comes_back_through_pyxform(key: str) -> None:
    from pyxform.xls2xform import convert

    original = load_bundled()[key]
    exported = write_xlsform(original)
    assert convert(xlsform=exported, file_type=".xlsx").xform
    back = read_xlsform(exported, source=f"{key}.xlsx")
    assert back.problems == [] and back.instrument is not None
    assert dataclasses.replace(back.instrument, source="") == dataclasses.replace(original, source="")
