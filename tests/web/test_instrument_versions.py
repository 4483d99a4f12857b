"""A campaign takes answers only to the instrument versions it served; bundled instruments are read-only and
an uploaded one takes new versions only from its owner or an administrator (issue 23, the version attack)."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import Session, col, func, select
from starlette.testclient import TestClient

from survey_app.models import InstrumentVersion, SurveyResponse
from survey_app.services.grades.grading import compute
from tests.conftest import form_token, survey_path
from tests.factories import csrf_of, full_answers, logged_in_lead, login, make_user, seed_graded_demo

RESIDENT = "property-resident-survey"


def _reversed_copy(client: TestClient, version: int) -> bytes:
    """The resident survey as an attacker would upload it: every item optional and reverse-scored."""
    book = load_workbook(io.BytesIO(client.get(f"/instruments/{RESIDENT}/1.xlsx").content))
    settings = book["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("version") + 1, value=str(version))
    survey = book["survey"]
    columns = [c.value for c in survey[1]]
    for row in survey.iter_rows(min_row=2):
        if str(row[columns.index("type")].value).startswith("select_one likert"):
            row[columns.index("required")].value = "no"
            row[columns.index("reverse")].value = "yes"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: TestClient, data: bytes, name: str = "estate.xlsx") -> str:
    page = client.post("/instruments", data={"_csrf": csrf_of(client)}, files={"file": (name, data)})
    assert page.status_code == 200, page.text
    return page.text


def _count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(SurveyResponse)).one())


def test_another_campaigns_lead_cannot_change_a_grade_through_an_instrument_version(
    client: TestClient, session: Session
) -> None:
    demo, locations = seed_graded_demo(session)
    before = compute(session=session, campaign=demo)[0]
    stored_before = _count(session)
    logged_in_lead(client, session, code="OTHER-1", username="lead2")

    page = _upload(client, _reversed_copy(client, 2))
    assert f"{RESIDENT}-lead2@2" in page and 'id="instrument-copied"' in page
    assert not session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == RESIDENT, InstrumentVersion.version == 2
        )
    ).first(), "the bundled instrument took no new version"
    copy = session.exec(
        select(InstrumentVersion).where(InstrumentVersion.instrument_id == f"{RESIDENT}-lead2")
    ).one()

    # a version of the same instrument id slipped in by whoever writes the database is no better
    bundled = session.exec(select(InstrumentVersion).where(InstrumentVersion.instrument_id == RESIDENT)).one()
    stray = InstrumentVersion(
        instrument_id=RESIDENT,
        version=9,
        kind=bundled.kind,
        title_zh=bundled.title_zh,
        title_en=bundled.title_en,
        definition={**bundled.definition, "version": 9},
        source_sha256="e" * 64,
    )
    session.add(stray)
    session.commit()

    anonymous = TestClient(client.app)
    path = survey_path(locations[0])
    answers = full_answers("5")
    for n in range(40):
        version = copy.id if n % 2 else stray.id
        token = form_token(anonymous.get(path).text)
        sent = anonymous.post(
            path, data={"_form": token, "_step": "submit", "_version": str(version), **answers}
        )
        assert sent.status_code == 422, sent.text
        if n == 0:
            assert "不是本次调查发放的问卷" in sent.text, "the resident is told, in Chinese"
            english = anonymous.post(
                path + "?lang=en",
                data={"_form": token, "_step": "submit", "_version": str(version), **answers},
            )
            assert english.status_code == 422 and "nothing was stored" in english.text
        garbled = anonymous.post(path, data={"_form": token, "_step": "submit", "_version": "x1", **answers})
        assert garbled.status_code == 422
    session.expire_all()
    assert _count(session) == stored_before, "nothing was stored"
    after = compute(session=session, campaign=demo)[0]
    assert (after.total, after.tier) == (before.total, before.tier)


def test_the_served_versions_still_submit(client: TestClient, session: Session) -> None:
    demo, locations = seed_graded_demo(session)
    path = survey_path(locations[0])
    token = form_token(client.get(path).text)
    answers = full_answers("4")
    form = {"_form": token, "_step": "submit", "_version": str(demo.survey_instrument_id), **answers}
    assert client.post(path, data=form).status_code == 303
    stored = session.exec(select(SurveyResponse).order_by(col(SurveyResponse.id).desc())).first()
    assert stored is not None and stored.instrument_version_id == demo.survey_instrument_id


def test_an_uploaded_instrument_takes_versions_from_its_owner_and_admins_only(
    client: TestClient, session: Session
) -> None:
    logged_in_lead(client, session, code="OWN-1", username="lead2")
    _upload(client, _reversed_copy(client, 2))
    own = f"{RESIDENT}-lead2"
    page = _upload(client, _reversed_copy(client, 3))  # the file still names the bundled id: into the copy
    assert f"{RESIDENT}-lead2@3" in page
    versions = session.exec(select(InstrumentVersion.version).where(InstrumentVersion.instrument_id == own))
    assert sorted(versions.all()) == [2, 3]

    stranger = TestClient(client.app, follow_redirects=False)
    make_user(session, "lead3", ["lead"])
    login(stranger, "lead3")
    sheet = load_workbook(io.BytesIO(stranger.get(f"/instruments/{own}/3.xlsx").content))
    settings = sheet["settings"]
    header = [c.value for c in settings[1]]
    settings.cell(row=2, column=header.index("version") + 1, value="4")
    out = io.BytesIO()
    sheet.save(out)
    page = _upload(stranger, out.getvalue())
    assert f"{own}-lead3@4" in page and 'id="instrument-copied"' in page
    assert not session.exec(
        select(InstrumentVersion).where(
            InstrumentVersion.instrument_id == own, InstrumentVersion.version == 4
        )
    ).first()

    admin = TestClient(client.app, follow_redirects=False)
    make_user(session, "admin1", ["admin", "lead"])
    login(admin, "admin1")
    page = _upload(admin, out.getvalue())
    assert "（第 4 版）" in page and 'id="instrument-copied"' not in page, "an administrator may extend it"
    # the same file again changes nothing and says so
    again = _upload(admin, out.getvalue())
    assert "（第 4 版）" in again and "内容完全相同" in again
