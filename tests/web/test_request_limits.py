"""Hostile requests: bodies bounded before anything parses them, odd inputs get a 4xx, never a 500."""

from __future__ import annotations

import io
from collections.abc import Iterator

from openpyxl import Workbook
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import SurveyResponse
from tests.conftest import form_token, survey_path
from tests.factories import csrf_of, full_answers, logged_in_lead
from tests.web.test_locations import rewrite_xlsx


def test_2_bodies_are_bounded_before_parsing(client: TestClient, session: Session) -> None:
    def chunks(total: int) -> Iterator[bytes]:
        block = b"x" * 65536
        for _ in range(total // 65536):
            yield block

    headers = {"Content-Type": "multipart/form-data; boundary=zz"}
    login_big = client.post("/login", content=chunks(3 * 1024 * 1024), headers=headers)
    assert login_big.status_code == 415, "a login is a small urlencoded form: anything else is refused unread"
    urlencoded = {"Content-Type": "application/x-www-form-urlencoded"}
    login_long = client.post("/login", content=chunks(3 * 1024 * 1024), headers=urlencoded)
    assert login_long.status_code == 413, "and one past 8 KB is refused while it streams in"
    logout = client.post("/logout", content=chunks(3 * 1024 * 1024), headers=headers)
    assert logout.status_code == 303, "anonymous: sent to log in, the body never read"
    campaign, _ = logged_in_lead(client, session)
    up = {"Content-Type": "multipart/form-data; boundary=zz", "X-CSRF-Token": csrf_of(client)}
    upload = client.post(f"/c/{campaign.code}/locations/import", content=chunks(12 * 1024 * 1024), headers=up)
    assert upload.status_code == 413 and "文件过大" in upload.text


def test_6_odd_inputs_get_a_4xx_never_a_500(client: TestClient, session: Session) -> None:
    campaign, locations = logged_in_lead(client, session)
    path = survey_path(locations[0])
    data = {
        "_form": form_token(client.get(path).text),
        "_step": "submit",
        **full_answers(),
        "_item_ms": '{"q01": 1e999}',
    }
    assert client.post(path, data=data).status_code == 303, "answers kept; the impossible time dropped"
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.item_ms == {}
    token = csrf_of(client)
    for when in ("0001-01-01T00:00", "9999-12-31T23:59"):
        form = {
            "_csrf": token,
            "starts_at": when,
            "deadline": "2027-01-01T00:00",
            "timezone": "Pacific/Kiritimati",
        }
        assert client.post(f"/c/{campaign.code}/edit", data=form).status_code == 422
    pair = (
        "id: p\nversion: 1\ntitle: t\nsections:\n- id: s\n  title: s\n  items:\n"
        "  - {id: q1, type: likert5, label: a, pair: [q2]}\n  - {id: q2, type: likert5, label: b}\n"
    )
    page = client.post(
        "/instruments", files={"file": ("p.yaml", pair.encode(), "text/yaml")}, data={"_csrf": token}
    )
    assert page.status_code == 422 and "pair must name one item id" in page.text
    xlsx = io.BytesIO()
    Workbook().save(xlsx)
    doctype = rewrite_xlsx(
        xlsx.getvalue(), "xl/workbook.xml", lambda x: x.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e "e">]>', 1)
    )
    imported = client.post(
        f"/c/{campaign.code}/locations/import", files={"file": ("d.xlsx", doctype)}, data={"_csrf": token}
    )
    assert imported.status_code == 422
    long_cell = ("code,name\nB01," + "长" * 140_000 + "\n").encode()
    imported = client.post(
        f"/c/{campaign.code}/locations/import", files={"file": ("l.csv", long_cell)}, data={"_csrf": token}
    )
    assert imported.status_code == 422
