"""Live coverage of a campaign: responses per location against target, by channel, last response (locations
in use; the deactivated ones apart, with the responses they had)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from survey_app.models import Campaign, Location, SurveyResponse


@dataclass
class LocationCoverage:
    location: Location
    by_channel: dict[str, int] = field(default_factory=dict)
    last: datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.by_channel.values())

    @property
    def share(self) -> float | None:
        target = self.location.target
        return min(1.0, self.total / target) if target else None


@dataclass
class Coverage:
    rows: list[LocationCoverage]
    channels: list[str]
    retired: list[LocationCoverage] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def empty(self) -> list[Location]:
        return [r.location for r in self.rows if r.total == 0]


def campaign_coverage(*, session: Session, campaign: Campaign) -> Coverage:
    """One grouped query per campaign (not one per location)."""
    locations = list(
        session.exec(select(Location).where(Location.campaign_id == campaign.id).order_by(Location.code))
    )
    rows = {loc.id: LocationCoverage(loc) for loc in locations}
    query = (
        select(
            SurveyResponse.location_id,
            SurveyResponse.channel,
            func.count(),
            func.max(SurveyResponse.submitted_at),
        )
        .where(SurveyResponse.campaign_id == campaign.id, col(SurveyResponse.location_id).is_not(None))
        .group_by(col(SurveyResponse.location_id), col(SurveyResponse.channel))
    )
    channels: set[str] = set()
    for location_id, channel, count, last in session.exec(query):
        row = rows.get(location_id)
        if row is None:
            continue
        row.by_channel[channel] = count
        channels.add(channel)
        row.last = max(filter(None, [row.last, last]), default=None)
    return Coverage(
        [r for r in rows.values() if r.location.active],
        sorted(channels),
        [r for r in rows.values() if not r.location.active],
    )
