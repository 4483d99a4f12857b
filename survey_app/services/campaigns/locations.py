"""Locations of a campaign: add many at once, edit one, deactivate or reactivate it, delete one that never had
a response, rotate a token (the old poster then says it was replaced). Every change writes an audit row.

A deactivated location leaves the coverage table, the posters and the grade's per-location sample rule, and
its poster says it is no longer in use; its responses stay and still count. A location with responses or
visits is never deleted. Deactivating, reactivating or deleting changes how the grade is computed, so none is
allowed once the grade is locked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from forms.numbers import whole_number
from survey_app import location_tokens
from survey_app.errors import Conflict, Invalid, Locked, NotFound
from survey_app.models import Campaign, Location, RetiredToken, SurveyResponse, Visit, ident
from survey_app.services import audit
from survey_app.services.campaigns.location_import import LocationRow
from survey_app.services.review import status
from survey_app.short_codes import new_code


def campaign_locations(*, session: Session, campaign: Campaign, active_only: bool = False) -> list[Location]:
    """The campaign's locations by code (only those in use with `active_only`)."""
    query = select(Location).where(Location.campaign_id == campaign.id)
    if active_only:
        query = query.where(col(Location.active))
    return list(session.exec(query.order_by(col(Location.code))))


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


EDITABLE = ("name", "building", "entrance", "target")
MAX_TARGET = 100_000


@dataclass(frozen=True)
class LocationEdit:
    """A location's editable fields, checked (its code is its identity on posters and in exports)."""

    name: str
    building: str = ""
    entrance: str = ""
    target: int | None = None

    @classmethod
    def from_form(cls, get: Callable[[str], str]) -> LocationEdit:
        """Read the edit form; Invalid names the first field that is wrong."""
        name = get("name").strip()
        if not name:
            raise Invalid("location_name_required")
        text = get("target").strip()
        target = whole_number(text, low=1, high=MAX_TARGET) if text else None
        if text and target is None:
            raise Invalid("location_target", max=MAX_TARGET)
        return cls(name[:200], get("building").strip()[:80], get("entrance").strip()[:80], target)


def edit_location(
    *, session: Session, location: Location, edit: LocationEdit, actor: str
) -> dict[str, list[str]]:
    """Apply the edit; the audit row lists each changed field (old, new). Returns what changed."""
    changed = {
        key: [str(getattr(location, key) or ""), str(getattr(edit, key) or "")]
        for key in EDITABLE
        if getattr(location, key) != getattr(edit, key)
    }
    if not changed:
        return {}
    for key in changed:
        setattr(location, key, getattr(edit, key))
    session.add(location)
    audit.append(
        session=session,
        actor=actor,
        action="location.edit",
        campaign_id=location.campaign_id,
        subject=f"location:{location.code}",
        detail=changed,
    )
    return changed


def responses_at(*, session: Session, location: Location) -> int:
    """How many responses were answered at the location (whatever their status)."""
    query = select(func.count()).select_from(SurveyResponse).where(SurveyResponse.location_id == location.id)
    return int(session.exec(query).one())


def _unlocked(session: Session, location: Location) -> None:
    if status.moves_frozen(session=session, campaign_id=location.campaign_id):
        raise Locked()


def set_active(*, session: Session, location: Location, active: bool, reason: str, actor: str) -> None:
    """Take a location out of use (a reason is required) or back into it; its responses stay either way."""
    _unlocked(session, location)
    if location.active == active:
        return
    if not active and not reason.strip():
        raise Invalid("location_reason_required")
    location.active = active
    session.add(location)
    audit.append(
        session=session,
        actor=actor,
        action="location.reactivate" if active else "location.deactivate",
        campaign_id=location.campaign_id,
        subject=f"location:{location.code}",
        old="active" if not active else "inactive",
        new="active" if active else "inactive",
        reason=reason.strip(),
        detail={"responses": responses_at(session=session, location=location)},
    )


def delete_location(*, session: Session, location: Location, actor: str) -> None:
    """Delete a location added by mistake: only one that never had a response or a visit."""
    _unlocked(session, location)
    visits = session.exec(
        select(func.count()).select_from(Visit).where(Visit.location_id == location.id)
    ).one()
    if responses_at(session=session, location=location) or visits:
        raise Conflict("location_in_use")
    for retired in session.exec(select(RetiredToken).where(RetiredToken.location_id == location.id)):
        session.delete(retired)
    audit.append(
        session=session,
        actor=actor,
        action="location.delete",
        campaign_id=location.campaign_id,
        subject=f"location:{location.code}",
        detail={key: str(getattr(location, key) or "") for key in EDITABLE},
    )
    session.delete(location)
    session.flush()
