"""An XLSForm downloaded from the app, edited as a survey team would, uploaded again, served as a survey;
the same through the command line; a bad workbook lists every problem."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import Campaign, InstrumentVersion
from survey_app.settings import Settings
from tests.conftest import survey_path
from tests.factories import csrf_of, logged_in_lead, login, make_campaign, make_user
from tests.xlsform_books import workbook


def test_download_edit_upload_and_serve(client: TestClient, session: Session) -> None:
    campaign, locations = make_campaign(session, code="X-1")
    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    sheet = client.get("/instruments/property-resident-survey/1.xlsx")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(sheet.content))
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("version") + 1, value="2")
    survey = book["survey"]
    columns = [c.value for c in survey[1]]
    for row in survey.iter_rows(min_row=2):
        if row[columns.index("name")].value == "q01":
            row[columns.index("label::中文 (zh)")].value = "物业客服中心的工作时间方便我办事（新版）"
    out = io.BytesIO()
    book.save(out)
    added = client.post(
        "/instruments", data={"_csrf": csrf_of(client)}, files={"file": ("estate.xlsx", out.getvalue())}
    )
    # the bundled instrument is read-only: the edit is stored as the lead's own copy, and the page says so
    assert added.status_code == 200 and "（第 2 版）" in added.text
    assert 'id="instrument-copied"' in added.text and "property-resident-survey-lead1@2" in added.text
    row = session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == "property-resident-survey-lead1",
            InstrumentVersion.version == 2,
        )
    ).one()
    assert not session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == "property-resident-survey", InstrumentVersion.version == 2
        )
    ).first()
    stored = session.get(Campaign, campaign.id)
    assert stored is not None
    stored.survey_instrument_id = row.id or 0
    session.add(stored)
    session.commit()
    page = client.get(survey_path(locations[0]))
    assert page.status_code == 200 and "（新版）" in page.text


def test_a_bad_workbook_lists_every_problem(client: TestClient, session: Session) -> None:

    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    bad = workbook(
        [["type", "name", "label"], ["geotrace", "where", "路线"], ["select_one nolist", "q", "问题"]]
    )
    page = client.post("/instruments", data={"_csrf": csrf_of(client)}, files={"file": ("bad.xlsx", bad)})
    assert page.status_code == 422
    # each problem where it is, in the reader's language
    assert "survey 工作表第 2 行 type 列" in page.text and "survey 工作表第 3 行 type 列" in page.text
    assert "暂不支持题型“geotrace”" in page.text and "choices 工作表中没有选项列表“nolist”" in page.text
    english = client.post(
        "/instruments?lang=en", data={"_csrf": csrf_of(client)}, files={"file": ("bad.xlsx", bad)}
    )
    assert "survey sheet, row 2, column type" in english.text
    assert "the question type “geotrace” is not supported" in english.text


def test_cli_import_prints_id_and_version_or_problems(
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    from forms import load_bundled
    from forms.xlsform_export import write_xlsform
    from survey_app.cli.main import main

    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    good = tmp_path / "homestay.xlsx"
    good.write_bytes(write_xlsform(load_bundled()["homestay-covert-stay"]))
    assert main(["instrument", "import", str(good)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "homestay-covert-stay 1"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    assert main(["instrument", "import", str(bad)]) == 2
    assert "not an .xlsx workbook" in capsys.readouterr().err
    out = tmp_path / "back.xlsx"
    assert main(["instrument", "export", "homestay-covert-stay", "--out", str(out)]) == 0
    assert out.read_bytes()[:2] == b"PK"


def test_every_command_line_prints_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    import pytest

    from survey_app.cli.main import main

    for command in (
        "migrate",
        "seed-demo",
        "serve",
        "worker",
        "export",
        "user",
        "grade",
        "rescore",
        "draw-callbacks",
        "audit",
        "labels",
        "rotate-data-key",
        "purge-contacts",
        "instrument",
        "token",
    ):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0 and "usage:" in capsys.readouterr().out, command


def test_3_yaml_expansion_and_junk_are_refused(client: TestClient, session: Session) -> None:
    logged_in_lead(client, session)
    bomb = "".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}" if i else "x"] * 10) + "]\n" for i in range(9))
    files = {"file": ("bomb.yaml", bomb.encode(), "application/x-yaml")}
    page = client.post("/instruments", files=files, data={"_csrf": csrf_of(client)})
    assert page.status_code == 422 and len(page.content) < 200_000 and "anchors and aliases" in page.text
    junk = (
        "id: junk\nversion: 1\ntitle: 垃圾\nsections:\n- id: s\n  title: 部分\n  items:\n"
        "  - id: q1\n    type: single\n    label: 题\n    options:\n"
        "    - {value: a, label: 甲, payload: " + "x" * 5000 + "}\n    - {value: b, label: 乙}\n"
    )
    page = client.post(
        "/instruments",
        files={"file": ("j.yaml", junk.encode(), "text/yaml")},
        data={"_csrf": csrf_of(client)},
    )
    assert page.status_code == 422 and "unknown field" in page.text and "x" * 300 not in page.text


def test_import_without_the_unsupported_parts_after_confirming(client: TestClient, session: Session) -> None:
    """A real-world form with parts Mingcha cannot run is refused row by row, in the reader's language, and
    offered "import without these parts": the confirmation lists each dropped part; nothing is dropped
    silently, and the audit row names them."""
    from survey_app.models import AuditLog

    make_user(session, "lead1", ["lead"])
    session.commit()
    login(client, "lead1")
    form = workbook(
        [
            ["type", "name", "label", "calculation", "required"],
            ["text", "visitor", "Who visited?", "", "yes"],
            ["geotrace", "where", "Which way did you come?", "", "no"],
            ["calculate", "stamp", "", "once(pulldata('f', 'c', 'k', 'v'))", ""],
            ["integer", "guests", "How many guests?", "", "no"],
        ]
    )
    refused = client.post(
        "/instruments", data={"_csrf": csrf_of(client)}, files={"file": ("field.xlsx", form)}
    )
    assert refused.status_code == 422 and 'id="import-without"' in refused.text
    assert "第 3 行" in refused.text and "第 4 行" in refused.text, "each part by its row, in words"
    assert (
        session.exec(select(InstrumentVersion).where(InstrumentVersion.instrument_id == "field")).all() == []
    )
    import re

    kept = re.search(r'name="without" value="([0-9a-f]{64})"', refused.text)
    assert kept is not None
    done = client.post(
        "/instruments",
        data={"_csrf": csrf_of(client), "without": kept.group(1), "filename": "field.xlsx"},
        files={"none": ("", b"")},
    )
    assert done.status_code == 200 and 'id="instrument-dropped"' in done.text, done.text[-2000:]
    stored = session.exec(select(InstrumentVersion).where(InstrumentVersion.instrument_id == "field")).one()
    ids = [i["id"] for s in stored.definition["sections"] for i in s["items"]]
    assert ids == ["visitor", "guests"]
    logged = session.exec(select(AuditLog).where(AuditLog.action == "instrument.add")).one()
    assert len(logged.detail["dropped"]) == 2
