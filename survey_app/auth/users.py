"""Keyword-only data access for accounts and campaign membership."""

from __future__ import annotations

from sqlmodel import Session, select

from survey_app.auth.passwords import hash_password, password_problem
from survey_app.models import CampaignMember, Role, User, utcnow

ROLES = tuple(r.value for r in Role)


class AccountError(ValueError):
    """The account cannot be created or changed as asked."""


def find_user(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip().lower())).first()


def create_user(
    *, session: Session, username: str, password: str, roles: list[str], display_name: str = ""
) -> User:
    """Create an account; the username is stored lower-case."""
    name = username.strip().lower()
    if not name or not name.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise AccountError("username: letters, digits, '.', '-' and '_' only")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise AccountError(f"roles must be chosen from {', '.join(ROLES)}")
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password: {problem}")
    if find_user(session=session, username=name):
        raise AccountError(f"user {name!r} already exists")
    user = User(
        username=name,
        display_name=display_name or name,
        password_hash=hash_password(password),
        roles=sorted(set(roles)),
    )
    session.add(user)
    session.commit()
    return user


def set_password(*, session: Session, user: User, password: str) -> None:
    """Change a password; existing sessions of that user stop working."""
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password: {problem}")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.add(user)
    session.commit()


def add_member(*, session: Session, campaign_id: int, user_id: int, role: str) -> None:
    """Assign a user to a campaign as lead or field auditor (idempotent)."""
    exists = session.exec(
        select(CampaignMember).where(
            CampaignMember.campaign_id == campaign_id,
            CampaignMember.user_id == user_id,
            CampaignMember.role == role,
        )
    ).first()
    if exists is None:
        session.add(CampaignMember(campaign_id=campaign_id, user_id=user_id, role=role))
        session.commit()


def member_roles(*, session: Session, campaign_id: int, user_id: int) -> set[str]:
    rows = session.exec(
        select(CampaignMember.role).where(
            CampaignMember.campaign_id == campaign_id, CampaignMember.user_id == user_id
        )
    ).all()
    return set(rows)
