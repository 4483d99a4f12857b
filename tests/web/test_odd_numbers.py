"""One number parser: Unicode digits ('²', '٣') and integers past 2**63 in paths, queries, forms, headers, CSV
cells and XLSForm cells get a 4xx in the reader's language, never a 500 (issue 24, finding 4)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlmodel import Session
from starlette.testclient import TestClient

from forms.numbers import whole_number
from forms.xlsform import read_xlsform
from survey_app.app import create_app
from survey_app.settings import Settings
from tests.conftest import form_token, survey_path
from tests.factories import csrf_of, full_answers, logged_in_lead, login, make_user
from tests.web.field_work import as_user, schedule, setup

ODD = ["²", "٣", "１２", "1²", "99999999999999999999", "-1", " 1", "1e3", "0x10"]


@pytest.mark.parametrize("text", ODD)
def test_the_one_parser_refuses_what_is_not_ascii_digits_within_bounds(text: str) -> None:
    assert whole_number(text) is None
    assert whole_number("123") == 123 and whole_number("0") == 0 and whole_number("1" * 18) == int("1" * 18)
    assert whole_number("1" * 19) is None, "at most 18 digits: a signed 64-bit database integer"


def test_the_survey_takes_odd_numbers_without_a_server_error(session: Session, settings: Settings) -> None:
    from tests.factories import make_campaign

    _campaign, locations = make_campaign(session, code="ODD-1")
    with TestClient(create_app(settings), raise_server_exceptions=False, follow_redirects=False) as client:
        path = survey_path(locations[0])
        for odd in ODD:
            token = form_token(client.get(path).text)
            posted = {"_form": token, "_step": "submit", **full_answers()}
            for name in ("_elapsed_ms", "_version", "_page"):
                response = client.post(path, data={**posted, name: odd})
                assert response.status_code < 500, (name, odd, response.status_code)
            queued = client.post(path, data=posted, headers=[(b"X-Queued-Ms", odd.encode())])
            assert queued.status_code < 500, ("X-Queued-Ms", odd)
        odd_length = client.post(path, data={"_version": "²"}, headers=[(b"Content-Length", "²".encode())])
        assert odd_length.status_code < 500


def test_integers_past_the_database_in_a_path_are_not_found(session: Session, settings: Settings) -> None:
    campaign, _locations, _users, _ids = setup(session)
    huge = "9" * 20
    with TestClient(create_app(settings), raise_server_exceptions=False, follow_redirects=False) as lead:
        login(lead, "lead1")
        for path in (
            f"/c/{campaign.code}/visits/{huge}",
            f"/c/{campaign.code}/jobs/{huge}",
            f"/f/v/{huge}",
            f"/f/e/{huge}/thumb",
            f"/instruments/property-resident-survey/{huge}.xlsx",
        ):
            response = lead.get(path)
            assert response.status_code == 404, (path, response.status_code)
            assert "找不到" in response.text or "不存在" in response.text or "没有" in response.text
        token = csrf_of(lead)
        for path in (f"/c/{campaign.code}/tasks/{huge}", f"/users/lead1/tokens/{huge}/revoke"):
            assert lead.post(path, data={"_csrf": token}).status_code == 404, path


def test_staff_forms_and_queries_take_odd_numbers(session: Session, settings: Settings) -> None:
    campaign, locations, users, ids = setup(session)
    lead = as_user(settings, "lead1")
    visit = schedule(lead, "V-1", ids["property-open-evaluation"], "open", [users["f1"]])
    token = csrf_of(lead)
    for odd in ODD:
        for name in ("instrument", "location", "writeup_hours", "auditors"):
            data = {
                "_csrf": token,
                "mode": "open",
                "instrument": str(ids["property-open-evaluation"]),
                "window_start": "2026-12-01T09:00",
                "window_end": "2026-12-01T12:00",
                "auditors": str(users["f1"].id),
                name: odd,
            }
            response = lead.post("/c/V-1/visits", data=data)
            assert response.status_code < 500 and response.status_code in (303, 422), (name, odd)
        assert lead.get(f"/c/V-1/review?page={odd}").status_code == 200
        assert (
            lead.post("/c/V-1/tasks", data={"_csrf": token, "assigned_to": odd, "what": "x"}).status_code
            < 500
        )
        f1 = as_user(settings, "f1")
        assert f1.get(f"/f/v/{visit}?step={odd}").status_code == 200
        assert lead.get(f"/api/v1/campaigns/V-1/responses?after={odd}").status_code < 500
    csv = "code,name,target\nA1,一号,²\nA2,二号,٣\nA3,三号,99999999999999999999\n".encode()
    page = lead.post(
        "/c/V-1/locations/import", data={"_csrf": token}, files={"file": ("l.csv", csv, "text/csv")}
    )
    assert page.status_code == 422 and page.text.count("整数") >= 3


@pytest.mark.parametrize("version", ["²", "٣", "99999999999999999999", "1.5", "-2"])
def test_an_xlsform_version_cell_is_read_by_the_one_parser(version: str) -> None:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append(["text", "q1", "问题"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["odd", version])
    out = io.BytesIO()
    book.save(out)
    found = read_xlsform(out.getvalue())
    # ODK allows any version text: it is kept as the form's own label (a note), and stored as version 1
    assert found.problems == [] and found.definition is not None and found.definition["version"] == 1
    assert any(n.path == "settings!version" and version[:20] in n.reason for n in found.notes), found.notes


def test_a_lead_edit_form_with_odd_numbers(client: TestClient, session: Session) -> None:
    campaign, _locations = logged_in_lead(client, session, code="ODD-2")
    make_user(session, "f9", ["field"])
    page = client.get(f"/c/{campaign.code}/edit")
    assert page.status_code == 200
    for odd in ODD:
        data = {"_csrf": csrf_of(client), "sample_target": odd, "field_auditors": odd, "instrument": odd}
        assert client.post(f"/c/{campaign.code}/edit", data=data).status_code == 422
