"""Who leads or is assigned to a campaign: the one door for membership changes (each one audited)."""

from __future__ import annotations

from sqlmodel import Session, select

from survey_app.models import Campaign, CampaignMember, User, ident
from survey_app.services import audit


def add_member(*, session: Session, campaign: Campaign, user: User, role: str, actor: str) -> bool:
    """Assign a user to a campaign as lead or field auditor; return whether anything changed."""
    exists = session.exec(
        select(CampaignMember).where(
            CampaignMember.campaign_id == campaign.id,
            CampaignMember.user_id == user.id,
            CampaignMember.role == role,
        )
    ).first()
    if exists is not None:
        return False
    session.add(CampaignMember(campaign_id=ident(campaign), user_id=ident(user), role=role))
    audit.append(
        session=session,
        actor=actor,
        action="member.add",
        campaign_id=campaign.id,
        subject=f"user:{user.username}",
        new=role,
    )
    session.flush()
    return True


def remove_member(*, session: Session, member: CampaignMember, actor: str) -> None:
    """Take a user off a campaign (in one role). Off the team altogether, their field access ends: each open
    sheet of theirs is cancelled (kept, marked), and the visit and evidence pages close to them."""
    from survey_app.services.field.visits import cancel_sheets_of

    user = session.get(User, member.user_id)
    session.delete(member)
    audit.append(
        session=session,
        actor=actor,
        action="member.remove",
        campaign_id=member.campaign_id,
        subject=f"user:{user.username if user else member.user_id}",
        old=member.role,
    )
    session.flush()
    campaign = session.get(Campaign, member.campaign_id)
    if (
        user is not None
        and campaign is not None
        and not member_roles(session=session, campaign_id=campaign.id, user_id=user.id)
    ):
        cancel_sheets_of(session=session, campaign=campaign, user=user, actor=actor)


def member_roles(*, session: Session, campaign_id: int | None, user_id: int | None) -> set[str]:
    """The roles a user holds on a campaign."""
    rows = session.exec(
        select(CampaignMember.role).where(
            CampaignMember.campaign_id == campaign_id, CampaignMember.user_id == user_id
        )
    ).all()
    return set(rows)
