"""The review desk: the callback queue (filtered, sorted and paged in SQL), call attempts, the lead auditor's
decisions, the campaign summary with Wilson intervals, and the labels that go back to the model."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, literal
from sqlmodel import Session, col, select

from survey_app.errors import Invalid
from survey_app.models import (
    CallbackAttempt,
    CallbackOutcome,
    CallbackPick,
    Campaign,
    Channel,
    Location,
    ResponseStatus,
    Submission,
    ident,
    utcnow,
)
from survey_app.services import audit, review

S = ResponseStatus
REACHED = frozenset({CallbackOutcome.CONFIRMED, CallbackOutcome.DENIES, CallbackOutcome.DIFFERS})
FAKE = frozenset({CallbackOutcome.DENIES, CallbackOutcome.DIFFERS})
FAMILIES = (
    "rule",
    "timing",
    "pattern",
    "consistency",
    "device",
    "network",
    "location",
    "text",
    "group",
    "clock",
)
SORTS = ("priority", "score", "submitted", "location")
SAMPLES = ("sample", "flagged", "random", "outside")
DECISIONS = ("count", "exclude", "unreachable", "pending", "reinclude")
PER_PAGE = 25


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float] | None:
    """Wilson score interval for a proportion k/n (None when n is 0)."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class QueueFilters:
    """What the lead auditor narrowed the queue to (unknown values are dropped, never trusted)."""

    family: str = ""
    location: str = ""
    status: str = ""
    channel: str = ""
    sample: str = ""
    sort: str = "priority"
    page: int = 1

    @classmethod
    def from_params(cls, params: dict[str, str]) -> QueueFilters:
        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = params.get(name, "")
            return value if value in allowed else ""

        try:
            page = max(1, min(int(params.get("page") or 1), 1_000_000))
        except ValueError:
            page = 1
        return cls(
            family=pick("family", FAMILIES),
            location=params.get("location", "")[:40],
            status=pick("status", tuple(s.value for s in S)),
            channel=pick("channel", tuple(c.value for c in Channel)),
            sample=pick("sample", SAMPLES),
            sort=pick("sort", SORTS) or "priority",
            page=page,
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """Query parameters for a link to these filters (with some changed)."""
        data = {
            "family": self.family,
            "location": self.location,
            "status": self.status,
            "channel": self.channel,
            "sample": self.sample,
            "sort": self.sort,
            "page": str(self.page),
            **{k: str(v) for k, v in changes.items()},
        }
        return {k: v for k, v in data.items() if v and not (k == "sort" and v == "priority") and v != "1"}


@dataclass
class QueueRow:
    response: Submission
    location: str
    pick: str  # flagged | random | ""
    rank: int | None

    @property
    def phone_left(self) -> bool:
        return bool(self.response.contact_consent and self.response.contact_phone)


@dataclass
class QueuePage:
    rows: list[QueueRow]
    total: int
    filters: QueueFilters
    draw_id: str | None

    @property
    def capped(self) -> bool:
        """True when there are more than COUNT_CAP matches (the total is then a lower bound)."""
        return self.total > COUNT_CAP

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))

    @property
    def has_next(self) -> bool:
        return self.capped or self.filters.page < self.pages


def latest_draw(db: Session, campaign: Campaign) -> str | None:
    """The id of the campaign's most recent callback draw."""
    return db.exec(
        select(CallbackPick.draw_id)
        .where(CallbackPick.campaign_id == campaign.id)
        .order_by(col(CallbackPick.id).desc())
        .limit(1)
    ).first()


def _conditions(db: Session, campaign: Campaign, filters: QueueFilters, draw_id: str | None) -> list[Any]:
    """The filters as conditions on the response table alone (no join: the indexes stay usable)."""
    picks = select(CallbackPick.response_id).where(CallbackPick.draw_id == (draw_id or ""))
    where: list[Any] = [col(Submission.campaign_id) == campaign.id]
    if filters.family:
        where.append(col(Submission.fraud_families).like(f"%,{filters.family},%"))
    if filters.location:
        location = db.exec(
            select(Location.id).where(Location.campaign_id == campaign.id, Location.code == filters.location)
        ).first()
        where.append(col(Submission.location_id) == (location or -1))
    if filters.status:
        where.append(col(Submission.status) == filters.status)
    if filters.channel:
        where.append(col(Submission.channel) == filters.channel)
    if filters.sample == "sample":
        where.append(col(Submission.id).in_(picks))
    elif filters.sample in ("flagged", "random"):
        where.append(col(Submission.id).in_(picks.where(CallbackPick.kind == filters.sample)))
    elif filters.sample == "outside":
        where.append(col(Submission.id).not_in(picks))
    return where


