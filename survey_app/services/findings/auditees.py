"""The audited organisation as a user (the "auditee" role): invited to one campaign at a time by its lead
auditor, it sees its own findings and nothing of the survey (seed L397: the auditee must not see results), and
submits each finding's root cause, correction and corrective action through the findings register's door."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from survey_app.auth import passwords
from survey_app.auth.accounts import AccountError, create_user, find_user
from survey_app.errors import Conflict, Invalid, NotFound
from survey_app.models import Campaign, CampaignMember, Finding, User
from survey_app.services.campaigns.membership import add_member, member_roles
from survey_app.services.findings.register import by_number, is_overdue, unfinished

ROLE = "auditee"
STAFF = frozenset({"admin", "lead", "field", "reviewer"})


@dataclass(frozen=True)
class Invitation:
    user: User
    password: str  # the temporary password of a new account ("" when the account existed)


def invite(
    *, session: Session, campaign: Campaign, username: str, display_name: str, email: str, actor: str
) -> Invitation:
    """An account of the audited organisation on this campaign (created with a temporary password that must be
    changed at the first login, or an existing auditee account added). Staff accounts are refused: an auditor
    cannot be the audited organisation."""
    name = username.strip().lower()
    if not name:
        raise Invalid("auditee_no_username")
    user = find_user(session=session, username=name)
    password = ""
    if user is None:
        password = passwords.temporary()
        try:
            user = create_user(
                session=session,
                username=name,
                password=password,
                roles=[ROLE],
                display_name=display_name.strip()[:120] or name,
                actor=actor,
            )
        except AccountError:
            raise Invalid("auditee_bad_username") from None
        user.must_change_password = True
        user.email = email.strip()[:200]
        session.add(user)
    elif set(user.roles) & STAFF:
        raise Conflict("auditee_is_staff")
    add_member(session=session, campaign=campaign, user=user, role=ROLE, actor=actor)
    return Invitation(user, password)


def is_auditee_only(user: User) -> bool:
    return ROLE in user.roles and not set(user.roles) & STAFF


def campaigns_of(*, session: Session, user: User) -> list[Campaign]:
    ids = select(CampaignMember.campaign_id).where(
        CampaignMember.user_id == user.id, CampaignMember.role == ROLE
    )
    return list(
        session.exec(select(Campaign).where(col(Campaign.id).in_(ids)).order_by(col(Campaign.id).desc()))
    )


def own_campaign(*, session: Session, user: User, code: str) -> Campaign:
    """The campaign if this auditee is invited to it (NotFound otherwise, as for a code that does not
    exist)."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code[:40])).first()
    if campaign is None or ROLE not in member_roles(
        session=session, campaign_id=campaign.id, user_id=user.id
    ):
        raise NotFound("campaign_not_found")
    return campaign


def own_finding(*, session: Session, user: User, code: str, number: int) -> tuple[Campaign, Finding]:
    campaign = own_campaign(session=session, user=user, code=code)
    return campaign, by_number(session=session, campaign=campaign, number=number)


@dataclass(frozen=True)
class Due:
    campaign: Campaign
    finding: Finding
    overdue: bool


def due(*, session: Session, user: User) -> list[Due]:
    """The auditee's findings that still need something, overdue first, then by deadline."""
    out = []
    for campaign in campaigns_of(session=session, user=user):
        for finding in unfinished(session=session, campaign=campaign):
            out.append(Due(campaign, finding, is_overdue(finding)))
    return sorted(
        out, key=lambda d: (not d.overdue, d.finding.deadline or d.finding.raised_at, d.finding.number)
    )
