"""Read-only API tokens: created for a user (optionally limited to some campaigns), shown once, stored as
their SHA-256 (a token is 256 random bits, so a plain hash is enough), revocable, last use recorded."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from survey_app.clock import utcnow
from survey_app.errors import Forbidden, Invalid, NotFound, Unauthorized
from survey_app.models import ApiToken, Campaign, CampaignMember, User
from survey_app.services import audit
from survey_app.services.campaigns.access import is_admin, visible_campaigns

PREFIX = "mc_"
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    token: ApiToken
    user: User
    campaign_ids: frozenset[int]  # the campaigns this token may see
    lead_ids: frozenset[int]  # those whose responses, callbacks and grades it may read (as the pages: leads)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    *, session: Session, user: User, name: str, campaign_codes: list[str], actor: str
) -> tuple[ApiToken, str]:
    """A new token for `user`; the plain token is returned once and never stored."""
    ids = []
    allowed = {c.code: c for c in visible_campaigns(session=session, user=user)}
    for code in campaign_codes:
        if code not in allowed:
            raise Invalid("api_out_of_scope")
        ids.append(allowed[code].id)
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id or 0,
        name=name.strip()[:120],
        token_hash=digest(plain),
        prefix=plain[:10],
        campaign_ids=sorted(set(ids)),
        created_by=actor[:60],
    )
    session.add(row)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="api_token.create",
        subject=f"user:{user.username}",
        detail={"token": row.id, "prefix": row.prefix, "campaigns": campaign_codes},
    )
    return row, plain


def revoke(*, session: Session, token_id: int, user: User, actor: str) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound("not_found")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = utcnow(), actor[:60]
        session.add(row)
        audit.append(
            session=session,
            actor=actor,
            action="api_token.revoke",
            subject=f"user:{user.username}",
            detail={"token": row.id, "prefix": row.prefix},
        )
    return row


def revoke_all(*, session: Session, user: User, actor: str, reason: str) -> int:
    """Revoke every live token of `user` (a password change or reset, a deactivation, "end all sessions"):
    one audit row; returns how many. A revoked token never works again."""
    live = session.exec(
        select(ApiToken).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    now = utcnow()
    for row in live:
        row.revoked_at, row.revoked_by = now, f"{actor[:30]}: {reason}"[:60]
        session.add(row)
    if live:
        audit.append(
            session=session,
            actor=actor,
            action="api_token.revoke_all",
            subject=f"user:{user.username}",
            reason=reason,
            detail={"tokens": [row.id for row in live]},
        )
    return len(live)


def tokens_of(*, session: Session, user: User) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).where(ApiToken.user_id == user.id).order_by(col(ApiToken.id))))


def authenticate(*, session: Session, header: str) -> Caller:
    """The caller behind `Authorization: Bearer <token>`; 401 when missing, unknown or revoked."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("api_token_missing")
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == digest(value.strip()[:200]))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("api_token_invalid")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise Unauthorized("api_token_invalid")
    if not {"admin", "lead", "field"} & set(user.roles):  # reviewers and audited organisations: pages only
        raise Forbidden("api_auditors_only")
    visible = {c.id for c in visible_campaigns(session=session, user=user) if c.id is not None}
    scope = visible & set(row.campaign_ids) if row.campaign_ids else visible
    return Caller(row, user, frozenset(scope), frozenset(led_campaigns(session=session, user=user) & scope))


def led_campaigns(*, session: Session, user: User) -> set[int]:
    """The campaigns whose lead-only data (responses, callbacks, grades) `user` reads: an admin's all, a
    lead auditor's those they lead. A field auditor's none, whatever the token."""
    if is_admin(user):
        return {c.id for c in visible_campaigns(session=session, user=user) if c.id is not None}
    if "lead" not in user.roles:
        return set()
    query = select(CampaignMember.campaign_id).where(
        CampaignMember.user_id == user.id, CampaignMember.role == "lead"
    )
    return set(session.exec(query).all())


def campaign_for(*, session: Session, caller: Caller, code: str, lead: bool = False) -> Campaign:
    """The campaign `code` if the token may see it (404 alike for one that does not exist and one it may
    not see), and read its lead-only data when `lead` (403: it knows the campaign, not those data)."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code[:40])).first()
    if campaign is None or campaign.id not in caller.campaign_ids:
        raise NotFound("campaign_not_found")
    if lead and campaign.id not in caller.lead_ids:
        raise Forbidden("api_lead_only")
    return campaign


def due_for_touch(token: ApiToken, now: datetime) -> bool:
    """Whether this use should be recorded (at most once a minute per token)."""
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY


def record_use(*, session: Session, token_id: int, at: datetime) -> None:
    """Record a token's last use (by the worker: an API read never writes)."""
    row = session.get(ApiToken, token_id)
    if row is not None and (row.last_used_at is None or row.last_used_at < at):
        row.last_used_at = at
        session.add(row)
