"""Campaigns: who may see and manage which, and creating, editing, closing and copying them."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from survey_app import tokens
from survey_app.auth.users import add_member, member_roles
from survey_app.i18n import N_
from survey_app.models import (
    Campaign,
    CampaignMember,
    CampaignStatus,
    InstrumentVersion,
    Location,
    Scheme,
    User,
)

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$")


class AccessDenied(Exception):
    """The user may not see (or manage) this campaign."""


class NotFound(Exception):
    """No campaign with that code."""


@dataclass(frozen=True)
class Access:
    campaign: Campaign
    can_manage: bool


def is_admin(user: User) -> bool:
    return "admin" in user.roles


def visible_campaigns(*, session: Session, user: User) -> list[Campaign]:
    """Admins see all; others see the campaigns they lead or are assigned to."""
    query = select(Campaign).order_by(col(Campaign.created_at).desc())
    if not is_admin(user):
        ids = select(CampaignMember.campaign_id).where(CampaignMember.user_id == user.id)
        query = query.where(col(Campaign.id).in_(ids))
    return list(session.exec(query))


def access(*, session: Session, user: User, code: str, manage: bool = False) -> Access:
    """The campaign if this user may see it (and manage it, when asked); raises NotFound / AccessDenied."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).first()
    if campaign is None:
        raise NotFound(code)
    if is_admin(user):
        return Access(campaign, True)
    roles = member_roles(session=session, campaign_id=campaign.id, user_id=user.id)
    leads = "lead" in roles and "lead" in user.roles
    if not roles or (manage and not leads):
        raise AccessDenied(code)
    return Access(campaign, leads)


def parse_local(value: str, tz: str) -> datetime | None:
    """A datetime-local field ('2026-12-01T09:00') read in the campaign's time zone."""
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return naive.replace(tzinfo=ZoneInfo(tz)) if naive.tzinfo is None else naive


def check_fields(
    *, session: Session, form: dict[str, str], editing: Campaign | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate campaign form fields; return (clean values, {field: message code})."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    code = form.get("code", "").strip() if editing is None else editing.code
    if editing is None:
        if not _CODE.match(code):
            errors["code"] = N_("Use 2-40 letters, digits, '-' or '_'.")
        elif session.exec(select(Campaign).where(Campaign.code == code)).first():
            errors["code"] = N_("This code is already used by another campaign.")
    clean["code"] = code
    for key in ("name_zh", "organisation"):
        value = form.get(key, "").strip()
        if not value:
            errors[key] = N_("Required.")
        clean[key] = value[:200]
    clean["name_en"] = form.get("name_en", "").strip()[:200]
    clean["certification_body"] = form.get("certification_body", "").strip()[:200]
    scheme = session.exec(select(Scheme).where(Scheme.code == form.get("scheme", ""))).first()
    if scheme is None:
        errors["scheme"] = N_("Unknown scheme: choose one from the list.")
    clean["scheme_id"] = scheme.id if scheme else None
    try:
        instrument = session.get(InstrumentVersion, int(form.get("instrument", "0")))
    except ValueError:
        instrument = None
    if instrument is None or instrument.kind != "survey":
        errors["instrument"] = N_("Choose a survey instrument from the list.")
    clean["survey_instrument_id"] = instrument.id if instrument else None
    tz = form.get("timezone", "Asia/Shanghai").strip() or "Asia/Shanghai"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = N_("Unknown time zone (e.g. Asia/Shanghai).")
        tz = "Asia/Shanghai"
    clean["timezone"] = tz
    start, deadline = parse_local(form.get("starts_at", ""), tz), parse_local(form.get("deadline", ""), tz)
    if start is None:
        errors["starts_at"] = N_("Enter a date and time.")
    if deadline is None:
        errors["deadline"] = N_("Enter a date and time.")
    elif start is not None and deadline <= start:
        errors["deadline"] = N_("The deadline must be after the start.")
    clean["starts_at"], clean["deadline"] = start, deadline
    try:
        rate = float(form.get("callback_rate", "10").strip() or "10")
        if not 0 < rate <= 100:
            raise ValueError
        clean["callback_rate"] = rate / 100
    except ValueError:
        errors["callback_rate"] = N_("A percentage between 0 and 100.")
    target = form.get("sample_target", "").strip()
    if target and (not target.isdigit() or int(target) > 1_000_000):
        errors["sample_target"] = N_("A whole number, or leave empty.")
    clean["sample_target"] = int(target) if target.isdigit() else None
    return clean, errors


def create_campaign(
    *, session: Session, user: User, clean: dict[str, Any], field_auditors: list[int]
) -> Campaign:
    """Create the campaign; its creator leads it."""
    campaign = Campaign(**clean, ip_salt=secrets.token_hex(16), status=CampaignStatus.OPEN)
    session.add(campaign)
    session.commit()
    add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="lead")
    assign_field_auditors(session=session, campaign=campaign, user_ids=field_auditors)
    return campaign


def assign_field_auditors(*, session: Session, campaign: Campaign, user_ids: list[int]) -> None:
    """Make exactly these users the campaign's field auditors (users without the field role are skipped)."""
    current = session.exec(
        select(CampaignMember).where(
            CampaignMember.campaign_id == campaign.id, CampaignMember.role == "field"
        )
    ).all()
    for member in current:
        if member.user_id not in user_ids:
            session.delete(member)
    session.commit()
    for uid in user_ids:
        user = session.get(User, uid)
        if user is not None and "field" in user.roles:
            add_member(session=session, campaign_id=campaign.id, user_id=uid, role="field")


def field_auditor_ids(*, session: Session, campaign: Campaign) -> set[int]:
    rows = session.exec(
        select(CampaignMember.user_id).where(
            CampaignMember.campaign_id == campaign.id, CampaignMember.role == "field"
        )
    ).all()
    return set(rows)


def copy_as_next_cycle(*, session: Session, user: User, source: Campaign, clean: dict[str, Any]) -> Campaign:
    """The next surveillance cycle: same scheme, instrument, locations (new tokens) and team; linked back."""
    fields = {
        k: getattr(source, k)
        for k in (
            "name_zh",
            "name_en",
            "organisation",
            "certification_body",
            "scheme_id",
            "survey_instrument_id",
            "timezone",
            "callback_rate",
            "sample_target",
        )
    }
    campaign = Campaign(
        **fields,
        code=clean["code"],
        starts_at=clean["starts_at"],
        deadline=clean["deadline"],
        cycle=source.cycle + 1,
        previous_campaign_id=source.id,
        ip_salt=secrets.token_hex(16),
    )
    session.add(campaign)
    session.commit()
    for loc in session.exec(select(Location).where(Location.campaign_id == source.id)):
        session.add(
            Location(
                campaign_id=campaign.id,
                code=loc.code,
                name=loc.name,
                building=loc.building,
                entrance=loc.entrance,
                target=loc.target,
                token_nonce=tokens.new_nonce(),
            )
        )
    for member in session.exec(select(CampaignMember).where(CampaignMember.campaign_id == source.id)):
        session.add(CampaignMember(campaign_id=campaign.id, user_id=member.user_id, role=member.role))
    add_member(session=session, campaign_id=campaign.id, user_id=user.id, role="lead")
    session.commit()
    return campaign
