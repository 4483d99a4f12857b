"""XLSForm in and out: real-world features from workbooks made here with openpyxl, every unsupported construct
reported with its row, and a round trip over every bundled instrument."""

from __future__ import annotations

import dataclasses

import pytest

from forms import load_bundled
from forms.answers import check_answers
from forms.xlsform import read_xlsform
from forms.xlsform_export import write_xlsform
from forms.xpath import XPathError, from_expression, to_expression
from tests.xlsform_books import workbook

HEAD = [
    "type",
    "name",
    "label::中文 (zh)",
    "label::English (en)",
    "hint::中文 (zh)",
    "required",
    "relevant",
    "constraint",
    "dimension",
    "reverse",
    "appearance",
]
KOBO = workbook(
    [
        HEAD,
        ["begin group", "building", "楼栋情况", "Your building", "", "", "", "", "", "", "field-list"],
        ["select_one sat", "q1", "电梯运行正常", "The lifts work", "请选择", "yes", "", "", "lifts", "", ""],
        [
            "select_one sat",
            "q2",
            "电梯经常停运",
            "The lifts often stop",
            "",
            "yes",
            "",
            "",
            "lifts",
            "yes",
            "",
        ],
        [
            "select_multiple issues",
            "issues",
            "遇到过哪些问题",
            "Which problems",
            "",
            "no",
            "",
            "",
            "",
            "",
            "minimal",
        ],
        [
            "text",
            "other",
            "其他问题",
            "Other problem",
            "",
            "yes",
            "selected(${issues}, 'other')",
            "string-length(.) <= 200",
            "",
            "",
            "",
        ],
        ["end group", "", "", "", "", "", "", "", "", "", ""],
        ["begin group", "about", "关于您", "About you", "", "", "", "", "", "", ""],
        [
            "integer",
            "years",
            "居住年数",
            "Years here",
            "",
            "no",
            "${q1} != ''",
            ". >= 0 and . <= 80",
            "",
            "",
            "",
        ],
        ["note", "thanks", "感谢填写", "Thank you", "", "", "", "", "", "", ""],
        ["end group", "", "", "", "", "", "", "", "", "", ""],
    ],
    [
        ["list_name", "name", "label::中文 (zh)", "label::English (en)"],
        *[
            ["sat", str(n), zh, en]
            for n, zh, en in (
                (1, "很差", "Poor"),
                (2, "差", "Bad"),
                (3, "一般", "OK"),
                (4, "好", "Good"),
                (5, "很好", "Great"),
            )
        ],
        ["issues", "noise", "噪音", "Noise"],
        ["issues", "other", "其他", "Other"],
    ],
    [["form_id", "version", "form_title"], ["kobo_estate", "3", "小区问卷"]],
)


def test_real_world_features_import() -> None:
    result = read_xlsform(KOBO, source="kobo.xlsx")
    assert result.problems == [], [str(p) for p in result.problems]
    inst = result.instrument
    assert inst is not None and inst.key == "kobo-estate@3" and inst.title.zh == "小区问卷"
    assert [s.id for s in inst.sections] == ["building", "about"], "groups become sections"
    q1, q2 = inst.item("q1"), inst.item("q2")
    assert (
        q1 is not None
        and q1.type == "likert5"
        and q1.dimension == "lifts"
        and q1.hint
        and q1.hint.zh == "请选择"
    )
    assert q2 is not None and q2.reverse and q1.label.en == "The lifts work"
    other = inst.item("other")
    assert other is not None and other.relevant == "selected(issues, 'other')" and other.max_length == 200
    years = inst.item("years")
    assert years is not None and (years.min, years.max, years.relevant) == (0, 80, "answered(q1)")
    thanks = inst.item("thanks")
    assert thanks is not None and thanks.type == "note"
    assert any("appearance" in p.path for p in result.notes), "display settings are reported as ignored"
    check = check_answers(inst, {"a.q1": ["4"], "a.q2": ["2"], "a.issues": ["other"]})
    assert "other" in check.errors, "the skip logic works: 'other' is now required"


def test_every_unsupported_construct_is_reported_with_its_row() -> None:
    data = workbook(
        [
            ["type", "name", "label", "relevant", "constraint", "choice_filter", "calculation", "colour"],
            ["select_one city", "city", "城市", "", "", "", "", ""],
            ["select_one district", "district", "区", "", "", "starts-with(name, ${city})", "", ""],
            ["geotrace", "where", "路线", "", "", "", "", ""],
            ["integer", "n", "人数", "regex(${n}, '[0-9]+')", ". mod 2 = 0", "", "", ""],
            ["calculate", "c", "", "", "", "", "pulldata('hh', 'size', 'id', '1')", ""],
            ["audio", "kids", "录音", "", "", "", "", ""],
            ["text", "Bad-Name", "名字", "", "", "", "", "blue"],
        ],
        [["list_name", "name", "label"], ["city", "xm", "厦门"], ["district", "sm", "思明"]],
    )
    result = read_xlsform(data, source="bad.xlsx")
    assert result.instrument is None
    found = {(p.path, p.reason.split(" ")[0]) for p in result.problems}
    where = " | ".join(sorted(p.path for p in result.problems))
    for expected in (
        "survey!row 3, column choice_filter",  # cascading choices
        "survey!row 4, column type",  # geotrace
        "survey!row 5, column relevant",  # regex()
        "survey!row 5, column constraint",  # mod
        "survey!row 6, column calculation",  # a function we do not evaluate
        "survey!row 7, column type",  # audio
    ):
        assert expected in where, (expected, found)
    notes = " | ".join(f"{n.path}: {n.reason}" for n in result.notes)
    assert "survey!colour: column 'colour' ignored" in notes, "an unknown column is said to be ignored"
    assert "row 8" not in where, "an upper-case name with a dash becomes an id of ours (bad_name)"


