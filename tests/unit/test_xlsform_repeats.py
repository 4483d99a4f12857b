"""Issue 26: repeats. A `begin repeat` becomes a repeat section (inside a group too: the group goes on after
it), its count fixed by a number or an earlier answer, or extended by the respondent; each entry is checked
on its own, with conditions and calculations that see the entry's answers; entries are added and removed
without shifting anyone's answers; it goes back as a repeat that pyxform reads; and what we do not run is
refused by row (a repeat inside a repeat, an answer of a repeat used outside it)."""

from __future__ import annotations

import pytest

from forms.answers import check_answers, flat_answers
from forms.loader import parse_instrument
from forms.repeats import RepeatActionError, after_action, apply_action
from forms.xlsform import read_xlsform
from forms.xlsform_export import write_xlsform
from tests.xlsform_books import workbook

HEAD = ["type", "name", "label", "required", "repeat_count", "relevant", "calculation"]
HOUSEHOLD = [
    HEAD,
    ["integer", "hh_size", "How many live here?", "yes", "", "", ""],
    ["begin group", "household", "Household", "", "", "", ""],
    ["text", "village", "Village", "no", "", "", ""],
    ["begin repeat", "member", "Member", "", "${hh_size}", "", ""],
    ["text", "m_name", "Name", "yes", "", "", ""],
    ["integer", "m_age", "Age", "yes", "", "", ""],
    ["calculate", "m_adult", "", "", "", "", "if(${m_age} >= 18, 'yes', 'no')"],
    ["text", "m_work", "Work", "no", "", "${m_adult} = 'yes'", ""],
    ["end repeat", "", "", "", "", "", ""],
    ["note", "thanks", "Thank you", "", "", "", ""],
    ["end group", "", "", "", "", "", ""],
    ["begin_repeat", "visit", "Visits", "", "", "", ""],
    ["date", "when", "When", "yes", "", "", ""],
    ["end_repeat", "", "", "", "", "", ""],
]  # fmt: skip


def test_a_repeat_becomes_a_section_and_the_group_goes_on_after_it() -> None:
    form = read_xlsform(workbook(HOUSEHOLD)).instrument
    assert form is not None
    shape = [(s.id, s.repeat, s.repeat_count, [i.id for i in s.items]) for s in form.sections]
    assert shape == [
        ("s1", False, None, ["hh_size"]),
        ("household", False, None, ["village"]),
        ("member", True, "hh_size", ["m_name", "m_age", "m_adult", "m_work"]),
        ("household_2", False, None, ["thanks"]),
        ("visit", True, None, ["when"]),
    ]
    assert form.sections[3].title.zh == "Household", "the rest of the group keeps its title"
    assert form.repeat_of("m_age") is form.sections[2] and form.repeat_of("village") is None


def test_each_entry_is_checked_with_its_own_conditions_and_calculations() -> None:
    form = read_xlsform(workbook(HOUSEHOLD)).instrument
    assert form is not None
    posted = {
        "a.hh_size": ["2"],
        "a.m_name.1": ["Ana"],
        "a.m_age.1": ["40"],
        "a.m_work.1": ["teacher"],
        "a.m_age.2": ["12"],
        "a.m_work.2": ["none"],
        "a.m_name.3": ["Extra"],
        "_n.visit": ["2"],
        "a.when.1": ["2026-02-30"],
        "a.when.2": ["2026-03-01"],
    }
    check = check_answers(form, posted)
    assert set(check.errors) == {"m_name.2", "when.1"}, "only the second member's name and a bad date"
    assert check.form_errors == [], "the count follows hh_size: a third entry's answer is not read"
    assert check.values["member"] == [
        {"m_name": "Ana", "m_age": 40, "m_adult": "yes", "m_work": "teacher"},
        {"m_age": 12, "m_adult": "no"},  # not an adult: the work question is not asked, its answer dropped
    ]
    assert check.relevant["m_work.1"] is True and check.relevant["m_work.2"] is False
    assert check.values["visit"] == [{}, {"when": "2026-03-01"}]
    assert check.counts == {"member": 2, "visit": 2}
    flat = flat_answers(form, check.values)
    assert flat["m_age"] == "1: 40 | 2: 12" and flat["m_work"] == "1: teacher" and "member" not in flat
    stray = check_answers(form, {"a.m_name": ["no entry number"], "a.village.1": ["x"], "a.m_age.99": ["1"]})
    assert [p["item"] for _c, p in stray.form_errors] == ["m_name", "village.1", "m_age.99"]


