"""Responses per day in the campaign's time zone, from its first day to today (or its deadline), zero days
included: what the campaign page charts against the target."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.models import Campaign, SurveyResponse

MAX_DAYS = 400


def responses_per_day(*, session: Session, campaign: Campaign) -> list[tuple[date, int]]:
    """One grouped query by UTC hour (portable across SQLite and PostgreSQL), hours moved into local days."""
    hour = func.substr(cast(SurveyResponse.submitted_at, String), 1, 13)
    rows = session.exec(
        select(hour, func.count()).where(col(SurveyResponse.campaign_id) == campaign.id).group_by(hour)
    ).all()
    zone = ZoneInfo(campaign.timezone)
    per_day: Counter[date] = Counter()
    for text, n in rows:
        at = datetime.strptime(str(text)[:13].replace("T", " "), "%Y-%m-%d %H").replace(tzinfo=UTC)
        per_day[at.astimezone(zone).date()] += int(n)
    first = _local(campaign.starts_at, zone)
    last = _local(min(utcnow(), campaign.closed_at or campaign.deadline, campaign.deadline), zone)
    if per_day:
        first, last = min(first, *per_day), max(last, *per_day)
    last = min(last, first + timedelta(days=MAX_DAYS))
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    return [(d, per_day.get(d, 0)) for d in days]


def _local(at: datetime, zone: ZoneInfo) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(zone).date()
