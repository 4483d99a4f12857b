"""Keyword-only data access for accounts; every change is audited on the global chain."""

from __future__ import annotations

from sqlmodel import Session, func, select

from survey_app.auth import passwords
from survey_app.auth.passwords import hash_password, password_problem
from survey_app.auth.sessions import end_sessions
from survey_app.clock import utcnow
from survey_app.models import AuditLog, Role, User
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
    audit.append(
        session=session, actor=actor, action="user.create", subject=f"user:{name}", new=",".join(user.roles)
    )
    return user


def end_access(*, session: Session, user: User, by: str, actor: str) -> dict[str, int]:
    """End every way in the account had: its open sessions and its API tokens (revoked for good: a token does
    not come back when the account is reactivated). Returns how many of each."""
    from survey_app.services.api.tokens import revoke_all

    ended = end_sessions(session=session, user=user, by=by)
    revoked = revoke_all(session=session, user=user, actor=actor, reason=by)
    return {"sessions_ended": ended, "tokens_revoked": revoked}


def set_password(*, session: Session, user: User, password: str, actor: str = "system") -> None:
    """Change a password; existing sessions of that user stop working."""
    problem = password_problem(password)
    if problem:
        raise AccountError(f"password: {problem}")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    session.add(user)
    ended = end_access(session=session, user=user, by="password change", actor=actor)
    audit.append(
        session=session,
        actor=actor,
        action="user.password",
        subject=f"user:{user.username}",
        detail=ended,
    )


def set_roles(*, session: Session, user: User, roles: list[str], actor: str) -> None:
    """Give an account exactly these roles."""
    if not roles or any(r not in ROLES for r in roles):
        raise AccountError(f"roles must be chosen from {', '.join(ROLES)}")
    old = ",".join(user.roles)
    user.roles = sorted(set(roles))
    session.add(user)
    audit.append(
        session=session,
        actor=actor,
        action="user.roles",
        subject=f"user:{user.username}",
        old=old,
        new=",".join(user.roles),
    )


def reset_password(*, session: Session, user: User, actor: str) -> str:
    """A temporary password (shown once to the admin); the user must choose a new one at next login."""
    temporary = passwords.temporary()
    set_password(session=session, user=user, password=temporary, actor=actor)
    user.must_change_password = True
    session.add(user)
    audit.append(session=session, actor=actor, action="user.password_reset", subject=f"user:{user.username}")
    return temporary


def change_own_password(*, session: Session, user: User, current: str, new: str, repeat: str) -> None:
    """The user's own change: the current password, and the new one twice."""
    from survey_app.auth.passwords import verify_password

    if not verify_password(user.password_hash, current):
        raise AccountError("the current password is wrong")
    if new != repeat:
        raise AccountError("the two new passwords differ")
    if new == current:
        raise AccountError("choose a password different from the current one")
    set_password(session=session, user=user, password=new, actor=user.username)
    user.must_change_password = False
    session.add(user)


def set_active(*, session: Session, user: User, active: bool, actor: str) -> None:
    """Deactivate (every session ends, every API token is revoked, logins refused) or reactivate an account
    (its tokens stay revoked); never deleted."""
    if user.username == actor and not active:
        raise AccountError("you cannot deactivate your own account")
    if user.active == active:
        return
    user.active = active
    session.add(user)
    ended = (
        {} if active else end_access(session=session, user=user, by=f"deactivated by {actor}", actor=actor)
    )
    audit.append(
        session=session,
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        subject=f"user:{user.username}",
        detail=ended,
    )


def all_users(*, session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)))


def failures_since_last_login(*, session: Session, user: User) -> int:
    """Failed attempts on this account since its last successful login (shown to its owner once)."""
    subject = f"user:{user.username}"
    last_ok = session.exec(
        select(func.max(AuditLog.seq)).where(
            AuditLog.chain == 0, AuditLog.subject == subject, AuditLog.action == "login.ok"
        )
    ).one()
    query = (
        select(func.count())
        .select_from(AuditLog)
        .where(AuditLog.chain == 0, AuditLog.subject == subject, AuditLog.action == "login.failed")
    )
    if last_ok is not None:
        query = query.where(AuditLog.seq > last_ok)
    return int(session.exec(query).one())