def test_entries_are_added_and_removed_without_shifting_answers() -> None:
    form = read_xlsform(workbook(HOUSEHOLD)).instrument
    assert form is not None
    posted = {f"a.when.{n}": [f"2026-01-0{n}"] for n in (1, 2, 3)} | {"_n.visit": ["3"], "a.hh_size": ["1"]}
    fewer = apply_action(form, posted, "remove:visit:2")
    assert {k: v for k, v in fewer.items() if k.startswith("a.when")} == {
        "a.when.1": ["2026-01-01"],
        "a.when.2": ["2026-01-03"],
    }
    assert fewer["_n.visit"] == ["2"] and fewer["a.hh_size"] == ["1"]
    more, taken = after_action(form, posted, "add:visit")
    assert taken and more["_n.visit"] == ["4"] and check_answers(form, more).counts["visit"] == 4
    for bad in ("add:member", "remove:visit:4", "remove:visit:x", "add:nothing", "drop:visit", ""):
        with pytest.raises(RepeatActionError):
            apply_action(form, posted, bad)
        assert after_action(form, posted, bad) == (posted, False)
    full = {"_n.visit": ["30"]}
    assert apply_action(form, full, "add:visit")["_n.visit"] == ["30"], "at most repeat_max entries"


def test_it_goes_back_as_a_repeat_that_pyxform_reads() -> None:
    from pyxform.xls2xform import convert

    form = read_xlsform(workbook(HOUSEHOLD)).instrument
    assert form is not None
    exported = write_xlsform(form)
    again = read_xlsform(exported)
    assert again.problems == [] and again.instrument is not None
    assert again.instrument.sections == form.sections
    xform = convert(xlsform=exported, file_type=".xlsx").xform
    assert 'nodeset="/data/member"' in xform and "jr:count" in xform, "a repeat with its count for ODK"


def test_what_we_do_not_run_is_refused_by_row() -> None:
    rows = [
        HEAD,
        ["begin repeat", "outer", "Outer", "", "", "", ""],
        ["text", "o_name", "Name", "", "", "", ""],
        ["begin repeat", "inner", "Inner", "", "", "", ""],
        ["text", "i_name", "Inner name", "", "", "", ""],
        ["end repeat", "", "", "", "", "", ""],
        ["end repeat", "", "", "", "", "", ""],
        ["text", "after", "After", "", "", "${o_name} != ''", ""],
        ["begin repeat", "room", "Room", "", "${after} + 1", "", ""],
        ["select_one_from_file rooms.csv", "r", "Room", "", "", "", ""],
        ["end repeat", "", "", "", "", "", ""],
    ]  # fmt: skip
    result = read_xlsform(workbook(rows))
    where = [p.path for p in result.problems if p.path.startswith("survey!")]
    assert where == [
        "survey!row 4, column type",
        "survey!row 8, column relevant",
        "survey!row 9, column repeat_count",
        "survey!row 10, column type",
    ], result.problems
    reasons = " ".join(p.reason for p in result.problems)
    assert "a repeat inside a repeat" in reasons and "inside a repeat: it has an answer per entry" in reasons
    dropped = read_xlsform(workbook(rows), without_unsupported=True)
    assert dropped.problems == [] and dropped.instrument is not None
    assert [s.id for s in dropped.instrument.sections] == ["outer", "s2"], "room: its only question left out"
    after = dropped.instrument.item("after")
    assert after is not None and after.relevant is None, "kept without the condition it could not honour"
    assert [i.id for i in dropped.instrument.sections[0].items] == ["o_name"], "the inner repeat left out"


def test_the_loader_keeps_a_repeat_unscored_and_on_surveys() -> None:
    def form(kind: str = "survey", **section: object) -> list[str]:
        data = {
            "id": "ff",
            "version": 1,
            "kind": kind,
            "title": "F",
            "dimensions": [{"id": "d", "label": "D"}],
            "sections": [
                {"id": "s1", "title": "S", "items": [{"id": "n", "type": "number", "label": "N"}]},
                {"id": "kids", "title": "K", "repeat": True, **section},
            ],
        }
        return [f"{p.path}: {p.reason}" for p in parse_instrument(data)[1]]

    likert = [{"id": "q", "type": "likert5", "label": "Q", "dimension": "d"}]
    assert any("cannot have a dimension" in p for p in form(items=likert))
    text = [{"id": "t", "type": "text", "label": "T"}]
    assert form(items=text) == [] and form(items=text, repeat_count="n") == []
    assert form(items=text, repeat_count=3) == []
    assert any("repeat_count" in p for p in form(items=text, repeat_count="t"))
    assert any("repeat_max" in p for p in form(items=text, repeat_max=500))
    assert any("only supported on survey forms" in p for p in form("audit", items=text))
    clash = [{"id": "kids", "type": "text", "label": "T"}]
    assert any("also an item's id" in p for p in form(items=clash))
    after = {
        "id": "s3",
        "title": "S",
        "items": [{"id": "x", "type": "text", "label": "X", "relevant": "t == 'a'"}],
    }
    data = {
        "id": "ff", "version": 1, "title": "F",
        "sections": [{"id": "kids", "title": "K", "repeat": True, "items": text}, after],
    }  # fmt: skip
    assert any("not an earlier item" in p.reason for p in parse_instrument(data)[1])


