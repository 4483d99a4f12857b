"""Issue 26: what real forms use beyond our first mapping: any number of languages with the form's own
messages, integer and decimal, dates, ranges, acknowledgements, geopoints, cascading selects, calculations and
richer conditions; each imported, checked, written back and read again (and by pyxform)."""

from __future__ import annotations

from forms.answers import check_answers
from forms.xlsform import read_xlsform
from forms.xlsform_export import write_xlsform
from tests.xlsform_books import workbook


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


def test_dates_acknowledge_and_range_come_in_and_go_back() -> None:

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
    bad = read_xlsform(
        workbook([survey[0], ["calculate", "t", "", "pulldata('f', 'c', 'k', 'v')", ""]]), source="t.xlsx"
    )
    assert [p.path for p in bad.problems if "calculation" in p.path] == ["survey!row 2, column calculation"]


def test_conditions_may_count_measure_and_do_arithmetic() -> None:

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


def test_a_choice_filter_may_offer_the_choices_picked_in_a_multiple_choice() -> None:
    from pyxform.xls2xform import convert

    rows = [
        ["type", "name", "label", "choice_filter"],
        ["select_multiple crops", "grown", "Which crops do you grow?", ""],
        ["select_one crops", "main", "Which of them is the main one?", "selected(${grown}, name)"],
    ]
    choices = [
        ["list_name", "name", "label"],
        ["crops", "rice", "Rice"],
        ["crops", "tea", "Tea"],
        ["crops", "corn", "Corn"],
    ]
    result = read_xlsform(workbook(rows, choices))
    assert result.problems == [] and result.instrument is not None
    form = result.instrument
    main = form.items[1]
    assert [o.value for o in main.options_for({"grown": ["rice", "tea"]})] == ["rice", "tea"]
    assert main.options_for({"grown": []}) == (), "nothing picked yet: nothing offered"
    assert check_answers(form, {"a.grown": ["rice", "tea"], "a.main": ["tea"]}).ok
    assert "main" in check_answers(form, {"a.grown": ["rice"], "a.main": ["tea"]}).errors
    exported = write_xlsform(form)
    again = read_xlsform(exported)
    assert again.problems == [] and again.instrument is not None and again.instrument.items == form.items
    assert "selected(" in convert(xlsform=exported, file_type=".xlsx").xform
