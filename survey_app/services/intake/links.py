"""Resolve a location token to its location, campaign and instrument."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from forms import Instrument
from survey_app import location_tokens
from survey_app.errors import Gone, NotFound
from survey_app.models import Campaign, InstrumentVersion, Location, SurveyResponse, ident
from survey_app.services.campaigns.instruments import materialise
from survey_app.short_codes import grouped, normalise, receipt_key


@dataclass(frozen=True)
class SurveyTarget:
    location: Location
    campaign: Campaign
    instrument_row: InstrumentVersion
    instrument: Instrument

    @property
    def version(self) -> int:
        """The id of the instrument version the survey serves now."""
        return ident(self.instrument_row)


def resolve(*, session: Session, secret: str, token: str) -> SurveyTarget | None:
    """Return what a token opens, or None for an unknown, tampered or retired token."""
    nonce = location_tokens.nonce_from_token(secret, token)
    if nonce is None:
        return None
    found = session.exec(
        select(Location, Campaign, InstrumentVersion)
        .join(Campaign, col(Campaign.id) == Location.campaign_id)
        .join(InstrumentVersion, col(InstrumentVersion.id) == Campaign.survey_instrument_id)
        .where(Location.token_nonce == nonce)
        .options(defer(InstrumentVersion.definition))  # type: ignore[arg-type]
    ).first()  # one indexed query (the token's nonce); the instrument's JSON is read once per process
    if found is None or not found[0].active:
        return None
    location, campaign, row = found
    return SurveyTarget(location, campaign, row, materialise(row))


def open_token(*, session: Session, secret: str, token: str) -> SurveyTarget:
    """What a token opens; a replaced poster's token is Gone, anything else unknown is NotFound."""
    target = resolve(session=session, secret=secret, token=token)
    if target is not None:
        return target
    if is_replaced(session=session, secret=secret, token=token):
        raise Gone("token_replaced")
    if is_deactivated(session=session, secret=secret, token=token):
        raise Gone("location_retired")
    raise NotFound("survey_not_found")


def receipt_at(*, session: Session, location: Location, receipt: str) -> SurveyResponse:
    """The response with this receipt, answered at this location (a thank-you page), or NotFound."""
    stored = session.exec(
        select(SurveyResponse).where(
            SurveyResponse.public_id == receipt_key(receipt), SurveyResponse.location_id == location.id
        )
    ).first()
    if stored is None:
        raise NotFound("receipt_not_found")
    return stored


def survey_url(base_url: str, secret: str, location: Location) -> str:
    """The public URL printed on a location's poster."""
    return f"{base_url}/s/{location_tokens.location_token(secret, location.token_nonce)}"


def short_url(base_url: str, location: Location) -> str:
    """The address printed under the QR code to type by hand: short, case-insensitive (/q/K7M-4QX)."""
    host = base_url.split("://", 1)[-1]
    return f"{host}/q/{grouped(location.short_code or '')}"


def by_short_code(*, session: Session, text: str) -> Location | None:
    code = normalise(text)
    if code is None:
        return None
    return session.exec(select(Location).where(Location.short_code == code)).first()


def is_replaced(*, session: Session, secret: str, token: str) -> bool:
    """A genuine token of ours that has been rotated away (its poster was replaced)."""
    from survey_app.services.campaigns.locations import is_retired

    nonce = location_tokens.nonce_from_token(secret, token)
    return nonce is not None and is_retired(session=session, nonce=nonce)


def is_deactivated(*, session: Session, secret: str, token: str) -> bool:
    """A genuine token of a location taken out of use."""
    nonce = location_tokens.nonce_from_token(secret, token)
    if nonce is None:
        return False
    found = session.exec(select(Location).where(Location.token_nonce == nonce)).first()
    return found is not None and not found.active
