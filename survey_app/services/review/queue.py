"""The review queue: the callback sample first (flagged picks, then random controls), then every other
response; filtered, sorted and paged in SQL, read in index order so a big campaign pages like a small one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, or_
from sqlmodel import Session, col, select

from forms.numbers import whole_number
from survey_app.models import CallbackPick, Campaign, Channel, Location, ResponseStatus, SurveyResponse
from survey_app.short_codes import receipt_key

S = ResponseStatus
FAMILIES = (
    "rule",
    "timing",
    "pattern",
    "consistency",
    "coherence",
    "device",
    "network",
    "location",
    "text",
    "group",
    "clock",
)
SORTS = ("priority", "score", "submitted", "location")
SAMPLES = ("sample", "flagged", "random", "outside")
PER_PAGE = 25


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
    search: str = ""

    @classmethod
    def from_params(cls, params: dict[str, str]) -> QueueFilters:
        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = params.get(name, "")
            return value if value in allowed else ""

        page = whole_number(params.get("page", ""), low=1, high=1_000_000) or 1
        return cls(
            family=pick("family", FAMILIES),
            location=params.get("location", "")[:40],
            status=pick("status", tuple(s.value for s in S)),
            channel=pick("channel", tuple(c.value for c in Channel)),
            sample=pick("sample", SAMPLES),
            sort=pick("sort", SORTS) or "priority",
            page=page,
            search=" ".join(params.get("q", "").split())[:60],
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
            "q": self.search,
            "page": str(self.page),
            **{k: str(v) for k, v in changes.items()},
        }
        return {k: v for k, v in data.items() if v and not (k == "sort" and v == "priority") and v != "1"}


@dataclass
class QueueRow:
    response: SurveyResponse
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
    sampled: bool

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


def has_sample(*, session: Session, campaign: Campaign) -> bool:
    """Whether a callback sample has been drawn for the campaign."""
    query = select(CallbackPick.id).where(CallbackPick.campaign_id == campaign.id).limit(1)
    return session.exec(query).first() is not None


def _picks(campaign: Campaign) -> Any:
    """The responses in the campaign's callback sample (every draw's picks: a response is picked once)."""
    return select(CallbackPick.response_id).where(CallbackPick.campaign_id == campaign.id)


def _conditions(*, session: Session, campaign: Campaign, filters: QueueFilters) -> list[Any]:
    """The filters as conditions on the response table alone (no join: the indexes stay usable)."""
    picks = _picks(campaign)
    where: list[Any] = [col(SurveyResponse.campaign_id) == campaign.id]
    if filters.family:
        where.append(col(SurveyResponse.fraud_families).like(f"%,{filters.family},%"))
    if filters.location:
        location = session.exec(
            select(Location.id).where(Location.campaign_id == campaign.id, Location.code == filters.location)
        ).first()
        where.append(col(SurveyResponse.location_id) == (location or -1))
    if filters.status:
        where.append(col(SurveyResponse.status) == filters.status)
    if filters.channel:
        where.append(col(SurveyResponse.channel) == filters.channel)
    if filters.sample == "sample":
        where.append(col(SurveyResponse.id).in_(picks))
    elif filters.sample in ("flagged", "random"):
        where.append(col(SurveyResponse.id).in_(picks.where(CallbackPick.kind == filters.sample)))
    elif filters.sample == "outside":
        where.append(col(SurveyResponse.id).not_in(picks))
    if filters.search:
        # a receipt read out on the phone (any case, with or without its dash), or words from the comment
        words = filters.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(
            or_(
                col(SurveyResponse.public_id) == receipt_key(filters.search),
                col(SurveyResponse.comment).like(f"%{words}%", escape="\\"),
            )
        )
    return where


# decided responses (counted after a call, or excluded) go after the ones still waiting for a decision
DECIDED = (S.VERIFIED, S.UNREACHABLE, S.REJECTED, S.EXCLUDED)


def _decided_last() -> Any:
    return case((col(SurveyResponse.status).in_([s.value for s in DECIDED]), literal(1)), else_=literal(0))


COUNT_CAP = 2000  # past this, the queue says "2,000+" instead of counting every row of a big campaign


def count_where(*, session: Session, where: list[Any], cap: int | None = COUNT_CAP) -> int:
    """How many rows match, counting at most `cap` + 1 (so a page never scans a whole big campaign)."""
    inner = select(literal(1)).select_from(SurveyResponse).where(*where)
    if cap is not None:
        inner = inner.limit(cap + 1)
    return int(session.exec(select(func.count()).select_from(inner.subquery())).one())


def queue(*, session: Session, campaign: Campaign, filters: QueueFilters) -> QueuePage:
    """One page of the queue: the callback sample first (flagged, then random controls), then the rest.

    Each part is read in index order with LIMIT/OFFSET (the sample by pick order, the rest by score), so a
    campaign of 100,000 responses never sorts them all to show 25.
    """
    sampled = has_sample(session=session, campaign=campaign)
    where = _conditions(session=session, campaign=campaign, filters=filters)
    total = count_where(session=session, where=where)
    offset = (filters.page - 1) * PER_PAGE
    rows: list[tuple[SurveyResponse, str, int | None]] = []
    by_score: list[Any] = [col(SurveyResponse.fraud_score).desc(), col(SurveyResponse.id).desc()]
    undecided_first = [_decided_last(), *by_score]
    if filters.sort == "priority" and sampled:
        drawn = _picks(campaign)
        sample = (
            select(SurveyResponse, CallbackPick.kind, CallbackPick.rank)
            .join(CallbackPick, col(CallbackPick.response_id) == SurveyResponse.id)
            .where(CallbackPick.campaign_id == campaign.id, *where)
        )
        first = case((col(CallbackPick.kind) == "flagged", literal(0)), else_=literal(1))
        page = session.exec(
            sample.order_by(_decided_last(), first, col(CallbackPick.id)).offset(offset).limit(PER_PAGE)
        ).all()
        rows = [(r, kind, rank) for r, kind, rank in page]
        if len(rows) < PER_PAGE and filters.sample not in ("sample", "flagged", "random"):
            # past the sample: how many sample rows came before this page decides where the rest starts
            in_sample = (
                offset + len(rows)
                if rows
                else count_where(session=session, where=[*where, col(SurveyResponse.id).in_(drawn)], cap=None)
            )
            rest = select(SurveyResponse).where(*where, col(SurveyResponse.id).not_in(drawn))
            skip = max(0, offset - in_sample)
            more = session.exec(
                rest.order_by(*undecided_first).offset(skip).limit(PER_PAGE - len(rows))
            ).all()
            rows += [(r, "", None) for r in more]
    else:
        orders: dict[str, list[Any]] = {
            "submitted": [col(SurveyResponse.submitted_at).desc(), col(SurveyResponse.id).desc()],
            "location": [col(SurveyResponse.location_id), col(SurveyResponse.submitted_at)],
        }
        order = orders.get(filters.sort, by_score if filters.sort == "score" else undecided_first)
        page_rows = session.exec(
            select(SurveyResponse).where(*where).order_by(*order).offset(offset).limit(PER_PAGE)
        ).all()
        kinds = _pick_kinds(session=session, campaign=campaign, ids=[r.id for r in page_rows])
        rows = [(r, *kinds.get(r.id or 0, ("", None))) for r in page_rows]
    codes = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    return QueuePage(
        [QueueRow(r, codes.get(r.location_id or 0, ""), kind or "", rank) for r, kind, rank in rows],
        total,
        filters,
        sampled,
    )


def _pick_kinds(
    *, session: Session, campaign: Campaign, ids: list[int | None]
) -> dict[int, tuple[str, int | None]]:
    if not ids:
        return {}
    query = select(CallbackPick.response_id, CallbackPick.kind, CallbackPick.rank).where(
        CallbackPick.campaign_id == campaign.id, col(CallbackPick.response_id).in_(ids)
    )
    return {rid: (kind, rank) for rid, kind, rank in session.exec(query)}


def filtered_responses(
    *, session: Session, campaign: Campaign, filters: QueueFilters
) -> list[SurveyResponse]:
    """Every response matching the filters (for a bulk decision)."""
    where = _conditions(session=session, campaign=campaign, filters=filters)
    return list(session.exec(select(SurveyResponse).where(*where).order_by(col(SurveyResponse.id))))
