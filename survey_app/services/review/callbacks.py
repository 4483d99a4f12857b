"""The review desk's calls and decisions: the callback sample's draws, call attempts, and the lead auditor's
decisions (every move through the status door). The summary and the labels are in `review.summary`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.orm import load_only
from sqlmodel import Session, col, func, select

from fraud.sampling import select_callbacks
from survey_app.clock import utcnow
from survey_app.errors import Conflict, Invalid, Locked, NotFound
from survey_app.models import (
    CallbackAttempt,
    CallbackDraw,
    CallbackOutcome,
    CallbackPick,
    Campaign,
    ResponseStatus,
    SurveyResponse,
    ident,
)
from survey_app.services import audit
from survey_app.services.review import status
from survey_app.services.scoring.scope import has_rated_items, scope
from survey_app.short_codes import receipt_key

DECISIONS = ("count", "exclude", "unreachable", "pending", "reinclude")


def find(*, session: Session, campaign: Campaign, receipt: str) -> SurveyResponse:
    """The campaign's response with this receipt (typed in any case, with or without its dash)."""
    found = session.exec(
        select(SurveyResponse).where(
            SurveyResponse.campaign_id == campaign.id, SurveyResponse.public_id == receipt_key(receipt)
        )
    ).first()
    if found is None:
        raise NotFound("response_not_found")
    return found


def attempts(*, session: Session, response: SurveyResponse) -> list[CallbackAttempt]:
    return list(
        session.exec(
            select(CallbackAttempt)
            .where(CallbackAttempt.response_id == response.id)
            .order_by(col(CallbackAttempt.called_at), col(CallbackAttempt.id))
        )
    )


def record_attempt(
    *,
    session: Session,
    response: SurveyResponse,
    outcome: str,
    note: str,
    actor: str,
    called_at: datetime | None = None,
) -> CallbackAttempt:
    """Add one call attempt (never edited afterwards); an audit row records it."""
    if outcome not in {o.value for o in CallbackOutcome}:
        raise Invalid("bad_outcome")
    attempt = CallbackAttempt(
        campaign_id=response.campaign_id,
        response_id=ident(response),
        called_at=called_at or utcnow(),
        actor=actor[:60],
        outcome=outcome,
        note=note.strip()[:1000],
    )
    session.add(attempt)
    audit.append(
        session=session,
        actor=actor,
        action="callback.attempt",
        campaign_id=response.campaign_id,
        subject=f"response:{response.public_id}",
        new=outcome,
        reason=attempt.note,
    )
    return attempt


def decision_target(response: SurveyResponse, decision: str) -> ResponseStatus | None:
    """The status a decision moves a response to (None: no move, "keep pending")."""
    current = ResponseStatus(response.status)
    if decision == "count":
        return ResponseStatus.VERIFIED
    if decision == "exclude":
        due = (ResponseStatus.CALLBACK_DUE, ResponseStatus.UNREACHABLE)
        return ResponseStatus.REJECTED if current in due else ResponseStatus.EXCLUDED
    if decision == "unreachable":
        return ResponseStatus.UNREACHABLE
    if decision == "reinclude":
        return ResponseStatus.RECEIVED
    if decision == "pending":
        waiting = (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED)
        return ResponseStatus.CALLBACK_DUE if current in waiting else None
    raise Invalid("bad_decision")


# The decision a call's outcome suggests: only a confirmation counts it and only a denial excludes it; every
# other outcome keeps the response waiting for another call (the lead auditor can always choose otherwise).
FOLLOWS_OUTCOME = {CallbackOutcome.CONFIRMED: "count", CallbackOutcome.DENIES: "exclude"}


def suggested_decision(outcome: str) -> str:
    """ "count" for a confirmation, "exclude" for a denial, "pending" for anything else."""
    return FOLLOWS_OUTCOME.get(CallbackOutcome(outcome), "pending") if outcome in set(CallbackOutcome) else ""


def needs_reason(response: SurveyResponse, decision: str) -> bool:
    """Whether this decision on this response must say why (excluding, or re-including an excluded one)."""
    target = decision_target(response, decision)
    if target is None or target == response.status:
        return False
    return (ResponseStatus(response.status), target) in status.NEEDS_REASON


def record_call(
    *,
    session: Session,
    response: SurveyResponse,
    outcome: str,
    note: str,
    decision: str,
    reason: str,
    actor: str,
    called_at: datetime | None = None,
) -> CallbackAttempt:
    """One call and what it decides, in one step: the attempt, then the decision ("follow" takes the one the
    outcome suggests). Everything is checked before anything is written, so a refusal leaves no half."""
    if outcome not in {o.value for o in CallbackOutcome}:
        raise Invalid("bad_outcome")
    following = decision in ("", "follow")
    chosen = suggested_decision(outcome) if following else decision
    if chosen not in DECISIONS:
        raise Invalid("bad_decision")
    if status.moves_frozen(session=session, campaign_id=response.campaign_id):
        if not following:
            raise Locked()
        # a locked grade takes no decision, but a call made is still a call made
        return record_attempt(
            session=session, response=response, outcome=outcome, note=note, actor=actor, called_at=called_at
        )
    if needs_reason(response, chosen) and not reason.strip():
        raise Invalid("reason_required")
    attempt = record_attempt(
        session=session, response=response, outcome=outcome, note=note, actor=actor, called_at=called_at
    )
    if chosen == "exclude" and response.status in (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED):
        # it was called back: excluded after a call is "rejected at callback", so it passes through the
        # callback step first (two moves, both in the audit log)
        decide(session=session, response=response, decision="pending", reason="", actor=actor)
    target = decision_target(response, chosen)
    if target is not None and target != response.status:
        decide(session=session, response=response, decision=chosen, reason=reason.strip(), actor=actor)
    return attempt


