"""Issue 26: an auditor's form (XLSForm, kind evaluation) with a required photo question. In the field app the
question points to "Photo or receipt": the visit's photos answer it, so the sheet cannot be submitted before
one is added, and is once it is (the answer names the photos)."""

from __future__ import annotations

import re

from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import Sheet
from survey_app.services.campaigns.instruments import register
from survey_app.settings import Settings
from tests.factories import csrf_of
from tests.web.field_work import as_user, scene, schedule, setup
from tests.xlsform_books import workbook

FORM = workbook(
    [
        ["type", "name", "label", "required"],
        ["select_one yn", "clean", "Is the lobby clean?", "yes"],
        ["image", "lobby", "A photo of the lobby", "yes"],
    ],
    [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    [["form_id", "form_title", "kind"], ["property-lobby-check", "Lobby check", "evaluation"]],
)


def test_the_visits_photos_answer_a_photo_question(session: Session, settings: Settings) -> None:
    from forms.xlsform import read_xlsform

    _campaign, _locations, users, _ids = setup(session)
    imported = read_xlsform(FORM)
    assert imported.problems == [] and imported.instrument is not None
    row = register(session=session, instrument=imported.instrument)
    session.commit()
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", row.id or 0, "open", [users["f1"]])
    f1: TestClient = as_user(settings, "f1")
    token = csrf_of(f1, "/f")
    assert f1.post(f"/f/v/{visit}/checkin", data={"_csrf": token}).status_code == 303
    page = f1.get(f"/f/v/{visit}?step=0")
    assert "“照片或收据”" in page.text and "照片由审核员在现场应用中添加" not in page.text
    saved = f1.post(f"/f/v/{visit}/step/0", data={"_csrf": token, "go": "next", "a.clean": "yes"})
    assert saved.status_code == 303
    forged = f1.post(
        f"/f/v/{visit}/step/0", data={"_csrf": token, "go": "next", "a.clean": "yes", "a.lobby": "evidence:1"}
    )
    assert forged.status_code == 422, "a photo answer is never typed in"
    missing = f1.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": "k-1"})
    assert missing.status_code == 422 and "A photo of the lobby" in missing.text
    added = f1.post(
        f"/f/v/{visit}/photo",
        data={"_csrf": token, "step": "0", "caption": "lobby"},
        files={"photo": ("lobby.jpg", scene(1), "image/jpeg")},
    )
    assert added.status_code == 303
    done = f1.post(f"/f/v/{visit}/submit", data={"_csrf": token, "key": "k-2"})
    assert done.status_code == 303, re.findall(r"<li>.*?</li>", done.text)
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit)).one()
    session.refresh(sheet)
    assert sheet.answers["clean"] == "yes" and str(sheet.answers["lobby"]).startswith("evidence:")
