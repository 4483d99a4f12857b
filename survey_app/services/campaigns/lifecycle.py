"""A campaign's life: its form checked, created with its team, edited, closed early and reopened, copied as
the next surveillance cycle. Every change writes its audit row."""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from forms.numbers import whole_number
from survey_app import location_tokens
from survey_app.clock import parse_local, utcnow
from survey_app.errors import Conflict, Invalid, NotFound
from survey_app.i18n import N_
from survey_app.models import (
    Campaign,
    CampaignMember,
    CampaignStatus,
    InstrumentVersion,
    Location,
    ServedInstrument,
    StoredScheme,
    User,
    ident,
)
from survey_app.services import audit
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.campaigns.membership import add_member, remove_member
from survey_app.services.findings.register import carry_over

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")


@dataclass(frozen=True)
class CampaignFields:
    """A campaign form, checked: what creating or editing a campaign takes."""

    code: str
    name_zh: str
    name_en: str
    organisation: str
    certification_body: str
    scheme_id: int
    survey_instrument_id: int
    timezone: str
    starts_at: datetime
    deadline: datetime
    callback_rate: float
    sample_target: int | None
    scope: str = ""
    resident_photos: bool = False  # the survey's photo questions take residents' photos


EDITABLE = (
    "scope",
    "name_zh",
    "name_en",
    "organisation",
    "certification_body",
    "scheme_id",
    "survey_instrument_id",
    "timezone",
    "starts_at",
    "deadline",
    "callback_rate",
    "sample_target",
    "resident_photos",
)


def check_fields(
    *,
    session: Session,
    form: dict[str, str],
    editing: Campaign | None = None,
    default_timezone: str = "Asia/Shanghai",
) -> tuple[CampaignFields | None, dict[str, str]]:
    """Validate campaign form fields; return (checked fields or None, {field: message code})."""
    errors: dict[str, str] = {}
    code = form.get("code", "").strip() if editing is None else editing.code
    if editing is None:
        if not _CODE.match(code):
            errors["code"] = N_("Use 2-40 letters, digits, '-' or '_'.")
        elif session.exec(select(Campaign).where(Campaign.code == code)).first():
            errors["code"] = N_("This code is already used by another campaign.")
    texts = {
        key: form.get(key, "").strip()[:200]
        for key in ("name_zh", "name_en", "organisation", "certification_body")
    }
    for key in ("name_zh", "organisation"):
        if not texts[key]:
            errors[key] = N_("Required.")
    texts["scope"] = form.get("scope", "").strip()[:500]
    scheme = session.exec(select(StoredScheme).where(StoredScheme.code == form.get("scheme", ""))).first()
    if scheme is None:
        errors["scheme"] = N_("Unknown scheme: choose one from the list.")
    chosen = whole_number(form.get("instrument", ""), low=1)
    instrument = session.get(InstrumentVersion, chosen) if chosen is not None else None
    if instrument is None or instrument.kind != "survey":
        errors["instrument"] = N_("Choose a survey instrument from the list.")
    elif form.get("resident_photos") != "yes" and any(
        i.type == "photo" and i.required for i in materialise(instrument).items
    ):
        errors["instrument"] = N_(
            "This form requires a photo, which the anonymous survey takes only when residents may send "
            "photos: allow that below, make its photo questions optional, or use it for field visits."
        )
    tz = form.get("timezone", "").strip() or default_timezone
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = N_("Unknown time zone (e.g. Asia/Shanghai).")
        tz = default_timezone
    start, deadline = parse_local(form.get("starts_at", ""), tz), parse_local(form.get("deadline", ""), tz)
    if start is None:
        errors["starts_at"] = N_("Enter a date and time (years 2000–2199).")
    if deadline is None:
        errors["deadline"] = N_("Enter a date and time (years 2000–2199).")
    elif start is not None and deadline <= start:
        errors["deadline"] = N_("The deadline must be after the start.")
    rate = 0.1
    try:
        rate = float(form.get("callback_rate", "10").strip() or "10") / 100
        if not 0 < rate <= 1:
            raise ValueError
    except ValueError:
        errors["callback_rate"] = N_("A percentage between 0 and 100.")
    target = form.get("sample_target", "").strip()
    sample_target = whole_number(target, high=1_000_000)
    if target and sample_target is None:
        errors["sample_target"] = N_("A whole number, or leave empty.")
    if errors or scheme is None or instrument is None or start is None or deadline is None:
        return None, errors
    fields = CampaignFields(
        code=code,
        scheme_id=ident(scheme),
        survey_instrument_id=ident(instrument),
        timezone=tz,
        starts_at=start,
        deadline=deadline,
        callback_rate=rate,
        sample_target=sample_target,
        resident_photos=form.get("resident_photos") == "yes",
        **texts,
    )
    return fields, {}


