"""Issue 12: the heavy files (every poster, the analysis PDF, exports) are made by the job worker while the
lead auditor watches their state; a job left running by a dead worker is run again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.clock import utcnow
from survey_app.errors import Invalid
from survey_app.models import AuditLog, CallbackPick, Campaign, Job, JobState, ResponseStatus, SurveyResponse
from survey_app.services import audit
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.services.jobs import requests
from survey_app.services.review import status
from survey_app.settings import Settings
from tests.factories import add_member, app_of, csrf_of, login, make_campaign, make_user


def lead_of(client: TestClient, session: Session, code: str, locations: int = 3) -> Campaign:
    campaign, _locations = make_campaign(session, code=code, locations=locations)
    user = make_user(session, f"lead-{code}", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="lead")
    session.commit()
    login(client, f"lead-{code}")
    return campaign


def scored_demo_with_lead(session: Session, username: str) -> Campaign:
    """The demo campaign with its scored responses, and a lead auditor of it."""
    campaign, locations, _ = seed_demo(session=session)
    seed_demo_responses(session=session, campaign=campaign, locations=locations)
    user = make_user(session, username, ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="lead")
    session.commit()
    return campaign


def ask(client: TestClient, code: str, **data: str) -> str:
    response = client.post(f"/c/{code}/jobs", data={"_csrf": csrf_of(client), **data})
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_posters_are_made_in_the_background_then_downloaded(client: TestClient, session: Session) -> None:
    lead_of(client, session, "BG-1")
    page_url = ask(client, "BG-1", kind="posters")
    page = client.get(page_url)  # the test queue runs a job at once, after the response
    assert page.status_code == 200 and "已完成" in page.text and "hx-trigger" not in page.text
    job = session.exec(select(Job)).one()
    assert (
        job.state == JobState.DONE
        and job.started_at
        and job.finished_at
        and job.filename == "posters-BG-1.pdf"
    )
    pdf = client.get(f"{page_url}/file")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert 'filename="posters-BG-1.pdf"' in pdf.headers["content-disposition"]


def test_an_export_job_is_an_audit_row_and_its_file(client: TestClient, session: Session) -> None:
    lead_of(client, session, "BG-2")
    page_url = ask(client, "BG-2", kind="export", export="responses.csv")
    body = client.get(f"{page_url}/file")
    assert body.status_code == 200 and body.headers["content-type"].startswith("text/csv")
    rows = session.exec(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [r.detail["file"] for r in rows] == ["responses.csv"]


def test_a_failed_job_says_why_and_bad_requests_are_refused(client: TestClient, session: Session) -> None:
    lead_of(client, session, "BG-3", locations=0)
    page_url = ask(client, "BG-3", kind="posters")
    page = client.get(page_url)
    assert "失败" in page.text and "请先为本项目添加地点" in page.text
    assert session.exec(select(Job)).one().message == "no_locations"
    assert client.get(f"{page_url}/file").status_code == 404
    token = csrf_of(client)
    assert client.post("/c/BG-3/jobs", data={"_csrf": token, "kind": "rm -rf"}).status_code == 422
    bad = client.post("/c/BG-3/jobs", data={"_csrf": token, "kind": "export", "export": "passwd.txt"})
    assert bad.status_code == 422
    assert client.get("/c/BG-3/jobs/999").status_code == 404


def test_a_waiting_job_polls_and_a_dead_workers_job_runs_again(client: TestClient, session: Session) -> None:
    campaign = lead_of(client, session, "BG-4")
    stuck = Job(
        campaign_id=campaign.id or 0,
        kind="analysis",
        created_by="lead-BG-4",
        state=JobState.RUNNING,
        started_at=utcnow() - timedelta(minutes=20),
    )
    session.add(stuck)
    session.commit()
    fragment = client.get(f"/c/BG-4/jobs/{stuck.id}", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.text and "<html" not in fragment.text
    assert '<meta http-equiv="refresh"' in client.get(f"/c/BG-4/jobs/{stuck.id}").text
    assert requests.waiting(session=session) == [stuck.id]
    jobs = app_of(client).state.jobs
    assert jobs.recover() >= 1  # what the worker does at start-up and every minute
    session.refresh(stuck)
    assert stuck.state == JobState.DONE and stuck.filename == "analysis-BG-4.pdf"
    assert requests.waiting(session=session) == []


def test_the_callback_draw_is_a_job_whose_page_follows_it(
    client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign = scored_demo_with_lead(session, "lead-draw")
    login(client, "lead-draw")
    drawn = client.post(f"/c/{campaign.code}/review/draw", data={"_csrf": csrf_of(client)})
    assert drawn.status_code == 303 and "/jobs/" in drawn.headers["location"]
    page = client.get(drawn.headers["location"])
    job = session.exec(select(Job).where(Job.kind == "draw")).one()
    picks = session.exec(select(CallbackPick).where(CallbackPick.campaign_id == campaign.id)).all()
    assert job.state == JobState.DONE and job.params["picked"] == len(picks) > 0
    assert f"{len(picks)} 份答卷已抽取回访" in page.text and "?sample=sample" in page.text
    assert picks[0].seed == int(job.params["seed"])
    assert len(session.exec(select(AuditLog).where(AuditLog.action == "callbacks.draw")).all()) == 1
    assert (
        client.post(f"/c/{campaign.code}/jobs", data={"_csrf": csrf_of(client), "kind": "draw"}).status_code
        == 422
    ), "the draw is asked for from the review desk only"

    def half_way(**kwargs: object) -> list[object]:
        db = kwargs["session"]
        assert isinstance(db, Session)
        audit.append(session=db, actor="t", action="half", campaign_id=campaign.id)
        raise Invalid("nothing_to_draw")

    monkeypatch.setattr(requests, "draw_callbacks", half_way)
    further = {"_csrf": csrf_of(client), "redraw": "yes", "reason": "补抽：新增答卷", "name": "lead-draw"}
    again = client.post(f"/c/{campaign.code}/review/draw", data=further)
    failed = client.get(again.headers["location"])
    assert "还没有经过评分的线上答卷" in failed.text
    session.expire_all()
    assert session.exec(select(Job).where(Job.kind == "draw", Job.state == JobState.FAILED)).one()
    half = session.exec(select(AuditLog).where(AuditLog.action == "half")).all()
    assert not half, "a failed draw leaves nothing"


def test_a_large_campaign_is_graded_by_the_worker_and_shown_while_nothing_changed(
    settings: Settings, session: Session
) -> None:
    campaign = scored_demo_with_lead(session, "lead-grade")
    report = f"/c/{campaign.code}/report"
    with TestClient(create_app(settings), follow_redirects=False) as small:  # the default limit: inline
        login(small, "lead-grade")
        inline = small.get(report)
    assert inline.status_code == 200 and "评分" in inline.text and "立即计算评分" not in inline.text
    with TestClient(create_app(replace(settings, grade_inline_limit=10)), follow_redirects=False) as client:
        login(client, "lead-grade")
        waiting = client.get(report)
        assert waiting.status_code == 200 and "立即计算评分" in waiting.text
        assert "立即计算评分" in client.get(f"/c/{campaign.code}/report/analysis").text
        asked = client.post(f"/c/{campaign.code}/jobs", data={"_csrf": csrf_of(client), "kind": "grade"})
        assert asked.status_code == 303
        job_page = client.get(asked.headers["location"])
        assert "打开评分报告" in job_page.text
        shown = client.get(report)
        assert shown.status_code == 200 and "立即计算评分" not in shown.text
        assert len(_figures(inline.text)) >= 3
        assert _figures(shown.text) == _figures(inline.text), "the worker's grade is the grade"
        analysis = client.get(f"/c/{campaign.code}/report/analysis")
        assert analysis.status_code == 200 and "立即计算评分" not in analysis.text
        response = session.exec(select(SurveyResponse).where(SurveyResponse.status == "received")).first()
        assert response is not None
        status.transition(
            session=session, response=response, to=ResponseStatus.EXCLUDED, actor="t", reason="test"
        )
        session.commit()
        stale = client.get(report)
        assert "立即计算评分" in stale.text and "上次计算评分之后" in stale.text, (
            "a decision since: asked again"
        )


def _figures(html: str) -> list[str]:
    """The grade's numbers as the report shows them (the result block)."""
    import re

    block = html.split("<h1>", 1)[1].split("<h2>", 1)[0]
    return re.findall(r"\d+\.\d+", block)
