"""`python -m fraud score` on a small fixture with malformed lines; `simulate` writes labels."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fraud.cli import main
from tests.unit.fraud.rows import ordinary, row

ITEMS_JSON = {
    "instrument": "t@1",
    "scale_max": 5,
    "items": [
        {
            "id": f"q{i}",
            "dimension": "a",
            "reverse": i == 6,
            **({"pair": "q6"} if i == 2 else {}),
            **({"pair": "q2"} if i == 6 else {}),
        }
        for i in range(1, 7)
    ],
}


def write_fixture(tmp_path: Path) -> tuple[Path, Path]:
    items = tmp_path / "items.json"
    items.write_text(json.dumps(ITEMS_JSON))
    lines = [json.dumps(r, ensure_ascii=False) for r in ordinary(40)]
    lines.insert(5, "{broken")
    lines.insert(9, json.dumps({"id": "bad", "answers": {}}))
    lines.append(json.dumps(row(900, [1, 5, 1, 5, 1, 5], seconds=5, item_ms=400)))
    responses = tmp_path / "responses.jsonl"
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return items, responses


def test_score_cli_writes_the_contract_and_reports_bad_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items, responses = write_fixture(tmp_path)
    out = tmp_path / "scores.csv"
    code = main(
        ["score", "--items", str(items), "--responses", str(responses), "--out", str(out), "--budget", "0.05"]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert f"{responses}:6: skipped" in err and f"{responses}:10: skipped: missing field(s)" in err
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert list(rows[0]) == ["id", "score", "flagged", "reasons"]
    assert len(rows) == 41
    flagged = [r for r in rows if r["flagged"] == "1"]
    assert len(flagged) == 2 and all(r["reasons"] for r in flagged)
    top = max(rows, key=lambda r: float(r["score"]))
    assert top["id"] == "r900" and "秒" in top["reasons"]


def test_score_cli_english_reasons(tmp_path: Path) -> None:
    items, responses = write_fixture(tmp_path)
    out = tmp_path / "scores.csv"
    assert (
        main(
            ["score", "--items", str(items), "--responses", str(responses), "--out", str(out), "--lang", "en"]
        )
        == 0
    )
    assert "answered 6 items in 5 s" in out.read_text(encoding="utf-8")


def test_score_cli_bad_items_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "items.json").write_text("[]")
    code = main(
        [
            "score",
            "--items",
            str(tmp_path / "items.json"),
            "--responses",
            str(tmp_path / "r.jsonl"),
            "--out",
            str(tmp_path / "s.csv"),
        ]
    )
    assert code == 2 and "error:" in capsys.readouterr().err


def test_simulate_then_score_as_a_subprocess(tmp_path: Path) -> None:
    sim = tmp_path / "sim"
    subprocess.run(
        [sys.executable, "-m", "fraud", "simulate", "--out", str(sim), "--n-genuine", "300", "--seed", "3"],
        check=True,
        capture_output=True,
    )
    labels = list(csv.DictReader((sim / "labels.csv").read_text(encoding="utf-8").splitlines()))
    assert {"id", "label", "kind"} == set(labels[0]) and any(r["label"] == "1" for r in labels)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "fraud",
            "score",
            "--items",
            str(sim / "items.json"),
            "--responses",
            str(sim / "responses.jsonl"),
            "--out",
            str(sim / "scores.csv"),
        ],
        check=True,
        capture_output=True,
    )
    assert len(list(csv.DictReader((sim / "scores.csv").read_text(encoding="utf-8").splitlines()))) == len(
        labels
    )


@pytest.mark.parametrize("command", ["score", "simulate", "bench", "evaluate"])
def test_every_command_prints_its_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out