def test_calculations_read_the_day_the_time_and_the_entry() -> None:
    from datetime import datetime

    rows = [
        ["type", "name", "label", "calculation", "relevant"],
        ["date", "born", "Born", "", ""],
        ["calculate", "day", "", "today()", ""],
        ["calculate", "stamp", "", "once(format-date(now(), '%Y年%n月%e日 %H:%M'))", ""],
        ["calculate", "key", "", "once(uuid())", ""],
        ["calculate", "year", "", "int(format-date(${born}, '%Y'))", ""],
        ["text", "why", "Born in the future?", "", "${born} > today()"],
        ["begin repeat", "kid", "Kid", "", ""],
        ["calculate", "pos", "", "position(..)", ""],
        ["text", "k", "Another child's name", "", "position(..) > 1"],
        ["end repeat", "", "", "", ""],
    ]  # fmt: skip
    result = read_xlsform(workbook(rows))
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    moment = datetime(2026, 12, 2, 9, 5)
    future = check_answers(form, {"a.born": ["2030-01-02"], "_n.kid": ["2"]}, moment=moment)
    values = future.values
    assert (
        values["day"] == "2026-12-02" and values["stamp"] == "2026年12月2日 09:05" and values["year"] == 2030
    )
    assert len(values["key"]) == 36 and values["key"].count("-") == 4
    assert future.relevant["why"] is True and values["kid"] == [{"pos": 1}, {"pos": 2}]
    assert future.relevant["k.1"] is False and future.relevant["k.2"] is True
    past = check_answers(form, {"a.born": ["1990-05-06"]}, moment=moment)
    assert past.relevant["why"] is False and past.values["year"] == 1990
    again = read_xlsform(write_xlsform(form))
    assert again.problems == [] and again.instrument is not None
    assert again.instrument.sections == form.sections, "today(), now(), once(), uuid(), position(..) go back"
    outside = read_xlsform(workbook([rows[0], ["calculate", "p", "", "position(..)", ""]]))
    assert outside.problems == [] and outside.instrument is not None
    assert check_answers(outside.instrument, {}).values == {}, "position(..) outside a repeat: no value"
    assert "pulldata" in " ".join(
        p.reason
        for p in read_xlsform(
            workbook([rows[0], ["calculate", "p", "", "pulldata('f', 'c', 'k', ${born})", ""]])
        ).problems
    ), "external data is still refused, by name"


def test_after_a_repeat_its_entries_are_counted_summed_and_compared() -> None:
    rows = [
        ["type", "name", "label", "calculation", "relevant"],
        ["integer", "hh", "How many live here?", "", ""],
        ["begin repeat", "member", "Member", "", ""],
        ["integer", "age", "Age", "", ""],
        ["end repeat", "", "", "", ""],
        ["calculate", "n", "", "count(${member})", ""],
        ["calculate", "years", "", "sum(${age})", ""],
        ["calculate", "oldest", "", "max(${age})", ""],
        ["calculate", "youngest", "", "min(${age})", ""],
        ["note", "differs", "The list and the number differ", "", "count(${member}) != ${hh}"],
    ]  # fmt: skip
    result = read_xlsform(workbook(rows))
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    posted = {"a.hh": ["3"], "_n.member": ["3"], "a.age.1": ["40"], "a.age.2": ["12"]}
    check = check_answers(form, posted)
    assert (check.values["n"], check.values["years"], check.values["oldest"], check.values["youngest"]) == (
        3,
        52,
        40,
        12,
    ), "count() counts every entry; sum(), max() and min() the answers given"
    assert check.relevant["differs"] is False
    assert check_answers(form, {**posted, "_n.member": ["2"]}).relevant["differs"] is True
    empty = check_answers(form, {"a.hh": ["0"], "_n.member": ["0"]}).values
    assert empty["n"] == 0 and empty["years"] == 0 and "oldest" not in empty, "no answers: no maximum"
    again = read_xlsform(write_xlsform(form))
    assert again.problems == [] and again.instrument is not None
    assert again.instrument.sections == form.sections
    inside = read_xlsform(workbook([*rows[:3], ["calculate", "c", "", "count(${hh})", ""], *rows[3:]]))
    assert any("count" in p.reason or "repeat" in p.reason for p in inside.problems), (
        "count() of a plain answer"
    )


def test_the_loader_lets_aggregates_read_only_ended_repeats() -> None:
    text = [{"id": "t", "type": "text", "label": "T"}]

    def problems(calculation: str, before: bool = True) -> list[str]:
        calc = {
            "id": "c",
            "title": "C",
            "items": [{"id": "c1", "type": "calculate", "label": "C", "calculation": calculation}],
        }
        kids = {"id": "kids", "title": "K", "repeat": True, "items": text}
        data = {"id": "ff", "version": 1, "title": "F", "sections": [kids, calc] if before else [calc, kids]}
        return [p.reason for p in parse_instrument(data)[1]]

    assert problems("count_(kids) + count_(t)") == []
    assert any("not a repeat that comes before" in p for p in problems("count_(kids)", before=False))
    assert any("not an earlier item" in p for p in problems("t"))
