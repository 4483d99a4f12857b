"""The review desk's calls and decisions: call attempts, the lead auditor's decisions, the campaign summary
with Wilson intervals, and the labels that go back to the model (the queue itself is in `review_queue`)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from fraud.sampling import select_callbacks
from survey_app.codes import receipt_key
from survey_app.errors import Invalid, Locked
from survey_app.models import (
    CallbackAttempt,
    CallbackOutcome,
    CallbackPick,
    Campaign,
    ResponseStatus,
    Submission,
    ident,
    utcnow,
)
from survey_app.services import audit, review
from survey_app.services.review_queue import count_where, latest_draw
from survey_app.services.scoring_scope import scope

S = ResponseStatus
REACHED = frozenset({CallbackOutcome.CONFIRMED, CallbackOutcome.DENIES, CallbackOutcome.DIFFERS})
FAKE = frozenset({CallbackOutcome.DENIES, CallbackOutcome.DIFFERS})
DECISIONS = ("count", "exclude", "unreachable", "pending", "reinclude")


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float] | None:
    """Wilson score interval for a proportion k/n (None when n is 0)."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def find(db: Session, campaign: Campaign, receipt: str) -> Submission | None:
    return db.exec(
        select(Submission).where(
            Submission.campaign_id == campaign.id, Submission.public_id == receipt_key(receipt)
        )
    ).first()


def attempts(db: Session, response: Submission) -> list[CallbackAttempt]:
    return list(
        db.exec(
            select(CallbackAttempt)
            .where(CallbackAttempt.response_id == response.id)
            .order_by(col(CallbackAttempt.called_at), col(CallbackAttempt.id))
        )
    )


