"""Answer checking: values converted, errors as data, relevance respected, valid answers kept."""

from __future__ import annotations

import pytest

from forms import load_bundled
from forms.answers import check_answers

SURVEY = load_bundled()["property-resident-survey"]


def fields(**values: str) -> dict[str, list[str]]:
    base = {f"a.q{n:02d}": ["4"] for n in range(1, 22)}
    for key, value in values.items():
        base[f"a.{key}"] = [value]
    return base


def test_complete_answers_convert() -> None:
    check = check_answers(SURVEY, fields(q09="na", comment=" 很好 ", contact_consent="no"))
    assert check.ok
    assert check.values["q01"] == 4 and check.values["q09"] is None
    assert check.values["comment"] == "很好"


def test_missing_required_is_reported_and_others_kept() -> None:
    data = fields()
    del data["a.q05"]
    check = check_answers(SURVEY, data)
    assert check.errors == {"q05": [("required", {})]}
    assert check.values["q04"] == 4


@pytest.mark.parametrize("value", ["0", "6", "4.5", "five"])
def test_out_of_range_likert(value: str) -> None:
    assert check_answers(SURVEY, fields(q01=value)).errors["q01"][0][0] == "out_of_range"


def test_na_only_where_allowed() -> None:
    assert check_answers(SURVEY, fields(q01="na")).errors["q01"][0][0] == "na_not_allowed"


def test_two_values_for_one_answer() -> None:
    data = fields()
    data["a.q01"] = ["4", "5"]
    assert check_answers(SURVEY, data).errors["q01"][0][0] == "one_value"


def test_text_over_the_limit() -> None:
    check = check_answers(SURVEY, fields(comment="好" * 501), max_text=2000)
    code, params = check.errors["comment"][0]
    assert code == "too_long" and params["limit"] == 500


def test_unknown_item_is_a_form_error() -> None:
    check = check_answers(SURVEY, fields(q99="3"))
    assert check.form_errors == [("unknown_item", {"item": "q99"})]


def test_phone_without_consent_is_dropped_not_stored() -> None:
    check = check_answers(SURVEY, fields(contact_consent="no", contact_phone="13800138000"))
    assert check.ok and "contact_phone" not in check.values
    assert check.relevant["contact_phone"] is False


def test_bad_phone_with_consent() -> None:
    check = check_answers(SURVEY, fields(contact_consent="yes", contact_phone="call me"))
    assert check.errors["contact_phone"][0][0] == "bad_phone"


def test_require_limits_the_required_check_to_one_page() -> None:
    page_one = {item.id for item in SURVEY.sections[0].items}
    check = check_answers(SURVEY, {"a.q01": ["5"]}, require=page_one)
    assert set(check.errors) == page_one - {"q01"}


def test_other_item_types() -> None:
    elderly = load_bundled()["elderly-care-survey"]
    data = {f"a.q{n:02d}": ["4"] for n in range(1, 19)}
    data.update({"a.q11": ["yes"], "a.respondent": ["family"]})
    check = check_answers(elderly, data)
    assert check.ok, check.errors
    assert check.values["q11"] == "yes" and check.values["respondent"] == "family"
    data["a.respondent"] = ["cousin"]
    assert check_answers(elderly, data).errors["respondent"][0][0] == "not_an_option"