def decide(*, session: Session, response: SurveyResponse, decision: str, reason: str, actor: str) -> None:
    """The lead auditor's decision on one response, through the status door (answers are never edited)."""
    target = decision_target(response, decision)
    if target is None or target == response.status:
        status.note(session=session, response=response, actor=actor, reason=reason)
        return
    status.transition(session=session, response=response, to=target, actor=actor, kind="lead", reason=reason)


def any_scored(*, session: Session, campaign: Campaign) -> bool:
    """Whether there is anything to draw the callback sample from (any response, for a survey the anomaly
    screen cannot read: one without rated questions)."""
    query = select(SurveyResponse.id).where(*_drawable(session=session, campaign=campaign))
    return session.exec(query.limit(1)).first() is not None


def _drawable(*, session: Session, campaign: Campaign) -> list[Any]:
    """The responses a draw picks from: the scored ones, or every one when the survey is not screened."""
    if not has_rated_items(session=session, campaign=campaign):
        return list(scope(campaign))
    return [*scope(campaign), col(SurveyResponse.fraud_score).is_not(None)]


def draws(*, session: Session, campaign: Campaign) -> list[CallbackDraw]:
    """The campaign's draws, the first first."""
    query = select(CallbackDraw).where(CallbackDraw.campaign_id == campaign.id)
    return list(session.exec(query.order_by(col(CallbackDraw.number))))


def check_draw(*, session: Session, campaign: Campaign, reason: str, redraw: bool) -> int:
    """The number the next draw gets, or why it cannot be made: a locked grade, nothing scored, a further draw
    without saying so (`redraw`) or without a reason."""
    if status.moves_frozen(session=session, campaign_id=ident(campaign)):
        raise Locked()
    if not any_scored(session=session, campaign=campaign):
        raise Invalid("nothing_to_draw")
    made = session.exec(select(func.count()).where(CallbackDraw.campaign_id == campaign.id)).one()
    if made and not redraw:
        raise Conflict("already_drawn")
    if made and not reason.strip():
        raise Invalid("redraw_reason_required")
    return int(made) + 1


DRAWN_COLUMNS = (
    SurveyResponse.id, SurveyResponse.public_id, SurveyResponse.campaign_id, SurveyResponse.status,
    SurveyResponse.fraud_score, SurveyResponse.fraud_reasons, SurveyResponse.client_id,
)  # fmt: skip


def draw_callbacks(
    *,
    session: Session,
    campaign: Campaign,
    seed: int,
    actor: str = "system",
    reason: str = "",
    redraw: bool = False,
    random_share: float = 0.3,
    cluster_cap: int = 3,
) -> list[CallbackPick]:
    """Draw the callback sample from the stored scores, once. A further draw (`redraw`, with a reason) adds
    to it: it draws at the campaign's rate among the responses no earlier draw picked; earlier picks, their
    calls and outcomes stay as they are and keep counting."""
    number = check_draw(session=session, campaign=campaign, reason=reason, redraw=redraw)
    picked_before = select(CallbackPick.response_id).where(CallbackPick.campaign_id == campaign.id)
    if not has_rated_items(session=session, campaign=campaign):
        random_share = 1.0  # no scores to rank by: the whole sample is drawn at random
    scored = (
        select(SurveyResponse)
        .where(
            *_drawable(session=session, campaign=campaign),
            col(SurveyResponse.id).not_in(picked_before),
        )
        .options(load_only(*DRAWN_COLUMNS))  # type: ignore[arg-type]  # not the answers: 100,000 rows of them are a second's reading
    )
    rows = list(session.exec(scored.order_by(col(SurveyResponse.id))))
    if not rows:
        return []
    reasons = ["；".join(found["zh"] for found in r.fraud_reasons) for r in rows]
    picks = select_callbacks(
        [r.fraud_score or 0.0 for r in rows],
        rate=campaign.callback_rate,
        random_share=random_share,
        seed=seed,
        clusters=[r.client_id or r.public_id for r in rows],
        cluster_cap=cluster_cap,
        reasons=reasons,
    )
    draw = CallbackDraw(
        id=f"d-{uuid.uuid4().hex[:10]}",
        campaign_id=ident(campaign),
        number=number,
        seed=seed,
        size=len(picks),
        flagged=sum(p.kind == "flagged" for p in picks),
        actor=actor[:60],
        reason=reason.strip()[:1000],
    )
    session.add(draw)
    stored = []
    for rank, pick in enumerate(picks, start=1):
        response = rows[pick.index]
        stored.append(
            CallbackPick(
                campaign_id=ident(campaign),
                draw_id=draw.id,
                response_id=ident(response),
                rank=rank,
                kind=pick.kind,
                reason=pick.reason[:600],
                score=pick.score,
                seed=seed,
            )
        )
        if response.status in (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED):
            status.transition(
                session=session,
                response=response,
                to=ResponseStatus.CALLBACK_DUE,
                actor=actor,
                kind="draw",
                detail={"draw": draw.id, "pick": pick.kind},
            )
    session.add_all(stored)
    audit.append(
        session=session,
        actor=actor,
        action="callbacks.draw" if number == 1 else "callbacks.redraw",
        campaign_id=campaign.id,
        subject=f"draw:{draw.id}",
        reason=draw.reason,
        detail={"seed": seed, "picked": len(stored), "number": number},
    )
    session.flush()
    return stored
