"""Accounts: argon2 hashes, login throttling, idle expiry, cookies, the user command line."""

from __future__ import annotations

import io
import re
from typing import Literal

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.auth import sessions
from survey_app.auth.accounts import find_user
from survey_app.cli.main import main
from survey_app.models import User
from survey_app.settings import Settings
from tests.factories import (
    PASSWORD,
    app_of,
    csrf_of,
    logged_in_lead,
    login,
    make_user,
)


def test_password_is_stored_as_argon2(session: Session) -> None:
    user = make_user(session, "lead1", ["lead"])
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_session_cookie_flags(client: TestClient, session: Session) -> None:
    make_user(session, "lead1", ["lead"])
    cookie = login(client, "lead1").headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower(), "Secure only when served over HTTPS (MINGCHA_HTTPS=1)"


def test_secure_cookie_over_https(settings: Settings, session: Session) -> None:
    from dataclasses import replace

    from survey_app.app import create_app

    make_user(session, "lead1", ["lead"])
    with TestClient(
        create_app(replace(settings, https_only=True)), base_url="https://testserver", follow_redirects=False
    ) as client:
        assert "secure" in login(client, "lead1").headers["set-cookie"].lower()


def test_throttle_after_five_failures_then_clear_message(
    client: TestClient, session: Session, settings: Settings
) -> None:
    make_user(session, "lead1", ["lead"])
    for _ in range(5):
        assert login(client, "lead1", "wrong password").status_code == 401
    blocked = login(client, "lead1")  # from this address, even the right password waits
    assert blocked.status_code == 429 and "失败次数过多，请等待" in blocked.text
    other = make_user(session, "lead2", ["lead"])
    assert login(client, other.username).status_code == 303, (
        "other accounts from the same address are not locked"
    )
    app = client.app
    with TestClient(app, follow_redirects=False, client=("203.0.113.9", 4000)) as elsewhere:
        owner = login(elsewhere, "lead1")
        assert owner.status_code == 303, "the attacker cannot lock the owner out from the owner's own address"
        notice = elsewhere.get("/campaigns").text
        assert "5 次登录失败" in notice, "the owner is told about the failed attempts"
        assert "5 次登录失败" not in elsewhere.get("/campaigns").text, "once"


