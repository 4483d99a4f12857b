"""After an upload the lead auditor sees the form as a respondent would, in either language, before any
campaign uses it; nothing can be answered there and nothing is stored."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlmodel import Session, func, select
from starlette.testclient import TestClient

from survey_app.models import SurveyResponse
from tests.factories import csrf_of, login, make_user


def _form() -> bytes:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    for row in (
        ["type", "name", "label::English (en)", "label::中文 (zh)", "relevant"],
        ["start", "start", "", "", ""],
        ["select_one yn", "resident", "Do you live here?", "您住在这里吗？", ""],
        ["text", "why", "Why not?", "为什么不住这里？", "${resident} = 'no'"],
    ):
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in (["list_name", "name", "label::English (en)", "label::中文 (zh)"], ["yn", "yes", "Yes", "是"]):
        choices.append(row)
    choices.append(["yn", "no", "No", "否"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["住户核对", "household_check", "3"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_upload_leads_to_a_preview_in_both_languages(client: TestClient, session: Session) -> None:
    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    added = client.post("/instruments", data={"_csrf": csrf_of(client)}, files={"file": ("h.xlsx", _form())})
    assert added.status_code == 200
    assert 'href="/instruments/household-check/3/preview"' in added.text
    assert "系统已自动记录：打开表单的时间" in added.text, "the start row is accounted for, in Chinese"
    page = client.get("/instruments/household-check/3/preview")
    assert page.status_code == 200
    assert "您住在这里吗？" in page.text and "为什么不住这里？" in page.text, (
        "conditional questions shown too"
    )
    main = page.text.split('<main id="main">')[1].split("</main>")[0]
    assert "<fieldset disabled" in main and "<form" not in main, "nothing to submit"
    english = client.get("/instruments/household-check/3/preview?lang=en")
    assert "Do you live here?" in english.text and "Why not?" in english.text
    assert client.get("/instruments/household-check/9/preview").status_code == 404
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0