def test_forms_as_kobo_and_odk_write_them_import() -> None:
    """Kobo's metadata rows, ODK's `label::English (en)`, one-colon and upper-case headers, pyxform's
    spellings of types, upper-case names, an empty column, a group's relevant, or_other, a timestamp
    version, and thousands of blank formatted rows."""
    survey = [
        [
            "TYPE",
            "Name",
            "label:English",
            "LABEL::中文 (zh)",
            "relevant",
            "repeat_count",
            "Hint::English (en)",
        ],
        ["start", "start", "", "", "", "", ""],
        ["end", "end", "", "", "", "", ""],
        ["today", "today", "", "", "", "", ""],
        ["deviceid", "deviceid", "", "", "", "", ""],
        ["select one from yn", "Lives_Here", "Do you live here?", "您住在这里吗？", "", "", "Tick one"],
        ["begin_group", "Rating", "Rating", "评价", "${Lives_Here} = 'yes'", "", ""],
        ["select_one sat or_other", "Q1", "How satisfied?", "满意吗？", "", "", ""],
        ["string", "Why", "Why?", "为什么？", "", "", ""],
        ["int", "Years", "Years here", "居住年数", "", "", ""],
        ["end_group", "", "", "", "", "", ""],
    ]
    choices = [
        ["list name", "name", "label:English", "label::中文 (zh)", "region"],
        ["yn", "yes", "Yes", "是", ""],
        ["yn", "no", "No", "否", ""],
        ["sat", "good", "Good", "好", "north"],
        ["sat", "bad", "Bad", "差", "south"],
    ]
    settings = [
        ["form_title", "form_id", "version"],
        ["Household check", "household_check", "20240515143545"],
    ]
    data = workbook(survey, choices, settings)
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(data))
    book["survey"].cell(row=20000, column=1).number_format = "0.00"  # formatted to the end, empty
    buf = BytesIO()
    book.save(buf)
    result = read_xlsform(buf.getvalue(), source="kobo.xlsx")
    assert result.problems == [], [f"{p.path}: {p.reason}" for p in result.problems]
    assert result.instrument is not None and result.definition is not None
    items = {item.id: item for item in result.instrument.items}
    assert {"lives_here", "q1", "q1_other", "why", "years"} <= set(items)
    assert (
        items["lives_here"].label.en == "Do you live here?"
        and items["lives_here"].label.zh == "您住在这里吗？"
    )
    assert items["why"].type == "text" and items["years"].type == "number"
    assert [o.value for o in items["q1"].options][-1] == "other" and items["q1_other"].relevant
    assert "lives_here" in (items["why"].relevant or ""), "the group's relevant holds for its questions"
    notes = " | ".join(f"{n.path}: {n.reason}" for n in result.notes)
    for said in ("start: recorded", "deviceid: recorded", "20240515143545"):
        assert said in notes, said
    assert [o.attr("region") for o in items["q1"].options][:2] == ["north", "south"], (
        "extra choice columns kept"
    )
    assert result.definition["version"] == 1


def test_not_a_workbook_and_empty_sheets() -> None:
    assert read_xlsform(b"%PDF-1.4 nope").problems[0].reason.startswith("not an .xlsx")
    empty = read_xlsform(workbook([["type", "name", "label"]]))
    assert empty.instrument is None and empty.problems


@pytest.mark.parametrize("key", sorted(load_bundled()))
def test_round_trip_over_every_bundled_instrument(key: str) -> None:
    original = load_bundled()[key]
    back = read_xlsform(write_xlsform(original), source=f"{key}.xlsx")
    assert back.problems == [] and back.instrument is not None
    assert dataclasses.replace(back.instrument, source="") == dataclasses.replace(original, source="")
    assert [p for p in back.notes if p.path == "pyxform" and "could not" in p.reason] == [], (
        "pyxform accepts it"
    )


def test_xpath_both_ways() -> None:
    types = {"a": "single", "b": "multi", "q": "likert5"}
    assert to_expression("${a} = 'yes' and not(${q} >= '4')", types) == "a == 'yes' and (not q >= 4)"
    assert to_expression("selected(${b}, 'x') or ${a} = ''", types) == "selected(b, 'x') or not answered(a)"
    assert from_expression("a == 'yes' or q in [1, 2]") == "(${a} = 'yes' or (${q} = 1 or ${q} = 2))"
    assert to_expression("${q} + 1 > 2", types) == "q + 1 > 2", "arithmetic, as a calculation allows"
    for bad in ("${later} = 1", "regex(${a}, 'x')", ". > 3", "pulldata('x', 'y', 'z', ${a}) = 1"):
        with pytest.raises(XPathError):
            to_expression(bad, types)