def record_attempt(
    db: Session,
    response: Submission,
    *,
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
    db.add(attempt)
    audit.append(
        db,
        actor=actor,
        action="callback.attempt",
        campaign_id=response.campaign_id,
        subject=f"response:{response.public_id}",
        new=outcome,
        reason=attempt.note,
    )
    return attempt


def decision_target(response: Submission, decision: str) -> S | None:
    """The status a decision moves a response to (None: no move, "keep pending")."""
    current = S(response.status)
    if decision == "count":
        return S.VERIFIED
    if decision == "exclude":
        return S.REJECTED if current in (S.CALLBACK_DUE, S.UNREACHABLE) else S.EXCLUDED
    if decision == "unreachable":
        return S.UNREACHABLE
    if decision == "reinclude":
        return S.RECEIVED
    if decision == "pending":
        return S.CALLBACK_DUE if current in (S.RECEIVED, S.FLAGGED) else None
    raise Invalid("bad_decision")


def decide(
    db: Session, response: Submission, *, decision: str, reason: str, actor: str, locked: bool
) -> None:
    """The lead auditor's decision on one response, through the review door (answers are never edited)."""
    target = decision_target(response, decision)
    if target is None or target == response.status:
        if locked:
            raise Locked()
        audit.append(
            db,
            actor=actor,
            action="response.pending",
            campaign_id=response.campaign_id,
            subject=f"response:{response.public_id}",
            old=response.status,
            new=response.status,
            reason=reason.strip(),
        )
        return
    review.transition(db, response, to=target, actor=actor, kind="lead", reason=reason, locked=locked)


@dataclass
class Summary:
    drawn: int = 0
    flagged_drawn: int = 0
    random_drawn: int = 0
    called: int = 0
    reached: int = 0
    confirmed: int = 0
    denied: int = 0
    total: int = 0
    excluded: int = 0
    fraud: dict[str, tuple[int, int, tuple[float, float] | None]] = field(default_factory=dict)

    @property
    def exclusion_rate(self) -> float | None:
        return self.excluded / self.total if self.total else None


def _latest_reached(db: Session, campaign: Campaign) -> dict[int, str]:
    """Per response: the outcome of its latest call that reached someone."""
    out: dict[int, str] = {}
    query = (
        select(CallbackAttempt.response_id, CallbackAttempt.outcome)
        .where(CallbackAttempt.campaign_id == campaign.id, col(CallbackAttempt.outcome).in_(list(REACHED)))
        .order_by(col(CallbackAttempt.called_at), col(CallbackAttempt.id))
    )
    for response_id, outcome in db.exec(query):
        out[response_id] = outcome
    return out


def summary(db: Session, campaign: Campaign) -> Summary:
    """Drawn, called, reached, confirmed, denied; exclusion rate; confirmed-fraud rate among flagged picks and
    among random controls, with Wilson 95% intervals (the honest measure of the model's precision here)."""
    out = Summary()
    draw_id = latest_draw(db, campaign) or ""
    for kind, n in db.exec(
        select(CallbackPick.kind, func.count())
        .where(CallbackPick.draw_id == draw_id)
        .group_by(col(CallbackPick.kind))
    ):
        out.drawn += n
        if kind == "flagged":
            out.flagged_drawn = n
    out.random_drawn = out.drawn - out.flagged_drawn
    called = set(
        db.exec(
            select(CallbackAttempt.response_id).where(CallbackAttempt.campaign_id == campaign.id).distinct()
        )
    )
    picks = dict(
        db.exec(
            select(CallbackPick.response_id, CallbackPick.kind).where(
                CallbackPick.draw_id == draw_id, col(CallbackPick.response_id).in_(list(called))
            )
        ).all()
    )  # only the picks that were called: a handful, whatever the campaign's size
    reached = _latest_reached(db, campaign)
    out.called = len(picks)
    out.reached = sum(1 for rid in picks if rid in reached)
    out.confirmed = sum(1 for rid in picks if reached.get(rid) == CallbackOutcome.CONFIRMED)
    out.denied = sum(1 for rid in picks if reached.get(rid) in FAKE)
    out.total = count_where(db, [col(Submission.campaign_id) == campaign.id], cap=None)
    out.excluded = count_where(
        db,
        [col(Submission.campaign_id) == campaign.id, col(Submission.status).in_([S.EXCLUDED, S.REJECTED])],
        cap=None,
    )
    for kind in ("flagged", "random"):
        ids = [rid for rid, k in picks.items() if k == kind and rid in reached]
        fake = sum(1 for rid in ids if reached[rid] in FAKE)
        out.fraud[kind] = (fake, len(ids), wilson(fake, len(ids)))
    return out


def labels(db: Session, campaign: Campaign) -> list[tuple[str, int, str]]:
    """(response id, label, source): 1 = confirmed fake, 0 = confirmed genuine; from callbacks first, then
    from the lead auditor's decisions. Responses with neither are unlabelled (left out)."""
    reached = _latest_reached(db, campaign)
    out: list[tuple[str, int, str]] = []
    query = select(Submission.id, Submission.public_id, Submission.status).where(
        Submission.campaign_id == campaign.id
    )
    for rid, public_id, status in db.exec(query.order_by(col(Submission.id))):
        if rid in reached:
            out.append((public_id, 1 if reached[rid] in FAKE else 0, "callback"))
        elif status in (S.REJECTED, S.EXCLUDED):
            out.append((public_id, 1, "decision"))
        elif status == S.VERIFIED:
            out.append((public_id, 0, "decision"))
    return out


def any_scored(db: Session, campaign: Campaign) -> bool:
    """Whether there is anything to draw the callback sample from."""
    query = select(Submission.id).where(*scope(campaign), col(Submission.fraud_score).is_not(None)).limit(1)
    return db.exec(query).first() is not None


DRAWN_COLUMNS = (
    Submission.id, Submission.public_id, Submission.campaign_id, Submission.status, Submission.fraud_score,
    Submission.fraud_reasons, Submission.client_id,
)  # fmt: skip


def draw_callbacks(
    *,
    session: Session,
    campaign: Campaign,
    seed: int,
    actor: str = "system",
    random_share: float = 0.3,
    cluster_cap: int = 3,
) -> list[CallbackPick]:
    """Draw and store the callback sample from the stored scores (rescore first)."""
    scored = (
        select(Submission)
        .where(*scope(campaign), col(Submission.fraud_score).is_not(None))
        .options(load_only(*DRAWN_COLUMNS))  # type: ignore[arg-type]  # not the answers: 100,000 rows of them are a second's reading
    )
    rows = list(session.exec(scored.order_by(col(Submission.id))))
    if not rows:
        return []
    reasons = ["；".join(reason["zh"] for reason in r.fraud_reasons) for r in rows]
    picks = select_callbacks(
        [r.fraud_score or 0.0 for r in rows],
        rate=campaign.callback_rate,
        random_share=random_share,
        seed=seed,
        clusters=[r.client_id or r.public_id for r in rows],
        cluster_cap=cluster_cap,
        reasons=reasons,
    )
    draw_id = f"d-{uuid.uuid4().hex[:10]}"
    stored = []
    for rank, pick in enumerate(picks, start=1):
        response = rows[pick.index]
        stored.append(
            CallbackPick(
                campaign_id=ident(campaign),
                draw_id=draw_id,
                response_id=ident(response),
                rank=rank,
                kind=pick.kind,
                reason=pick.reason[:600],
                score=pick.score,
                seed=seed,
            )
        )
        if response.status in (ResponseStatus.RECEIVED, ResponseStatus.FLAGGED):
            review.transition(
                session,
                response,
                to=ResponseStatus.CALLBACK_DUE,
                actor=actor,
                kind="draw",
                detail={"draw": draw_id, "pick": pick.kind},
            )
    session.add_all(stored)
    audit.append(
        session,
        actor=actor,
        action="callbacks.draw",
        campaign_id=campaign.id,
        subject=f"draw:{draw_id}",
        detail={"seed": seed, "picked": len(stored)},
    )
    session.flush()
    return stored
