"""Reading the contract: malformed lines are reported with their line numbers and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fraud.data import ContractError, load_items, read_records
from tests.unit.fraud.rows import ITEMS, row


def test_valid_rows_become_columns() -> None:
    r = read_records([json.dumps(row(1)), json.dumps(row(2, [None, 1, 2, 3, 4, 5]))], ITEMS)
    assert r.ids == ["r1", "r2"]
    assert r.answers.shape == (2, 6) and np.isnan(r.answers[1, 0]) and r.answers[1, 5] == 5
    assert r.submitted[0] - r.started[0] == 60
    assert r.item_ms[0, 0] == 5000


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "Expecting property name"),
        ('["a list"]', "one JSON object"),
        (json.dumps({k: v for k, v in row(3).items() if k != "client_id"}), "missing field(s) client_id"),
        (json.dumps(row(3, [4, 4, 9, 4, 4, 2])), "answer q3=9 is not a whole number 1..5"),
        (json.dumps({**row(3), "answers": {**row(3)["answers"], "q3": 4.5}}), "answer q3=4.5"),
        (json.dumps({**row(3), "channel": "fax"}), "unknown channel 'fax'"),
        (json.dumps({**row(3), "submitted_at": "yesterday"}), "Invalid isoformat"),
        (json.dumps(row(1)), "duplicate id 'r1'"),
    ],
)
def test_malformed_line_is_reported_with_its_number_and_skipped(line: str, reason: str) -> None:
    r = read_records([json.dumps(row(1)), "", line, json.dumps(row(2))], ITEMS, source="x.jsonl")
    assert r.ids == ["r1", "r2"]
    assert len(r.problems) == 1 and r.problems[0].startswith("x.jsonl:3: skipped: ")
    assert reason in r.problems[0]


def test_items_file_problems(tmp_path: Path) -> None:
    bad = tmp_path / "items.json"
    bad.write_text('{"items": []}')
    with pytest.raises(ContractError, match="non-empty 'items'"):
        load_items(bad)
    with pytest.raises(ContractError, match="cannot read"):
        load_items(tmp_path / "missing.json")
