"""Keyword-only data access for accounts; every change is audited on the global chain."""

from __future__ import annotations

from sqlmodel import Session, select

from survey_app.auth.passwords import hash_password, password_problem
from survey_app.auth.sessions import end_sessions
from survey_app.models import Role, User, utcnow
from survey_app.services import audit

ROLES = tuple(r.value for r in Role)


class AccountError(ValueError):
    """The account cannot be created or changed as asked."""


def find_user(*, session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username.strip().lower())).first()


def create_user(
    *,
    session: Session,
    username: str,
    password: str,
    roles: list[str],
    display_name: str = "",
    actor: str = "system",
) -> User:
    """Create an account; the username is stored lower-case."""
    name = username.strip().lower()
    if not name or not name.replace("_", "").replace("-", "").replace(".", "").isalnum() or len(name) > 60:
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
    session.flush()
    audit.append(session, actor=actor, action="user.create", subject=f"user:{name}", new=",".join(user.roles))
    return user


def set_password(*, session: Session, user: User, password: str, actor: str = "system") -> None:
    """Change a password; existing sessions of that user stop working."""
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password: {problem}")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.add(user)
    ended = end_sessions(session, user, by="password change")
    audit.append(
        session,
        actor=actor,
        action="user.password",
        subject=f"user:{user.username}",
        detail={"sessions_ended": ended},
    )


def set_roles(*, session: Session, user: User, roles: list[str], actor: str) -> None:
    """Give an account exactly these roles."""
    if not roles or any(r not in ROLES for r in roles):
        raise AccountError(f"roles must be chosen from {', '.join(ROLES)}")
    old = ",".join(user.roles)
    user.roles = sorted(set(roles))
    session.add(user)
    audit.append(
        session,
        actor=actor,
        action="user.roles",
        subject=f"user:{user.username}",
        old=old,
        new=",".join(user.roles),
    )
