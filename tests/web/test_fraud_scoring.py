"""The app scores every stored online response, re-scores a campaign, and draws the callback sample."""

from __future__ import annotations

import math

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from survey_app.cli.main import main
from survey_app.models import CallbackPick, Campaign, FraudModel, Location, SurveyResponse
from survey_app.services.demo.estate import seed_demo, seed_demo_responses
from survey_app.services.review.callbacks import draw_callbacks
from survey_app.settings import Settings
from tests.conftest import form_token, survey_path


@pytest.fixture
def demo(session: Session) -> tuple[Campaign, list[Location], int]:
    campaign, locations, _ = seed_demo(session=session)
    count = seed_demo_responses(session=session, campaign=campaign, locations=locations)
    session.commit()
    return campaign, locations, count


def test_demo_responses_are_scored_with_reasons(
    session: Session, demo: tuple[Campaign, list[Location], int]
) -> None:
    campaign, _locations, count = demo
    rows = session.exec(select(SurveyResponse).where(SurveyResponse.campaign_id == campaign.id)).all()
    assert count == len(rows) > 150
    assert all(r.fraud_score is not None and r.fraud_model_version for r in rows)
    flagged = [r for r in rows if r.status == "flagged"]
    assert len(flagged) == math.floor(campaign.callback_rate * len(rows))
    assert all(r.fraud_reasons and r.fraud_reasons[0]["zh"] and r.fraud_reasons[0]["en"] for r in flagged)
    assert session.exec(select(FraudModel)).first() is not None


def test_a_new_submission_is_scored_with_the_current_model(
    client: TestClient, session: Session, demo: tuple[Campaign, list[Location], int]
) -> None:
    _campaign, locations, _ = demo
    path = survey_path(locations[0])
    data = {"_form": form_token(client.get(path).text), "_step": "submit"}
    data.update({f"a.q{n:02d}": "5" for n in range(1, 22)})  # answers the reverse item like the rest
    data["_item_ms"] = '{"q01": 200, "q02": 150}'
    assert client.post(path, data=data).status_code == 303
    session.expire_all()
    stored = session.exec(select(SurveyResponse).order_by(col(SurveyResponse.id).desc())).first()
    assert stored is not None and stored.fraud_score is not None, "scored by the background task"
    reasons = " ".join(r["zh"] for r in stored.fraud_reasons)
    assert "同一个答案" in reasons or stored.fraud_score >= 1, reasons


def test_draw_callbacks_is_reproducible_and_sets_status(
    session: Session, demo: tuple[Campaign, list[Location], int]
) -> None:
    campaign, _l, count = demo
    first = draw_callbacks(session=session, campaign=campaign, seed=5)
    assert len(first) == math.ceil(0.10 * count)
    assert {p.kind for p in first} == {"flagged", "random"}
    assert all(p.reason.startswith(("flagged: ", "random control")) for p in first)
    due = session.exec(select(SurveyResponse).where(SurveyResponse.status == "callback_due")).all()
    assert {r.id for r in due} == {p.response_id for p in first}
    session.rollback()  # the same seed on the same scores draws the same sample
    again = draw_callbacks(session=session, campaign=campaign, seed=5)
    assert [(p.response_id, p.kind) for p in again] == [(p.response_id, p.kind) for p in first]
    assert len(session.exec(select(CallbackPick)).all()) == len(again)


def test_cli_rescore_and_draw(
    session: Session,
    demo: tuple[Campaign, list[Location], int],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))
    assert main(["rescore", "--campaign", "WYW1-2026"]) == 0
    assert main(["draw-callbacks", "--campaign", "WYW1-2026", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    _campaign, _l, count = demo
    assert f"scored {count} online responses" in out and f"drew {math.ceil(0.10 * count)} callbacks" in out
    assert main(["rescore", "--campaign", "NOPE"]) == 2
    assert main(["audit", "verify"]) == 0, "the demo's audit log (model flags, the draw) verifies"
    shown = capsys.readouterr().out
    assert main(["audit", "show", "--campaign", "WYW1-2026"]) == 0
    shown = capsys.readouterr().out
    assert "callbacks.draw" in shown and "response.draw" in shown and "response.model" in shown


def test_the_answers_the_model_reads_are_the_answers_stored(
    client: TestClient, session: Session, demo: tuple[Campaign, list[Location], int]
) -> None:
    """Answers are stored twice (as given, and as compact codes); the scoring path reads only the codes, so
    both must say the same for every response, N/A and unanswered items included."""
    import math

    from survey_app.services.scoring.scope import records

    campaign, locations, _count = demo
    path = survey_path(locations[0])
    answers = {f"a.q{n:02d}": str(1 + n % 5) for n in range(1, 22)}
    answers["a.q09"], answers["a.q21"] = "na", "2"
    sent = client.post(path, data={"_form": form_token(client.get(path).text), "_step": "submit", **answers})
    assert sent.status_code == 303
    rows = list(
        session.exec(
            select(SurveyResponse)
            .where(SurveyResponse.campaign_id == campaign.id)
            .order_by(col(SurveyResponse.id))
        )
    )
    items, responses = records(session=session, campaign=campaign, rows=rows)
    assert responses.ids == [r.public_id for r in rows] and not responses.problems
    for i, row in enumerate(rows):
        for j, item_id in enumerate(items.ids):
            stored, read = row.answers.get(item_id), responses.answers[i, j]
            assert (math.isnan(read) and stored is None) or read == stored, (
                row.public_id,
                item_id,
                stored,
                read,
            )
    mine = rows[-1]
    assert "q09" in mine.answers and mine.answers["q09"] is None  # N/A, as given
    assert math.isnan(responses.answers[-1, items.ids.index("q09")])
