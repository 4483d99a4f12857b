"""XLSForm in and out: real-world features from workbooks made here with openpyxl, every unsupported construct
reported with its row, and a round trip over every bundled instrument."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
from openpyxl import Workbook

from forms import load_bundled
from forms.answers import check_answers
from forms.xlsform import read_xlsform
from forms.xlsform_export import write_xlsform
from forms.xpath import XPathError, from_expression, to_expression


def workbook(
    survey: list[list[Any]], choices: list[list[Any]] | None = None, settings: list[list[Any]] | None = None
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        extra = book.create_sheet("choices")
        for row in choices:
            extra.append(row)
    if settings:
        extra = book.create_sheet("settings")
        for row in settings:
            extra.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
            ["integer", "n", "人数", "today() > '2020-01-01'", ". mod 2 = 0", "", "", ""],
            ["calculate", "c", "", "", "", "", "once(uuid())", ""],
            ["begin repeat", "kids", "孩子", "", "", "", "", ""],
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
        "survey!row 5, column relevant",  # today()
        "survey!row 5, column constraint",  # mod
        "survey!row 6, column calculation",  # a function we do not evaluate
        "survey!row 7, column type",  # repeat
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


def test_a_form_in_other_languages_keeps_every_one() -> None:
    survey = [
        [
            "type",
            "name",
            "label::Deutsch (de)",
            "label::Français (fr)",
            "constraint",
            "constraint_message::Deutsch (de)",
        ],
        ["integer", "age", "Wie alt sind Sie?", "Quel âge avez-vous ?", ". >= 18", "Mindestens 18"],
        ["select_one yn", "ok", "Zufrieden?", "Satisfait ?", "", ""],
    ]
    choices = [
        ["list_name", "name", "label::Deutsch (de)", "label::Français (fr)"],
        ["yn", "yes", "Ja", "Oui"],
        ["yn", "no", "Nein", "Non"],
    ]
    settings = [
        ["form_id", "form_title", "default_language"],
        ["zufriedenheit", "Zufriedenheit", "Français (fr)"],
    ]
    result = read_xlsform(workbook(survey, choices, settings), source="de.xlsx")
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    assert form.languages == ("Deutsch (de)", "Français (fr)") and form.default_language == "Français (fr)"
    age, ok = form.items
    assert age.label.get("Français (fr)") == "Quel âge avez-vous ?" and age.label.zh == "Wie alt sind Sie?"
    assert age.format == "integer" and age.min == 18
    assert (
        age.constraint_message is not None and age.constraint_message.get("Deutsch (de)") == "Mindestens 18"
    )
    assert ok.type == "single" and [o.label.get("Français (fr)") for o in ok.options] == ["Oui", "Non"]
    assert form.title.zh == "Zufriedenheit"
    back = read_xlsform(write_xlsform(form), source="back.xlsx")
    assert back.problems == [] and back.instrument is not None
    again = back.instrument
    assert again.languages == form.languages and again.default_language == form.default_language
    assert again.items == form.items, "every language, label, choice, message and type comes back"
    from pyxform.xls2xform import convert

    assert convert(xlsform=write_xlsform(form), file_type=".xlsx").xform, "pyxform reads our export"


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
    assert to_expression("${a} = 'yes' and not(${q} >= '4')", types) == "a == 'yes' and not (q >= 4)"
    assert to_expression("selected(${b}, 'x') or ${a} = ''", types) == "selected(b, 'x') or not answered(a)"
    assert from_expression("a == 'yes' or q in [1, 2]") == "(${a} = 'yes' or (${q} = 1 or ${q} = 2))"
    assert to_expression("${q} + 1 > 2", types) == "q + 1 > 2", "arithmetic, as a calculation allows"
    for bad in ("${later} = 1", "today() > 3", ". > 3", "pulldata('x', 'y', 'z', ${a}) = 1"):
        with pytest.raises(XPathError):
            to_expression(bad, types)


def test_dates_acknowledge_and_range_come_in_and_go_back() -> None:
    from forms.answers import check_answers

    survey = [
        ["type", "name", "label", "parameters", "required"],
        ["date", "visit_day", "Day of the visit", "", "yes"],
        ["dateTime", "arrived", "Arrival", "", "no"],
        ["acknowledge", "consent", "I agree to take part", "", "yes"],
        ["range", "stars", "Stars", "start=0 end=10 step=2", "no"],
        ["decimal", "price", "Price", "", "no"],
        ["int", "rooms", "Rooms", "", "no"],
    ]
    result = read_xlsform(workbook(survey), source="types.xlsx")
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    kinds = {i.id: (i.type, i.format) for i in form.items}
    assert kinds == {
        "visit_day": ("date", None),
        "arrived": ("datetime", None),
        "consent": ("acknowledge", None),
        "stars": ("number", "range"),
        "price": ("number", None),
        "rooms": ("number", "integer"),
    }
    stars = form.item("stars")
    assert stars is not None and (stars.min, stars.max, stars.step) == (0, 10, 2)
    back = read_xlsform(write_xlsform(form), source="back.xlsx")
    assert back.instrument is not None and back.instrument.items == form.items, "integer stays integer"
    from pyxform.xls2xform import convert

    assert "<range" in convert(xlsform=write_xlsform(form), file_type=".xlsx").xform, "ODK reads it back"
    fields = {"a.visit_day": ["2026-02-30"], "a.arrived": ["2026-12-02T09:30"], "a.consent": ["OK"]}
    fields |= {"a.stars": ["3"], "a.rooms": ["2"]}
    check = check_answers(form, fields)
    assert [c for c, _p in check.errors["visit_day"]] == ["bad_date"], "no 30 February"
    assert [c for c, _p in check.errors["stars"]] == ["off_step"]
    assert check.values["arrived"] == "2026-12-02T09:30" and check.values["consent"] == "OK"
    fine = check_answers(form, {**fields, "a.visit_day": ["2026-12-02"], "a.stars": ["4"]})
    assert fine.ok and fine.values["visit_day"] == "2026-12-02" and fine.values["stars"] == 4


def test_a_geopoint_comes_in_goes_back_and_is_checked() -> None:
    from forms.answers import check_answers

    survey = [["type", "name", "label"], ["gps", "where", "Where is the entrance?"]]
    result = read_xlsform(workbook(survey), source="geo.xlsx")
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    assert form.items[0].type == "geopoint"
    back = read_xlsform(write_xlsform(form), source="back.xlsx")
    assert back.instrument is not None and back.instrument.items == form.items
    for bad in ("north", "91 10", "24.4 181", "1 2 3 -4", "1"):
        assert [c for c, _ in check_answers(form, {"a.where": [bad]}).errors["where"]] == ["bad_geopoint"], (
            bad
        )
    good = check_answers(form, {"a.where": ["24.4798, 118.0894"]})
    assert good.ok and good.values["where"] == "24.479800 118.089400 0 0"
    full = check_answers(form, {"a.where": ["24.4798 118.0894 12.5 8"]})
    assert full.values["where"] == "24.479800 118.089400 12.5 8"


def test_a_cascading_select_filters_its_choices() -> None:
    from forms.answers import check_answers

    survey = [
        ["type", "name", "label", "choice_filter"],
        ["select_one city", "City", "城市", ""],
        ["select_one district", "district", "区", "city=${City}"],
    ]
    choices = [
        ["list_name", "name", "label", "city"],
        ["city", "xm", "厦门", ""],
        ["city", "fz", "福州", ""],
        ["district", "sm", "思明", "xm"],
        ["district", "hl", "湖里", "xm"],
        ["district", "gl", "鼓楼", "fz"],
    ]
    result = read_xlsform(workbook(survey, choices), source="cascade.xlsx")
    assert result.problems == [] and result.instrument is not None
    district = result.instrument.item("district")
    assert district is not None and district.choice_filter == (("city", "city"),), "the renamed id follows"
    assert [o.value for o in district.options_for({"city": "xm"})] == ["sm", "hl"]
    assert district.options_for({}) == (), "nothing to choose until the city is answered"
    assert check_answers(result.instrument, {"a.city": ["xm"], "a.district": ["hl"]}).ok
    wrong = check_answers(result.instrument, {"a.city": ["fz"], "a.district": ["hl"]})
    assert [c for c, _ in wrong.errors["district"]] == ["not_an_option"]
    back = read_xlsform(write_xlsform(result.instrument), source="back.xlsx")
    assert back.instrument is not None and back.instrument.items == result.instrument.items
    from pyxform.xls2xform import convert

    xform = convert(xlsform=write_xlsform(result.instrument), file_type=".xlsx").xform
    assert "<itemset" in xform and "city =  /data/" in xform, "ODK filters the list the same way"


def test_a_calculation_is_computed_by_the_safe_evaluator_and_goes_back() -> None:
    from forms.answers import check_answers

    survey = [
        ["type", "name", "label", "calculation", "relevant"],
        ["integer", "adults", "Adults", "", ""],
        ["integer", "children", "Children", "", ""],
        ["calculate", "people", "", "${adults} + ${children}", ""],
        ["calculate", "size", "", "if(${people} > 4, 'large', 'small')", ""],
        ["calculate", "share", "", "round(${children} div ${people} * 100, 1)", ""],
        ["text", "why", "Why so many?", "", "${people} > 4"],
    ]
    result = read_xlsform(workbook(survey), source="household.xlsx")
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    check = check_answers(form, {"a.adults": ["2"], "a.children": ["3"], "a.why": ["family"]})
    assert check.ok, check.errors
    assert (check.values["people"], check.values["size"], check.values["share"]) == (5, "large", 60)
    assert check.values["why"] == "family", "a condition reads a calculated value"
    none = check_answers(form, {"a.adults": ["0"], "a.children": ["0"]})
    assert "share" not in none.values, "division by zero gives no value, not an error"
    forged = check_answers(form, {"a.adults": ["1"], "a.children": ["1"], "a.people": ["99"]})
    assert forged.values["people"] == 2, "a posted value never replaces the calculation"
    back = read_xlsform(write_xlsform(form), source="back.xlsx")
    assert back.problems == [] and back.instrument is not None and back.instrument.items == form.items
    from pyxform.xls2xform import convert

    xform = convert(xlsform=write_xlsform(form), file_type=".xlsx").xform
    assert "calculate=" in xform, "ODK computes it too"
    bad = read_xlsform(workbook([survey[0], ["calculate", "t", "", "today()", ""]]), source="t.xlsx")
    assert [p.path for p in bad.problems if "calculation" in p.path] == ["survey!row 2, column calculation"]


def test_conditions_may_count_measure_and_do_arithmetic() -> None:
    from forms.answers import check_answers

    survey = [
        ["type", "name", "label", "relevant"],
        ["select_multiple fac", "used", "Facilities used", ""],
        ["text", "note_more", "Which did you like most?", "count-selected(${used}) > 1"],
        ["integer", "nights", "Nights", ""],
        ["text", "long_stay", "Why a long stay?", "${nights} mod 7 = 0 and ${nights} > 0"],
    ]
    choices = [["list_name", "name", "label"], ["fac", "gym", "Gym"], ["fac", "pool", "Pool"]]
    result = read_xlsform(workbook(survey, choices), source="stay.xlsx")
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    shown = check_answers(form, {"a.used": ["gym", "pool"], "a.nights": ["14"]}).relevant
    assert shown["note_more"] and shown["long_stay"]
    hidden = check_answers(form, {"a.used": ["gym"], "a.nights": ["3"]}).relevant
    assert not hidden["note_more"] and not hidden["long_stay"]
    assert check_answers(form, {}).relevant["long_stay"] is False, "a missing answer hides it, no error"
    back = read_xlsform(write_xlsform(form), source="back.xlsx")
    assert back.instrument is not None and back.instrument.items == form.items
