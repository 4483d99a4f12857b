"""Issue 26: a repeat (a roster the respondent extends) on the survey. The page starts with one entry; "add
another" and "remove" keep every answer typed (a removed entry's answers go and the later ones move up),
without JavaScript too; the entries are checked one by one and stored under the repeat's id; a repeat whose
count follows an earlier answer shows that many; the lead's export and the API carry the entries, masked."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from survey_app.models import Campaign, SurveyResponse
from survey_app.services.api import tokens
from tests.conftest import form_token, survey_path
from tests.factories import add_member, csrf_of, login, make_user, serving_xlsform
from tests.xlsform_books import workbook

FORM = workbook(
    [
        ["type", "name", "label", "required", "repeat_count", "relevant"],
        ["integer", "adults", "How many adults live here?", "yes", "", ""],
        ["begin repeat", "adult", "Adult", "", "${adults}", ""],
        ["text", "a_name", "First name", "yes", "", ""],
        ["end repeat", "", "", "", "", ""],
        ["begin repeat", "child", "Children", "", "", ""],
        ["text", "c_name", "Child's first name", "yes", "", ""],
        ["integer", "c_age", "Child's age", "yes", "", ""],
        ["text", "c_school", "Which school?", "no", "", "${c_age} >= 6"],
        ["end repeat", "", "", "", "", ""],
        ["text", "remark", "Anything else?", "no", "", ""],
    ],
    settings=[["form_id", "form_title"], ["household", "Household"]],
)  # fmt: skip


def _page(client: TestClient, path: str, **fields: Any) -> Any:
    token = form_token(client.get(path).text)
    return client.post(path, data={"_form": token, **fields})


def test_entries_are_added_and_removed_without_losing_answers(client: TestClient, session: Session) -> None:
    path = survey_path(serving_xlsform(session, "REP-1", FORM)[0])
    first = client.get(path)
    assert first.status_code == 200
    assert 'name="a.c_name.1"' in first.text and 'name="a.c_name.2"' not in first.text, "one entry to start"
    assert "再添加一条" in first.text and "删除第 1 条" in first.text
    assert 'name="a.a_name.1"' not in first.text, "a count from an earlier answer: none before it is answered"
    base = {"_page": "0", "a.adults": "2", "a.c_name.1": "Ana", "a.c_age.1": "8"}
    added = _page(client, path, **base, **{"_n.child": "1", "_repeat": "add:child"})
    assert added.status_code == 200
    assert 'name="a.c_name.2"' in added.text and ">Ana</textarea>" in added.text, "the first entry kept"
    assert 'name="a.a_name.2"' in added.text and 'name="a.a_name.3"' not in added.text, "two adults: two"
    three = {
        **base,
        "_n.child": "3",
        "a.c_name.2": "Bo",
        "a.c_age.2": "3",
        "a.c_name.3": "Cy",
        "a.c_age.3": "11",
    }
    removed = _page(client, path, **three, _repeat="remove:child:2")
    assert removed.status_code == 200
    assert 'name="a.c_name.3"' not in removed.text and ">Bo</textarea>" not in removed.text
    assert 'id="in-c_name.2"' in removed.text and ">Cy</textarea>" in removed.text, "the third moved up"
    odd = _page(client, path, **three, _repeat="remove:child:9")
    assert odd.status_code == 422 and "无法添加或删除" in odd.text and ">Bo</textarea>" in odd.text
    assert session.exec(select(SurveyResponse)).all() == []


def test_each_entry_is_checked_and_stored_under_the_repeat(
    client: TestClient, session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    path = survey_path(serving_xlsform(session, "REP-2", FORM)[0])
    answers = {
        "_step": "submit",
        "a.adults": "1",
        "a.a_name.1": "Dora",
        "_n.child": "2",
        "a.c_name.1": "Ana",
        "a.c_age.1": "8",
        "a.c_school.1": "东渡小学",
        "a.c_age.2": "2.5",
    }
    bad = _page(client, path, **answers)
    assert bad.status_code == 422
    assert "请填写整数" in bad.text and 'id="err-c_age.2"' in bad.text and 'id="err-c_name.2"' in bad.text
    assert 'id="err-c_name.1"' not in bad.text and ">Ana</textarea>" in bad.text
    good = _page(client, path, **{**answers, "a.c_name.2": "Bo", "a.c_age.2": "2", "a.c_school.2": "x"})
    assert good.status_code == 303, good.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a form without rated questions"
    stored = session.exec(select(SurveyResponse)).one()
    assert stored.fraud_score is None, "nothing to screen on: left unscored, no error in the worker"
    assert stored.answers["adult"] == [{"a_name": "Dora"}]
    assert stored.answers["child"] == [
        {"c_name": "Ana", "c_age": 8, "c_school": "东渡小学"},
        {"c_name": "Bo", "c_age": 2},  # a two-year-old is not asked the school: the typed "x" is not kept
    ]
    stray = _page(client, path, **{**answers, "a.c_name.2": "Bo", "a.c_age.2": "2", "a.c_name": "Zed"})
    assert stray.status_code == 422 and "本问卷中不存在的题目（c_name）" in stray.text


def test_the_lead_reads_the_entries_in_the_export_and_the_api(client: TestClient, session: Session) -> None:
    locations = serving_xlsform(session, "REP-3", FORM)
    path = survey_path(locations[0])
    answers = {
        "_step": "submit",
        "a.adults": "0",
        "_n.child": "2",
        "a.c_name.1": "Ana 电话 139 1234 5678",
        "a.c_age.1": "8",
        "a.c_name.2": "Bo",
        "a.c_age.2": "3",
    }
    assert _page(client, path, **answers).status_code == 303
    campaign = session.exec(select(Campaign).where(Campaign.code == "REP-3")).one()
    lead = make_user(session, "rep-lead", ["lead"])
    add_member(session=session, campaign_id=campaign.id, user_id=lead.id, role="lead")
    login(client, "rep-lead")
    preview = client.get("/instruments/household/1/preview")
    assert (
        preview.status_code == 200 and "第 1 条" in preview.text and "Child&#39;s first name" in preview.text
    )
    body = client.post("/c/REP-3/export/responses.csv", data={"_csrf": csrf_of(client)})
    rows = list(csv.reader(io.StringIO(body.content.decode("utf-8-sig"))))
    header, last = rows[0], rows[-1]
    assert last[header.index("c_age")] == "1: 8 | 2: 3"
    assert (
        last[header.index("c_name")].startswith("1: Ana 电话 [号码已隐去]")
        and "| 2: Bo" in last[header.index("c_name")]
    )
    assert "1234 5678" not in body.content.decode("utf-8-sig")
    _scoped, token = tokens.create(
        session=session, user=lead, name="bi", campaign_codes=["REP-3"], actor="test"
    )
    session.commit()
    api = client.get("/api/v1/campaigns/REP-3/responses", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and "1234 5678" not in api.text
    entries = api.json()["items"][0]["answers"]["child"]
    assert [e["c_age"] for e in entries] == [8, 3] and entries[0]["c_name"].startswith("Ana 电话 [号码")


def test_a_form_that_requires_a_photo_is_refused_for_the_anonymous_survey(
    client: TestClient, session: Session
) -> None:
    """Unless the lead allows residents' photos, a survey form with a required photo question would stop
    every resident at it, so the campaign form refuses it, in words; with the photo question optional, or
    residents' photos allowed, it is taken."""
    from forms.xlsform import read_xlsform
    from survey_app.services.campaigns.instruments import register
    from tests.web.test_campaigns import campaign_form

    make_user(session, "photo-lead", ["lead"])
    session.commit()
    login(client, "photo-lead")
    rows = []
    for required in ("yes", "no"):
        form = workbook(
            [["type", "name", "label", "required"], ["text", "what", "What?", "yes"],
             ["image", "pic", "A photo of it", required]],
            settings=[["form_id", "version"], [f"photo-{required}", "1"]],
        )  # fmt: skip
        imported = read_xlsform(form)
        assert imported.instrument is not None
        rows.append(register(session=session, instrument=imported.instrument))
    session.commit()
    client.get("/campaigns/new")
    data = {**campaign_form(session), "_csrf": csrf_of(client), "instrument": str(rows[0].id)}
    refused = client.post("/campaigns/new", data=data)
    assert refused.status_code == 422 and 'id="e-instrument"' in refused.text
    assert "匿名问卷只有在允许居民发送照片时才接收" in refused.text
    taken = client.post("/campaigns/new", data={**data, "instrument": str(rows[1].id)})
    assert taken.status_code == 303
    allowed = {**data, "code": "PHOTO-2", "resident_photos": "yes"}
    assert client.post("/campaigns/new", data=allowed).status_code == 303, "residents' photos allowed: taken"
    assert session.exec(select(Campaign).where(Campaign.code == "PHOTO-2")).one().resident_photos


def test_a_survey_without_rated_questions_draws_its_callbacks_at_random(
    client: TestClient, session: Session
) -> None:
    """Nothing for the anomaly screen to read: every response is drawable and the whole sample is random."""
    from survey_app.services.review.callbacks import any_scored, draw_callbacks

    locations = serving_xlsform(session, "REP-4", FORM)
    path = survey_path(locations[0])
    for n in range(12):
        answers = {"_step": "submit", "a.adults": "0", "_n.child": "0", "a.remark": f"第 {n} 户"}
        assert _page(client, path, **answers).status_code == 303
    campaign = session.exec(select(Campaign).where(Campaign.code == "REP-4")).one()
    assert all(r.fraud_score is None for r in session.exec(select(SurveyResponse)))
    assert any_scored(session=session, campaign=campaign)
    picks = draw_callbacks(session=session, campaign=campaign, seed=3)
    assert len(picks) >= 1 and {p.kind for p in picks} == {"random"}
