"""The review desk's figures: every draw of the callback sample with its calls, the exclusions, and the share
of confirmed fakes among the reached picks with Wilson intervals; and the labels that go back to the model.

The precision figures that speak for the model are the first draw's: it was drawn before anyone saw how calls
turned out. A further draw's figures are shown too, marked as such (it was drawn knowing the first results).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, func, select

from survey_app.models import CallbackAttempt, CallbackOutcome, CallbackPick, Campaign, SurveyResponse
from survey_app.services.review import status
from survey_app.services.review.callbacks import draws

REACHED = frozenset({CallbackOutcome.CONFIRMED, CallbackOutcome.DENIES, CallbackOutcome.DIFFERS})
FAKE = frozenset({CallbackOutcome.DENIES, CallbackOutcome.DIFFERS})
Rate = tuple[int, int, tuple[float, float] | None]  # fakes, reached, Wilson 95% interval


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float] | None:
    """Wilson score interval for a proportion k/n (None when n is 0)."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class DrawSummary:
    """One draw and how its calls went."""

    number: int
    drawn_at: datetime
    actor: str
    seed: int
    reason: str
    drawn: int = 0
    flagged_drawn: int = 0
    called: int = 0
    reached: int = 0
    confirmed: int = 0
    denied: int = 0
    fraud: dict[str, Rate] = field(default_factory=dict)

    @property
    def random_drawn(self) -> int:
        return self.drawn - self.flagged_drawn


@dataclass
class Summary:
    draws: list[DrawSummary] = field(default_factory=list)
    total: int = 0
    excluded: int = 0

    def _sum(self, name: str) -> int:
        return sum(int(getattr(d, name)) for d in self.draws)

    drawn = property(lambda self: self._sum("drawn"))
    flagged_drawn = property(lambda self: self._sum("flagged_drawn"))
    random_drawn = property(lambda self: self._sum("random_drawn"))
    called = property(lambda self: self._sum("called"))
    reached = property(lambda self: self._sum("reached"))
    confirmed = property(lambda self: self._sum("confirmed"))
    denied = property(lambda self: self._sum("denied"))

    @property
    def fraud(self) -> dict[str, Rate]:
        """The model's precision and what it misses, from the first draw (the one drawn blind)."""
        empty: Rate = (0, 0, None)
        return self.draws[0].fraud if self.draws else {"flagged": empty, "random": empty}

    @property
    def exclusion_rate(self) -> float | None:
        return self.excluded / self.total if self.total else None


def latest_reached(*, session: Session, campaign: Campaign) -> dict[int, str]:
    """Per response: the outcome of its latest call that reached someone."""
    out: dict[int, str] = {}
    query = (
        select(CallbackAttempt.response_id, CallbackAttempt.outcome)
        .where(CallbackAttempt.campaign_id == campaign.id, col(CallbackAttempt.outcome).in_(list(REACHED)))
        .order_by(col(CallbackAttempt.called_at), col(CallbackAttempt.id))
    )
    for response_id, outcome in session.exec(query):
        out[response_id] = outcome
    return out


def summary(*, session: Session, campaign: Campaign) -> Summary:
    """Every draw with its calls; exclusions; the confirmed-fraud rate among flagged picks and among random
    controls, with Wilson 95% intervals (the honest measure of the model's precision here)."""
    out = Summary()
    called = set(
        session.exec(
            select(CallbackAttempt.response_id).where(CallbackAttempt.campaign_id == campaign.id).distinct()
        )
    )
    reached = latest_reached(session=session, campaign=campaign)
    for draw in draws(session=session, campaign=campaign):
        one = DrawSummary(
            draw.number, draw.drawn_at, draw.actor, draw.seed, draw.reason, draw.size, draw.flagged
        )
        picks = dict(
            session.exec(
                select(CallbackPick.response_id, CallbackPick.kind).where(
                    CallbackPick.draw_id == draw.id, col(CallbackPick.response_id).in_(list(called))
                )
            ).all()
        )  # only the picks that were called: a handful, whatever the campaign's size
        one.called = len(picks)
        one.reached = sum(1 for rid in picks if rid in reached)
        one.confirmed = sum(1 for rid in picks if reached.get(rid) == CallbackOutcome.CONFIRMED)
        one.denied = sum(1 for rid in picks if reached.get(rid) in FAKE)
        for kind in ("flagged", "random"):
            ids = [rid for rid, k in picks.items() if k == kind and rid in reached]
            fake = sum(1 for rid in ids if reached[rid] in FAKE)
            one.fraud[kind] = (fake, len(ids), wilson(fake, len(ids)))
        out.draws.append(one)
    counts = dict(
        session.exec(
            select(SurveyResponse.status, func.count())
            .where(SurveyResponse.campaign_id == campaign.id)
            .group_by(col(SurveyResponse.status))
        ).all()
    )
    out.total = sum(counts.values())
    out.excluded = sum(n for s, n in counts.items() if not status.counts(s))
    return out


def labels(*, session: Session, campaign: Campaign) -> list[tuple[str, int, str]]:
    """(response id, label, source): 1 = confirmed fake, 0 = confirmed genuine; from callbacks first, then
    from the lead auditor's decisions. Responses with neither are unlabelled (left out)."""
    reached = latest_reached(session=session, campaign=campaign)
    out: list[tuple[str, int, str]] = []
    query = select(SurveyResponse.id, SurveyResponse.public_id, SurveyResponse.status).where(
        SurveyResponse.campaign_id == campaign.id
    )
    for rid, public_id, found in session.exec(query.order_by(col(SurveyResponse.id))):
        if rid in reached:
            out.append((public_id, 1 if reached[rid] in FAKE else 0, "callback"))
        elif not status.counts(found):
            out.append((public_id, 1, "decision"))
        elif found == status.VERIFIED:
            out.append((public_id, 0, "decision"))
    return out