def test_unknown_and_known_users_cost_the_same(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argon2 import PasswordHasher

    from survey_app.auth import passwords

    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
            calls.append(str(hash))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", Counting(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(passwords, "_DUMMY", {})
    make_user(session, "lead1", ["lead"])
    login(client, "lead1", "wrong password")
    login(client, "nobody-here", "wrong password")
    assert len(calls) == 2, "an unknown user's password is hashed and checked as a known user's is"


def test_throttle_is_a_window_not_a_lockout(client: TestClient, session: Session) -> None:
    make_user(session, "lead1", ["lead"])
    for _ in range(5):
        login(client, "lead1", "wrong password")
    throttle = app_of(client).state.login_throttle
    throttle.limiter.storage.reset()  # the 15-minute window passing
    assert login(client, "lead1").status_code == 303


def test_idle_session_expires_with_a_message(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    assert client.get("/campaigns").status_code == 200
    monkeypatch.setattr(sessions, "IDLE_SECONDS", -1)
    page = client.get("/campaigns")
    assert page.status_code == 303 and "expired=1" in page.headers["location"]
    assert "登录已过期" in client.get(page.headers["location"]).text


def test_password_change_ends_open_sessions(client: TestClient, session: Session) -> None:
    from survey_app.auth.accounts import set_password

    user = make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    set_password(session=session, user=user, password="another long password")
    session.commit()
    assert client.get("/campaigns").status_code == 303


def test_logout(client: TestClient, session: Session) -> None:
    from tests.factories import csrf_of

    make_user(session, "lead1", ["lead"])
    login(client, "lead1")
    assert client.post("/logout", data={"_csrf": csrf_of(client)}).status_code == 303
    assert client.get("/campaigns").status_code == 303


def test_open_redirect_is_refused(client: TestClient, session: Session) -> None:
    import re

    make_user(session, "lead1", ["lead"])
    found = re.search(r'name="_csrf" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    token = found.group(1)
    posted = client.post(
        "/login", data={"_csrf": token, "username": "lead1", "password": PASSWORD, "next": "//evil.example/"}
    )
    assert posted.headers["location"] == "/campaigns"


def test_user_cli(
    settings: Settings, session: Session, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    monkeypatch.setattr("sys.stdin", io.StringIO("a good long password\n"))
    assert main(["user", "add", "--username", "Wang", "--role", "lead", "--role", "field"]) == 0
    session.expire_all()
    user = find_user(session=session, username="wang")
    assert user is not None and user.roles == ["field", "lead"]
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "passwd", "--username", "wang"]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("a good long password\n"))
    assert main(["user", "add", "--username", "wang", "--role", "lead"]) == 2


def test_4_logout_ends_the_session_on_the_server(
    client: TestClient, session: Session, settings: Settings
) -> None:
    campaign, _ = logged_in_lead(client, session)
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


def test_accounts_in_the_app(client: TestClient, session: Session, settings: Settings) -> None:
    make_user(session, "boss", ["admin"])
    login(client, "boss")
    added = client.post(
        "/users",
        data={"_csrf": csrf_of(client), "username": "li", "display_name": "李查", "roles": ["field"]},
    )
    temporary = re.search(r'id="temporary-password">([^<]+)<', added.text)
    assert added.status_code == 200 and temporary
    with TestClient(create_app(settings), follow_redirects=False) as li:
        assert login(li, "li", temporary.group(1)).status_code == 303
        forced = li.get("/campaigns")
        assert forced.status_code == 303 and forced.headers["location"] == "/users/li/password"
        token = csrf_of(li, "/users/li/password")
        wrong = li.post(
            "/users/li/password", data={"_csrf": token, "current": "x", "new": "a" * 12, "repeat": "a" * 12}
        )
        assert wrong.status_code == 422
        form = {
            "_csrf": token,
            "current": temporary.group(1),
            "new": "new-pass-12345",
            "repeat": "new-pass-12345",
        }
        assert li.post("/users/li/password", data=form).status_code == 303
        assert login(li, "li", "new-pass-12345").status_code == 303
        assert li.get("/campaigns").status_code == 200, "free to go on"
    roles = client.post("/users/li/roles", data={"_csrf": csrf_of(client), "roles": ["field", "lead"]})
    assert roles.status_code == 303
    asked = client.post("/users/li/reset", data={"_csrf": csrf_of(client)})
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.text, "a confirmation first"
    reset = client.post("/users/li/reset", data={"_csrf": csrf_of(client), "confirm": "yes"})
    assert reset.status_code == 200 and re.search(r'id="temporary-password">', reset.text)
    off = client.post("/users/li/active", data={"_csrf": csrf_of(client), "active": "no", "confirm": "yes"})
    assert off.status_code == 303
    session.expire_all()
    li_user = session.exec(select(User).where(User.username == "li")).one()
    assert li_user.roles == ["field", "lead"] and not li_user.active and li_user.must_change_password
    with TestClient(create_app(settings), follow_redirects=False) as li:
        assert login(li, "li", "new-pass-12345").status_code == 401, "deactivated"
    self_off = client.post(
        "/users/boss/active", data={"_csrf": csrf_of(client), "active": "no", "confirm": "yes"}
    )
    assert self_off.status_code == 422


def test_a_session_ends_at_its_absolute_lifetime_however_active(session: Session, settings: Settings) -> None:
    from dataclasses import replace
    from datetime import timedelta

    from survey_app.clock import utcnow
    from survey_app.models import StaffSession

    make_user(session, "lead1", ["lead"])
    app = create_app(replace(settings, session_hours=12))
    with TestClient(app, follow_redirects=False) as client:
        login(client, "lead1")
        assert client.get("/campaigns").status_code == 200
        record = session.exec(select(StaffSession)).one()
        record.created_at = utcnow() - timedelta(hours=11, minutes=59)
        session.add(record)
        session.commit()
        assert client.get("/campaigns").status_code == 200, "busy, within twelve hours"
        record.created_at = utcnow() - timedelta(hours=12, minutes=1)
        session.add(record)
        session.commit()
        ended = client.get("/campaigns")
        assert ended.status_code == 303 and "expired=1" in ended.headers["location"]


def test_serve_warns_once_about_forwarded_addresses_without_behind_proxy(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from dataclasses import replace

    with TestClient(create_app(settings)) as client, caplog.at_level("WARNING", logger="survey_app"):
        for _ in range(3):
            client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    warned = [r for r in caplog.records if "--behind-proxy" in r.getMessage()]
    assert len(warned) == 1
    caplog.clear()
    with TestClient(create_app(replace(settings, behind_proxy=True))) as client:
        with caplog.at_level("WARNING", logger="survey_app"):
            client.get("/healthz", headers={"X-Forwarded-For": "203.0.113.7"})
    assert not [r for r in caplog.records if "--behind-proxy" in r.getMessage()]