COUNT_CAP = 2000  # past this, the queue says "2,000+" instead of counting every row of a big campaign


def _count(db: Session, where: list[Any], cap: int | None = COUNT_CAP) -> int:
    """How many rows match, counting at most `cap` + 1 (so a page never scans a whole big campaign)."""
    inner = select(literal(1)).select_from(Submission).where(*where)
    if cap is not None:
        inner = inner.limit(cap + 1)
    return int(db.exec(select(func.count()).select_from(inner.subquery())).one())


def queue(db: Session, campaign: Campaign, filters: QueueFilters) -> QueuePage:
    """One page of the queue: the callback sample first (flagged, then random controls), then the rest.

    Each part is read in index order with LIMIT/OFFSET (the sample by draw rank, the rest by score), so a
    campaign of 100,000 responses never sorts them all to show 25.
    """
    draw_id = latest_draw(db, campaign)
    where = _conditions(db, campaign, filters, draw_id)
    total = _count(db, where)
    offset = (filters.page - 1) * PER_PAGE
    rows: list[tuple[Submission, str, int | None]] = []
    by_score: list[Any] = [col(Submission.fraud_score).desc(), col(Submission.id).desc()]  # index, backwards
    if filters.sort == "priority" and draw_id:
        drawn = select(CallbackPick.response_id).where(CallbackPick.draw_id == draw_id)
        sample = (
            select(Submission, CallbackPick.kind, CallbackPick.rank)
            .join(CallbackPick, col(CallbackPick.response_id) == Submission.id)
            .where(CallbackPick.draw_id == draw_id, *where)
        )
        first = case((col(CallbackPick.kind) == "flagged", literal(0)), else_=literal(1))
        page = db.exec(sample.order_by(first, col(CallbackPick.rank)).offset(offset).limit(PER_PAGE)).all()
        rows = [(r, kind, rank) for r, kind, rank in page]
        if len(rows) < PER_PAGE and filters.sample not in ("sample", "flagged", "random"):
            # past the sample: how many sample rows came before this page decides where the rest starts
            in_sample = (
                offset + len(rows) if rows else _count(db, [*where, col(Submission.id).in_(drawn)], cap=None)
            )
            rest = select(Submission).where(*where, col(Submission.id).not_in(drawn))
            skip = max(0, offset - in_sample)
            more = db.exec(rest.order_by(*by_score).offset(skip).limit(PER_PAGE - len(rows))).all()
            rows += [(r, "", None) for r in more]
    else:
        orders: dict[str, list[Any]] = {
            "submitted": [col(Submission.submitted_at).desc(), col(Submission.id).desc()],
            "location": [col(Submission.location_id), col(Submission.submitted_at)],
        }
        order = orders.get(filters.sort, by_score)
        page_rows = db.exec(
            select(Submission).where(*where).order_by(*order).offset(offset).limit(PER_PAGE)
        ).all()
        kinds = _pick_kinds(db, draw_id, [r.id for r in page_rows])
        rows = [(r, *kinds.get(r.id or 0, ("", None))) for r in page_rows]
    codes = {loc.id: loc.code for loc in db.exec(select(Location).where(Location.campaign_id == campaign.id))}
    return QueuePage(
        [QueueRow(r, codes.get(r.location_id or 0, ""), kind or "", rank) for r, kind, rank in rows],
        total,
        filters,
        draw_id,
    )


def _pick_kinds(db: Session, draw_id: str | None, ids: list[int | None]) -> dict[int, tuple[str, int | None]]:
    if not draw_id or not ids:
        return {}
    query = select(CallbackPick.response_id, CallbackPick.kind, CallbackPick.rank).where(
        CallbackPick.draw_id == draw_id, col(CallbackPick.response_id).in_(ids)
    )
    return {rid: (kind, rank) for rid, kind, rank in db.exec(query)}


def filtered_responses(db: Session, campaign: Campaign, filters: QueueFilters) -> list[Submission]:
    """Every response matching the filters (for a bulk decision)."""
    where = _conditions(db, campaign, filters, latest_draw(db, campaign))
    return list(db.exec(select(Submission).where(*where).order_by(col(Submission.id))))


def find(db: Session, campaign: Campaign, receipt: str) -> Submission | None:
    return db.exec(
        select(Submission).where(Submission.campaign_id == campaign.id, Submission.public_id == receipt[:40])
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
            review.transition(db, response, to=S.EXCLUDED, actor=actor, locked=True)  # raises Locked
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
    out.total = _count(db, [col(Submission.campaign_id) == campaign.id], cap=None)
    out.excluded = _count(
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
