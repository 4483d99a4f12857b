"""Locations of a campaign: add many at once, rotate a token (the old poster then says it was replaced)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from survey_app import tokens
from survey_app.models import Campaign, Location, RetiredToken


def campaign_locations(*, session: Session, campaign: Campaign) -> list[Location]:
    return list(
        session.exec(select(Location).where(Location.campaign_id == campaign.id).order_by(col(Location.code)))
    )


def add_locations(*, session: Session, campaign: Campaign, rows: list[dict[str, Any]]) -> int:
    """Insert every row in one transaction (all or nothing)."""
    for row in rows:
        session.add(Location(campaign_id=campaign.id, token_nonce=tokens.new_nonce(), **row))
    session.commit()
    return len(rows)


def rotate_token(*, session: Session, location: Location) -> None:
    """Give the location a new token and remember the old one as replaced."""
    session.add(RetiredToken(nonce=location.token_nonce, location_id=location.id))
    location.token_nonce = tokens.new_nonce()
    session.add(location)
    session.commit()


def is_retired(*, session: Session, nonce: str) -> bool:
    return session.exec(select(RetiredToken).where(RetiredToken.nonce == nonce)).first() is not None
