"""The instrument loader: bundled files load clean; every error class is reported with file and path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forms import load_bundled, load_instrument, parse_instrument
from forms.loader import BUNDLED_DIR, parse_instrument_text

BASE: dict[str, Any] = {
    "id": "mini-survey",
    "version": 1,
    "title": {"zh": "小问卷", "en": "Mini"},
    "dimensions": [{"id": "service", "label": {"zh": "服务", "en": "Service"}}],
    "sections": [
        {
            "id": "s1",
            "title": {"zh": "第一部分"},
            "items": [
                {"id": "q01", "type": "likert5", "dimension": "service", "label": {"zh": "题一"}},
                {"id": "q02", "type": "likert5", "dimension": "service", "label": {"zh": "题二"}},
            ],
        }
    ],
}


def problems_for(change: Callable[[dict[str, Any]], object]) -> list[str]:
    data = copy.deepcopy(BASE)
    change(data)
    instrument, problems = parse_instrument(data, source="mini.yaml")
    assert instrument is None
    return [str(p) for p in problems]


def items(data: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["sections"][0]["items"]
    return found


def test_base_fixture_is_valid() -> None:
    instrument, problems = parse_instrument(copy.deepcopy(BASE), source="mini.yaml")
    assert problems == []
    assert instrument is not None and instrument.key == "mini-survey@1"


SURVEYS = sorted(p for p in BUNDLED_DIR.glob("*.yaml") if p.stem.endswith("-survey"))
SHEETS = sorted(p for p in BUNDLED_DIR.glob("*.yaml") if not p.stem.endswith("-survey"))


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.stem)
def test_bundled_sheets_load_and_mark_covert_items(path: Path) -> None:
    instrument, problems = load_instrument(path)
    assert problems == [] and instrument is not None
    assert instrument.kind in ("mystery", "evaluation", "audit")
    assert [i for i in instrument.items if i.scored], "a sheet carries points"
    assert all(i.label.zh and i.label.en for i in instrument.items), "every item has zh and en labels"
    if instrument.kind == "mystery":
        marks = {i.covert for i in instrument.items if i.scored}
        assert marks == {True, False}, "a mystery script has covert items and open ones (seed L1099)"


def test_a_mystery_item_without_covert_mark_is_a_problem() -> None:
    data = {
        "id": "mini-script",
        "version": 1,
        "kind": "mystery",
        "title": {"zh": "暗访", "en": "Script"},
        "dimensions": [{"id": "d", "label": {"zh": "维度"}}],
        "sections": [
            {
                "id": "s",
                "title": {"zh": "一"},
                "items": [{"id": "q1", "type": "likert5", "dimension": "d", "label": {"zh": "问"}}],
            }
        ],
    }
    instrument, problems = parse_instrument(data)
    assert instrument is None and any("covert" in str(p) for p in problems)


@pytest.mark.parametrize("path", SURVEYS, ids=lambda p: p.stem)
def test_bundled_instrument_loads_with_zero_problems(path: Path) -> None:
    instrument, problems = load_instrument(path)
    assert problems == []
    assert instrument is not None
    scored = [i for i in instrument.items if i.scored]
    assert 15 <= len(scored) <= 25
    assert any(i.reverse and i.pair for i in instrument.items), "at least one reverse-worded pair"
    comment = instrument.role_item("comment")
    assert comment is not None and not comment.required
    phone = instrument.role_item("contact_phone")
    assert phone is not None and not phone.required and phone.relevant
    assert all(i.label.zh and i.label.en for i in instrument.items), "every item has zh and en labels"


def test_bundled_set_covers_the_four_seed_cases() -> None:
    assert {k for k, v in load_bundled().items() if v.kind == "survey"} == {
        "property-resident-survey",
        "homestay-guest-survey",
        "elderly-care-survey",
        "bank-age-friendly-survey",
    }
    assert {
        "homestay-covert-stay",
        "bank-mystery-customer",
        "wetland-park-evaluation",
        "homestay-management-audit",
        "elderly-care-management-audit",
        "property-open-evaluation",
        "property-management-audit",
    } <= set(load_bundled())


def test_property_survey_uses_the_six_dimensions_of_the_seed() -> None:
    survey = load_bundled()["property-resident-survey"]
    assert [d.label.zh for d in survey.dimensions] == [
        "客户服务",
        "环境卫生",
        "房屋及共用设施设备",
        "安全与应急",
        "综合管理",
        "特色服务",
    ]


def test_duplicate_id() -> None:
    found = problems_for(lambda d: items(d)[1].update(id="q01"))
    assert any("sections[0].items[1] (q01)" in p and "duplicate id 'q01'" in p for p in found)


def test_unknown_dimension() -> None:
    found = problems_for(lambda d: items(d)[0].update(dimension="cleanliness"))
    assert any("items[0] (q01).dimension" in p and "unknown dimension 'cleanliness'" in p for p in found)


def test_missing_zh_label() -> None:
    found = problems_for(lambda d: items(d)[0].update(label={"en": "Only English"}))
    assert any("items[0] (q01).label" in p and "missing zh label" in p for p in found)


@pytest.mark.parametrize("weight", [0, -1, "heavy", True])
def test_weight_not_a_positive_number(weight: object) -> None:
    found = problems_for(lambda d: items(d)[0].update(weight=weight))
    assert any("(q01).weight" in p and "weight must be a positive number" in p for p in found)


def test_bad_relevant_reference_to_a_later_item() -> None:
    found = problems_for(lambda d: items(d)[0].update(relevant="q02 >= 3"))
    assert any("(q01).relevant" in p and "'q02' is not an earlier item" in p for p in found)


def test_relevant_with_disallowed_syntax_is_rejected_not_run() -> None:
    found = problems_for(lambda d: items(d)[1].update(relevant="__import__('os').system('true')"))
    assert any("(q02).relevant" in p and "bad relevant condition" in p for p in found)


def test_unknown_type() -> None:
    found = problems_for(lambda d: items(d)[0].update(type="slider"))
    assert any("(q01).type" in p and "unknown type 'slider'" in p for p in found)


def test_unknown_field_catches_typos() -> None:
    found = problems_for(lambda d: items(d)[0].update(requird=False))
    assert any("unknown field 'requird'" in p for p in found)


def test_pair_to_unknown_item() -> None:
    found = problems_for(lambda d: items(d)[0].update(pair="q99"))
    assert any("(q01).pair" in p and "unknown item 'q99'" in p for p in found)


def test_choice_item_without_options() -> None:
    found = problems_for(lambda d: items(d).append({"id": "who", "type": "single", "label": "谁"}))
    assert any("(who).options" in p for p in found)


def test_phone_without_consent_is_refused() -> None:
    phone = {"id": "tel", "type": "text", "role": "contact_phone", "format": "phone", "label": "电话"}
    found = problems_for(lambda d: items(d).append(phone))
    assert any("(tel).relevant" in p and "consent" in p for p in found)


def test_every_problem_is_reported_at_once() -> None:
    def break_many(d: dict[str, Any]) -> None:
        d["version"] = 0
        items(d)[0].update(dimension="nope", weight=-2)
        items(d)[1].update(id="q01", type="dial")

    found = problems_for(break_many)
    assert len(found) >= 5
    assert all(p.startswith("mini.yaml: ") for p in found)


def test_yaml_syntax_error_names_the_line() -> None:
    instrument, problems = parse_instrument_text("id: x\nsections: [\n", source="bad.yaml")
    assert instrument is None
    assert problems[0].file == "bad.yaml" and problems[0].path.startswith("line ")


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("标题".encode("gbk"))
    instrument, problems = load_instrument(path)
    assert instrument is None and "UTF-8" in problems[0].reason
