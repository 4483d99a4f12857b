"""Who may see and manage which campaign: admins all; lead auditors the campaigns they lead; field
auditors the campaigns they are assigned to."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from survey_app.errors import Forbidden, NotFound
from survey_app.models import Campaign, CampaignMember, User
from survey_app.services.campaigns.membership import member_roles


@dataclass(frozen=True)
class Access:
    campaign: Campaign
    can_manage: bool


AUDIT_TEAM = frozenset({"lead", "field"})


def is_admin(user: User) -> bool:
    return "admin" in user.roles


def visible_campaigns(*, session: Session, user: User) -> list[Campaign]:
    """Admins see all; others see the campaigns they lead or are assigned to."""
    query = select(Campaign).order_by(col(Campaign.created_at).desc())
    if not is_admin(user):
        ids = select(CampaignMember.campaign_id).where(
            CampaignMember.user_id == user.id, col(CampaignMember.role).in_(list(AUDIT_TEAM))
        )
        query = query.where(col(Campaign.id).in_(ids))
    return list(session.exec(query))


def access(*, session: Session, user: User, code: str, manage: bool = False) -> Access:
    """The campaign if this user may see it (and manage it, when asked). A campaign the user is not on is
    NotFound exactly like one that does not exist (the answer does not tell which codes exist); a member
    who may not manage it gets Forbidden."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code[:40])).first()
    if campaign is None:
        raise NotFound("campaign_not_found")
    if is_admin(user):
        return Access(campaign, True)
    # the audit team's pages: an audited organisation's membership (auditee) opens only its own /a pages
    roles = member_roles(session=session, campaign_id=campaign.id, user_id=user.id) & AUDIT_TEAM
    if not roles:
        raise NotFound("campaign_not_found")
    leads = "lead" in roles and "lead" in user.roles
    if manage and not leads:
        raise Forbidden("forbidden_campaign")
    return Access(campaign, leads)
