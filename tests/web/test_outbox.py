"""The server side of the phones' outbox (issue 11): a queued request's key is stored with the change it made,
so every resend gets the first outcome and changes nothing more; the time it waited dates it; a page kept on a
phone is reused by the next person as a new response; an older instrument version still submits as itself."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, SQLModel, func, select
from starlette.testclient import TestClient

from survey_app.clock import utcnow
from survey_app.models import AuditLog, Campaign, InstrumentVersion, RequestKey, Sheet, SurveyResponse
from survey_app.services.intake.form_tokens import new_form_token
from survey_app.settings import Settings
from tests.conftest import SECRET, form_token, survey_path
from tests.factories import csrf_of, full_answers, make_campaign
from tests.web.field_work import as_user, schedule, setup

JSON = {"Accept": "application/json"}


def count(session: Session, model: type[SQLModel]) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


def queued(key: str, waited_ms: int = 0) -> dict[str, str]:
    return {**JSON, "X-Idempotency-Key": key, "X-Queued-Ms": str(waited_ms)}


def test_a_queued_survey_is_stored_once_dated_when_answered(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    data = {
        "_form": new_form_token(
            SECRET, utcnow() - timedelta(hours=3), locations[0].id or 0
        ),  # opened earlier
        "_step": "submit",
        **full_answers(),
        "_draft": "d-1234abcd",
    }
    waited = 2 * 3600 * 1000  # two hours without signal
    first = client.post(path, data=data, headers=queued("k" * 32, waited))
    again = client.post(path, data=data, headers=queued("k" * 32, 0))
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["ok"] is True
    assert "/thanks/" in first.json()["location"]
    assert count(session, SurveyResponse) == 1 and count(session, RequestKey) == 1
    stored = session.exec(select(SurveyResponse)).one()
    age = utcnow() - stored.submitted_at
    assert timedelta(hours=1, minutes=59) < age < timedelta(hours=2, minutes=1), "dated when it was answered"
    assert stored.started_at is not None and stored.started_at <= stored.submitted_at
    early = {**data, "_draft": "d-5678efgh"}
    client.post(path, data=early, headers=queued("q" * 32, 30 * 86400 * 1000))  # a phone claiming a month
    claimed = session.exec(select(SurveyResponse).where(SurveyResponse.id != stored.id)).one()
    assert claimed.started_at is not None and claimed.submitted_at >= claimed.started_at, (
        "never before the form"
    )


def test_a_page_kept_on_the_phone_serves_the_next_resident(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    token = form_token(client.get(path).text)  # one page, kept by the worker and used twice offline
    for n, draft in enumerate(("d-aaaa1111", "d-bbbb2222")):
        data = {"_form": token, "_step": "submit", **full_answers(), "_draft": draft}
        assert client.post(path, data=data, headers=queued(f"{n}" * 32)).json()["ok"]
    assert count(session, SurveyResponse) == 2, "two drafts are two residents"
    resend = {"_form": token, "_step": "submit", **full_answers(), "_draft": "d-aaaa1111"}
    assert client.post(path, data=resend).status_code == 303  # the first draft resent by a plain form post
    assert count(session, SurveyResponse) == 2, "a resent draft is the same response"


def test_a_key_is_bound_to_its_path_and_checked(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session, locations=2)
    one, two = survey_path(locations[0]), survey_path(locations[1])
    data = {"_form": form_token(client.get(one).text), "_step": "submit", **full_answers()}
    assert client.post(one, data=data, headers=queued("z" * 32)).status_code == 200
    other = {"_form": form_token(client.get(two).text), "_step": "submit", **full_answers()}
    reused = client.post(two, data=other, headers=queued("z" * 32))
    assert reused.status_code == 409 and reused.json()["error"]["code"] == "outbox_key_reused"
    bad = client.post(one, data=data, headers=queued("short"))  # not a key: an ordinary request
    assert bad.status_code == 303
    assert count(session, SurveyResponse) == 1


def test_refusals_come_back_as_messages_in_the_phones_language(client: TestClient, session: Session) -> None:
    _campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    data = {"_form": form_token(client.get(path).text), "_step": "submit"}  # nothing answered
    refused = client.post(path, data=data, headers=queued("r" * 32))
    assert refused.status_code == 422
    assert refused.json()["error"] == {
        "code": "answers_incomplete",
        "status": 422,
        "message": "还有必答题没有回答。请重新打开表单补全。",
    }
    english = client.post(path + "?lang=en", data=data, headers=queued("e" * 32))
    assert "required answers are missing" in english.json()["error"]["message"]


def test_an_older_instrument_version_still_submits_as_itself(client: TestClient, session: Session) -> None:
    campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    old_page = client.get(path).text
    old = session.get(InstrumentVersion, campaign.survey_instrument_id)
    assert old is not None
    newer = InstrumentVersion(
        instrument_id=old.instrument_id,
        version=old.version + 1,
        kind=old.kind,
        title_zh=old.title_zh,
        title_en=old.title_en,
        definition={**old.definition, "version": old.version + 1},
        source_sha256="f" * 64,
    )
    session.add(newer)
    session.flush()
    row = session.get(Campaign, campaign.id)
    assert row is not None
    row.survey_instrument_id = newer.id or 0
    session.commit()
    data = {"_form": form_token(old_page), "_step": "submit", "_version": str(old.id), **full_answers()}
    assert client.post(path, data=data).status_code == 303
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.instrument_version_id == old.id, "the version it answered"
    assert f'name="_version" value="{newer.id}"' in client.get(path).text


def test_field_replays_without_the_form_field_and_after_cancellation(
    settings: Settings, session: Session
) -> None:
    campaign, locations, users, ids = setup(session, code="OB-1")
    lead = as_user(settings, "lead1")
    visit = schedule(
        lead, "OB-1", ids["property-open-evaluation"], "covert", [users["f1"]], loc=locations[0].id
    )
    field = as_user(settings, "f1")
    checkin = {"device_time": "", "latitude": "", "longitude": ""}  # no _csrf: the key and the site stand in
    hour = 3600 * 1000
    first = field.post(f"/f/v/{visit}/checkin", data=checkin, headers=queued("c" * 32, hour))
    assert first.status_code == 200 and first.json()["ok"], first.text
    again = field.post(f"/f/v/{visit}/checkin", data=checkin, headers=queued("c" * 32, 0))
    assert again.json() == first.json()
    cross = field.post(
        f"/f/v/{visit}/checkin", data=checkin, headers={**queued("x" * 32), "Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403, "a replay from another site still needs the CSRF field"
    sheet = session.exec(select(Sheet).where(Sheet.visit_id == visit)).one()
    assert sheet.checkin_at is not None and utcnow() - sheet.checkin_at > timedelta(minutes=59)
    assert count(session, AuditLog) > 0
    checkins = session.exec(select(AuditLog).where(AuditLog.action == "visit.checkin")).all()
    assert len(checkins) == 1, "one check-in, however often it was sent"

    cancel = lead.post(
        f"/c/OB-1/visits/{visit}/cancel",
        data={"_csrf": csrf_of(lead, "/campaigns"), "reason": "门店停业"},
    )
    assert cancel.status_code == 303, cancel.text
    step = field.post(
        f"/f/v/{visit}/step/3",  # the number a phone had; the section it names decides
        data={"_section": "customer_service", "a.e01": "4", "go": "next"},
        headers=queued("s" * 32),
    )
    assert step.status_code == 409 and step.json()["error"]["code"] == "visit_cancelled_kept"
    assert "已保留" in step.json()["error"]["message"]
    session.expire_all()
    kept = session.exec(select(Sheet).where(Sheet.visit_id == visit)).one()
    assert kept.answers.get("e01") in (4, "4") and kept.after_cancel, "the lead auditor has the answer"
    anonymous = TestClient(field.app, follow_redirects=False)
    expired = anonymous.post(f"/f/v/{visit}/checkin", data=checkin, headers=queued("a" * 32))
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "login_required"


def test_a_new_release_changes_the_worker_and_its_caches(client: TestClient, tmp_path: Path) -> None:
    from survey_app.routes.pwa import _worker_source

    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["cache-control"] == "no-cache"
    assert "__VERSION__" not in worker.text and "__PRECACHE__" not in worker.text
    assert "/static/css/app.css?v=" in worker.text and '"/offline"' in worker.text
    assert 'n.indexOf("mingcha-shell-") === 0 && n !== SHELL' in worker.text, "old shells are deleted"
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "sw.js").write_text('var VERSION = "__VERSION__"; var P = __PRECACHE__;')
    old = _worker_source(tmp_path, ("/static/css/app.css?v=aaaa",))
    new = _worker_source(tmp_path, ("/static/css/app.css?v=bbbb",))
    version = re.compile(r'VERSION = "(\w+)"')
    assert version.search(old) and version.search(new)
    before, after = version.search(old), version.search(new)
    assert before is not None and after is not None
    assert before.group(1) != after.group(1), "a changed file, a new worker"
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["short_name"] == "明察" and manifest["start_url"] == "/app"


def test_a_refused_public_post_leaves_no_replay_row_and_old_keys_expire(
    client: TestClient, session: Session, settings: Settings
) -> None:
    import secrets

    from survey_app.db import make_engine
    from survey_app.worker.tasks import expire_replay_keys

    _campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    for _ in range(20):
        junk = {"_form": form_token(client.get(path).text), "_step": "submit", "a.q01": "9"}
        refused = client.post(path, data=junk, headers=queued(secrets.token_hex(16)))
        assert refused.status_code == 422
    assert count(session, RequestKey) == 0, "a refused anonymous post stores no outcome"
    data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
    assert client.post(path, data=data, headers=queued("s" * 32)).status_code == 200
    assert count(session, RequestKey) == 1, "an accepted one does (a resend gets the same answer)"

    old = session.exec(select(RequestKey)).one()
    old.created_at = utcnow() - timedelta(days=settings.replay_retention_days + 1)
    session.add(old)
    session.add(RequestKey(key="public:" + "f" * 32, path=path, status=200, outcome={"ok": True}))
    session.commit()
    engine = make_engine(settings.database_url)
    assert expire_replay_keys(engine, settings.replay_retention_days) == 1
    engine.dispose()
    assert count(session, RequestKey) == 1, "the fresh key stays"