def create_campaign(
    *, session: Session, user: User, fields: CampaignFields, field_auditors: list[int]
) -> Campaign:
    """Create the campaign with its team (its creator leads it), in the caller's transaction."""
    campaign = Campaign(**asdict(fields), ip_salt=secrets.token_hex(16), status=CampaignStatus.OPEN)
    register_campaign(session=session, campaign=campaign, actor=user.username)
    add_member(session=session, campaign=campaign, user=user, role="lead", actor=user.username)
    assign_field_auditors(session=session, campaign=campaign, user_ids=field_auditors, actor=user.username)
    return campaign


def register_campaign(
    *, session: Session, campaign: Campaign, actor: str, action: str = "campaign.create", detail: Any = None
) -> Campaign:
    """A new campaign's first steps, the same however it was made: stored, its audit chain started (every
    campaign has one; `audit verify` refuses a campaign without), its survey instrument served from now."""
    session.add(campaign)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action=action,
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        detail=detail,
    )
    session.add(
        ServedInstrument(campaign_id=ident(campaign), instrument_version_id=campaign.survey_instrument_id)
    )
    return campaign


def served_versions(*, session: Session, campaign: Campaign) -> set[int]:
    """The instrument versions whose answers the campaign takes: its current one, and each earlier one it
    served while it was open (a page kept on a phone across a change of version)."""
    opened, closed = campaign.starts_at, closed_on(campaign)
    accepted = {campaign.survey_instrument_id}
    for row in session.exec(select(ServedInstrument).where(ServedInstrument.campaign_id == campaign.id)):
        until = row.until or utcnow()
        if campaign.status != CampaignStatus.DRAFT and row.since < closed and until > opened:
            accepted.add(row.instrument_version_id)
    return accepted


def _serve(*, session: Session, campaign: Campaign, version_id: int) -> None:
    """The campaign serves another version from now (what it served until now is kept)."""
    now = utcnow()
    current = select(ServedInstrument).where(
        ServedInstrument.campaign_id == campaign.id, col(ServedInstrument.until).is_(None)
    )
    for row in session.exec(current):
        row.until = now
        session.add(row)
    session.add(ServedInstrument(campaign_id=ident(campaign), instrument_version_id=version_id, since=now))


def update_campaign(*, session: Session, campaign: Campaign, fields: CampaignFields, actor: str) -> None:
    """Apply an edited form; the audit row lists what changed."""
    if fields.survey_instrument_id != campaign.survey_instrument_id:
        _serve(session=session, campaign=campaign, version_id=fields.survey_instrument_id)
    changed = {}
    for key in EDITABLE:
        new = getattr(fields, key)
        if getattr(campaign, key) != new:
            changed[key] = str(new)
            setattr(campaign, key, new)
    session.add(campaign)
    if changed:
        audit.append(
            session=session,
            actor=actor,
            action="campaign.edit",
            campaign_id=campaign.id,
            subject=f"campaign:{campaign.code}",
            detail=changed,
        )


def close_campaign(*, session: Session, campaign: Campaign, actor: str) -> None:
    """End the survey now (the time it was closed is kept and shown; the announced deadline stays)."""
    if campaign.status == CampaignStatus.CLOSED:
        return  # a double submit closes once
    old = campaign.status
    campaign.status, campaign.closed_at, campaign.closed_by = CampaignStatus.CLOSED, utcnow(), actor[:60]
    session.add(campaign)
    audit.append(
        session=session,
        actor=actor,
        action="campaign.close",
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        old=old,
        new=CampaignStatus.CLOSED,
    )


