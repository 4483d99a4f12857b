"""What the scheduling form offers: the campaign's field auditors, its locations, the visit kinds, and the
forms that fit (its own scheme's and sector's first, the kinds of visit each can serve, the covert script as
the default)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from survey_app.models import (
    Campaign,
    CampaignMember,
    InstrumentVersion,
    Location,
    StoredScheme,
    User,
    VisitMode,
)
from survey_app.services.campaigns.instruments import materialise


def schedule_choices(*, session: Session, campaign: Campaign) -> dict[str, Any]:
    """What the scheduling form offers: the campaign's field auditors, the newest version of each
    instrument, the campaign's locations and the visit modes."""
    auditors = session.exec(
        select(User)
        .join(CampaignMember, col(CampaignMember.user_id) == col(User.id))
        .where(CampaignMember.campaign_id == campaign.id, CampaignMember.role == "field")
        .order_by(col(User.username))
    ).all()
    latest: dict[str, InstrumentVersion] = {}
    for row in session.exec(select(InstrumentVersion).order_by(col(InstrumentVersion.version))):
        latest[row.instrument_id] = row
    ours = campaign_instrument_ids(session=session, campaign=campaign)
    sectors = {instrument_id.split("-")[0] for instrument_id in ours}
    related = [
        r for r in latest.values() if r.instrument_id in ours or r.instrument_id.split("-")[0] in sectors
    ]
    others = [r for r in latest.values() if r not in related]
    related.sort(key=lambda r: (r.kind == "survey", r.instrument_id not in ours, r.instrument_id))
    covert = [r for r in related if r.kind != "survey" and _has_covert_items(r)]
    sheets = [r for r in related if r.kind != "survey"]
    default = next(iter(covert or sheets or related), None)
    locations = session.exec(
        select(Location)
        .where(Location.campaign_id == campaign.id, col(Location.active))
        .order_by(col(Location.code))
    ).all()
    return {
        "auditors": list(auditors),
        "instruments": related,
        "other_instruments": sorted(others, key=lambda r: (r.kind == "survey", r.instrument_id)),
        "default_instrument": default.id if default else None,
        "instrument_modes": {r.id: " ".join(_modes_for(r)) for r in [*related, *others]},
        "locations": list(locations),
        "modes": list(VisitMode),
    }


def campaign_instrument_ids(*, session: Session, campaign: Campaign) -> set[str]:
    """The instruments a campaign works with: its survey's and every one its scheme's components name."""
    ids: set[str] = set()
    survey = session.get(InstrumentVersion, campaign.survey_instrument_id)
    if survey is not None:
        ids.add(survey.instrument_id)
    scheme = session.get(StoredScheme, campaign.scheme_id)
    if scheme is not None:
        for component in (scheme.definition or {}).get("components", []):
            if isinstance(component, dict) and component.get("instrument"):
                ids.add(str(component["instrument"]))
    return ids


def _modes_for(row: InstrumentVersion) -> list[str]:
    """The visit kinds an instrument version can serve (the rules `schedule` enforces)."""
    if row.kind == "survey":
        return [VisitMode.INTERVIEW]
    return [VisitMode.COVERT, VisitMode.OPEN] if _has_covert_items(row) else [VisitMode.OPEN]


def _has_covert_items(row: InstrumentVersion) -> bool:
    return any(item.covert for item in materialise(row).items)
