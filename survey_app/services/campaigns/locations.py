"""Locations of a campaign: add many at once, rotate a token (the old poster then says it was replaced)."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session, col, select

from survey_app import location_tokens
from survey_app.errors import NotFound
from survey_app.models import Campaign, Location, RetiredToken, ident
from survey_app.services import audit
from survey_app.services.campaigns.location_import import LocationRow
from survey_app.short_codes import new_code


def campaign_locations(*, session: Session, campaign: Campaign) -> list[Location]:
    return list(
        session.exec(select(Location).where(Location.campaign_id == campaign.id).order_by(col(Location.code)))
    )


def add_locations(*, session: Session, campaign: Campaign, rows: list[LocationRow], actor: str) -> int:
    """Insert every row in the caller's transaction (all or nothing)."""
    for row in rows:
        session.add(
            Location(campaign_id=ident(campaign), token_nonce=location_tokens.new_nonce(), **asdict(row))
        )
    audit.append(
        session=session,
        actor=actor,
        action="locations.add",
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        detail={"count": len(rows)},
    )
    session.flush()
    return len(rows)


def rotate_token(*, session: Session, location: Location, actor: str) -> None:
    """Give the location a new token and remember the old one as replaced."""
    session.add(RetiredToken(nonce=location.token_nonce, location_id=ident(location)))
    location.token_nonce = location_tokens.new_nonce()
    location.short_code = new_code()  # the typed code printed under the QR code changes with it
    session.add(location)
    audit.append(
        session=session,
        actor=actor,
        action="location.rotate",
        campaign_id=location.campaign_id,
        subject=f"location:{location.code}",
    )
    session.flush()


def is_retired(*, session: Session, nonce: str) -> bool:
    return session.exec(select(RetiredToken).where(RetiredToken.nonce == nonce)).first() is not None


def location_by_code(*, session: Session, campaign: Campaign, code: str) -> Location:
    """The campaign's location with this code, or NotFound."""
    query = select(Location).where(Location.campaign_id == campaign.id, Location.code == code[:40])
    location = session.exec(query).first()
    if location is None:
        raise NotFound("not_found")
    return location