def reopen_campaign(*, session: Session, campaign: Campaign, actor: str, reason: str) -> None:
    """Open a survey closed early again, before its deadline; a reason is required and logged."""
    if campaign.status != CampaignStatus.CLOSED:
        raise Conflict("campaign_not_closed")
    if not reason.strip():
        raise Invalid("reason_required")
    if utcnow() >= campaign.deadline:
        raise Conflict("campaign_past_deadline")
    campaign.status, campaign.closed_at, campaign.closed_by = CampaignStatus.OPEN, None, ""
    session.add(campaign)
    audit.append(
        session=session,
        actor=actor,
        action="campaign.reopen",
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        old=CampaignStatus.CLOSED,
        new=CampaignStatus.OPEN,
        reason=reason.strip(),
    )


def closed_on(campaign: Campaign) -> datetime:
    """When the survey ended (or ends): the early closing time, else the deadline."""
    return (
        campaign.closed_at
        if campaign.closed_at and campaign.closed_at < campaign.deadline
        else campaign.deadline
    )


def assign_field_auditors(*, session: Session, campaign: Campaign, user_ids: list[int], actor: str) -> None:
    """Make exactly these users the campaign's field auditors (users without the field role are skipped)."""
    current = session.exec(
        select(CampaignMember).where(
            CampaignMember.campaign_id == campaign.id, CampaignMember.role == "field"
        )
    ).all()
    for member in current:
        if member.user_id not in user_ids:
            remove_member(session=session, member=member, actor=actor)
    for uid in user_ids:
        user = session.get(User, uid)
        if user is not None and "field" in user.roles:
            add_member(session=session, campaign=campaign, user=user, role="field", actor=actor)


def field_auditor_ids(*, session: Session, campaign: Campaign) -> set[int]:
    rows = session.exec(
        select(CampaignMember.user_id).where(
            CampaignMember.campaign_id == campaign.id, CampaignMember.role == "field"
        )
    ).all()
    return set(rows)


def copy_as_next_cycle(*, session: Session, user: User, source: Campaign, fields: CampaignFields) -> Campaign:
    """The next surveillance cycle: same scheme, instrument, locations (new tokens) and team; linked back."""
    own = ("starts_at", "deadline", "name_zh", "name_en")  # a new cycle gets its own window and name
    kept = {k: getattr(source, k) for k in EDITABLE if k not in own}
    campaign = Campaign(
        **kept,
        code=fields.code,
        name_zh=fields.name_zh,
        name_en=fields.name_en,
        starts_at=fields.starts_at,
        deadline=fields.deadline,
        cycle=source.cycle + 1,
        previous_campaign_id=source.id,
        ip_salt=secrets.token_hex(16),
    )
    detail = {"from": source.code, "cycle": campaign.cycle}
    register_campaign(
        session=session, campaign=campaign, actor=user.username, action="campaign.copy", detail=detail
    )
    for loc in session.exec(select(Location).where(Location.campaign_id == source.id, col(Location.active))):
        session.add(
            Location(
                campaign_id=ident(campaign),
                code=loc.code,
                name=loc.name,
                building=loc.building,
                entrance=loc.entrance,
                target=loc.target,
                token_nonce=location_tokens.new_nonce(),
            )
        )
    for member in session.exec(select(CampaignMember).where(CampaignMember.campaign_id == source.id)):
        teammate = session.get(User, member.user_id)
        if teammate is not None:
            add_member(
                session=session, campaign=campaign, user=teammate, role=member.role, actor=user.username
            )
    add_member(session=session, campaign=campaign, user=user, role="lead", actor=user.username)
    carry_over(session=session, source=source, target=campaign, actor=user.username)
    return campaign


def choices(*, session: Session) -> dict[str, Any]:
    """What a campaign form offers: the schemes, the survey instruments, the field auditors."""
    return {
        "schemes": list(session.exec(select(StoredScheme).order_by(col(StoredScheme.code)))),
        "instruments": list(
            session.exec(
                select(InstrumentVersion)
                .where(InstrumentVersion.kind == "survey")
                .order_by(col(InstrumentVersion.id))
            )
        ),
        "field_users": [
            u for u in session.exec(select(User).order_by(col(User.username))) if "field" in u.roles
        ],
    }


def setup_of(*, session: Session, campaign: Campaign) -> dict[str, Any]:
    """The scheme and the survey instrument version a campaign runs with."""
    scheme = session.get(StoredScheme, campaign.scheme_id)
    instrument = session.get(InstrumentVersion, campaign.survey_instrument_id)
    if scheme is None or instrument is None:
        raise NotFound("campaign_not_found")
    return {"scheme": scheme, "instrument": instrument}
