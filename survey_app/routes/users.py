"""Accounts in the app: admins add users, set roles, reset passwords (a temporary one, to be changed at the
next login) and deactivate; everyone changes their own password."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.auth import accounts, passwords
from survey_app.auth.accounts import AccountError, find_user
from survey_app.errors import Forbidden, NotFound
from survey_app.i18n import N_, gettext
from survey_app.models import User
from survey_app.routes.staff import confirm_page, staff_render
from survey_app.web.endpoint import EVERY_ACCOUNT, db, endpoint, field, form, path_for, redirect, user

ADMINS = frozenset({"admin"})
ACCOUNT_ERRORS = {
    "the current password is wrong": N_("The current password is wrong."),
    "the two new passwords differ": N_("The two new passwords differ."),
    "choose a password different from the current one": N_(
        "Choose a password different from the current one."
    ),
    "you cannot deactivate your own account": N_("You cannot deactivate your own account."),
}


def _message(exc: AccountError) -> str:
    text = str(exc)
    if text in ACCOUNT_ERRORS:
        return gettext(ACCOUNT_ERRORS[text])
    if text.startswith("password:"):
        return gettext(N_("The password needs at least 10 characters, without spaces at either end."))
    if text.startswith("username:"):
        return gettext(N_("User names use letters, digits, '.', '-' and '_' only."))
    if text.startswith("roles"):
        return gettext(N_("Choose at least one role."))
    if "already exists" in text:
        return gettext(N_("This user name is taken."))
    return text


def _page(
    request: Request, *, notice: str = "", secret: str = "", error: str = "", status: int = 200
) -> Response:
    ctx = {
        "users": accounts.all_users(session=db(request)),
        "roles": accounts.ROLES,
        "notice": notice,
        "secret": secret,
        "error": error,
    }
    return staff_render(request, "users/list.html", ctx, status_code=status)


def _subject(request: Request) -> User:
    found = find_user(session=db(request), username=request.path_params["username"][:60])
    if found is None:
        raise NotFound("not_found")
    return found


def users_page(request: Request) -> Response:
    return _page(request)


def user_add(request: Request) -> Response:
    temporary = passwords.temporary()
    roles = [r for r in form(request).getlist("roles") if isinstance(r, str)]
    try:
        created = accounts.create_user(
            session=db(request),
            username=field(request, "username"),
            password=temporary,
            roles=roles,
            display_name=field(request, "display_name").strip()[:120],
            actor=user(request).username,
        )
    except AccountError as exc:
        return _page(request, error=_message(exc), status=422)
    created.must_change_password = True
    db(request).add(created)
    notice = gettext(N_("Account %(name)s created. Give them this temporary password:")) % {
        "name": created.username
    }
    return _page(request, notice=notice, secret=temporary)


def user_roles(request: Request) -> Response:
    subject = _subject(request)
    roles = [r for r in form(request).getlist("roles") if isinstance(r, str)]
    if subject.username == user(request).username and "admin" not in roles:
        return _page(request, error=gettext(N_("You cannot remove your own administrator role.")), status=422)
    try:
        accounts.set_roles(session=db(request), user=subject, roles=roles, actor=user(request).username)
    except AccountError as exc:
        return _page(request, error=_message(exc), status=422)
    return redirect(request, "users:list")


def _name(subject: User) -> str:
    return subject.display_name or subject.username


def _ask(
    request: Request,
    subject: User,
    *,
    title: str,
    body: str,
    route: str,
    button: str,
    fields: dict[str, str] | None = None,
) -> Response:
    """The confirmation before a step that takes an account's access away (its button posts confirm=yes)."""
    return confirm_page(
        request,
        title=gettext(title) % {"name": _name(subject)},
        body=gettext(body),
        action=path_for(request, route, username=subject.username),
        button=gettext(button),
        back=path_for(request, "users:list"),
        fields=fields,
    )


def user_reset(request: Request) -> Response:
    subject = _subject(request)
    if field(request, "confirm") != "yes":
        return _ask(
            request,
            subject,
            title=N_("Reset the password of %(name)s?"),
            body=N_(
                "Their current password stops working at once, every session and API token of theirs "
                "ends, and you get a temporary password to give them."
            ),
            route="users:reset",
            button=N_("Reset the password"),
        )
    temporary = accounts.reset_password(session=db(request), user=subject, actor=user(request).username)
    notice = gettext(
        N_("Password of %(name)s reset. Give them this temporary password; they choose a new one at login:")
    ) % {"name": subject.username}
    return _page(request, notice=notice, secret=temporary)


def user_active(request: Request) -> Response:
    subject = _subject(request)
    if field(request, "active") != "yes" and field(request, "confirm") != "yes":
        return _ask(
            request,
            subject,
            title=N_("Deactivate %(name)s?"),
            body=N_(
                "They can no longer log in; their sessions and API tokens end now and stay ended if the "
                "account is reactivated. Their work stays in every campaign."
            ),
            route="users:active",
            button=N_("Deactivate"),
            fields={"active": "no"},
        )
    try:
        accounts.set_active(
            session=db(request),
            user=subject,
            active=field(request, "active") == "yes",
            actor=user(request).username,
        )
    except AccountError as exc:
        return _page(request, error=_message(exc), status=422)
    return redirect(request, "users:list")


def own_password(request: Request) -> Response:
    """Change your own password (required after an admin reset it)."""
    subject = _subject(request)
    me = user(request)
    if subject.id != me.id:
        raise Forbidden("forbidden_role")
    error, status = "", 200
    if request.method == "POST":
        try:
            accounts.change_own_password(
                session=db(request),
                user=me,
                current=field(request, "current")[:1000],
                new=field(request, "new")[:1000],
                repeat=field(request, "repeat")[:1000],
            )
        except AccountError as exc:
            error, status = _message(exc), 422
        else:
            return redirect(request, "auth:login")  # every session ended with the change: log in again
    ctx = {"subject": me, "error": error}
    return staff_render(request, "users/password.html", ctx, status_code=status)


routes = [
    Route("/users", endpoint(users_page, roles=ADMINS), methods=["GET"], name="users:list"),
    Route("/users", endpoint(user_add, roles=ADMINS), methods=["POST"], name="users:add"),
    Route(
        "/users/{username}/roles", endpoint(user_roles, roles=ADMINS), methods=["POST"], name="users:roles"
    ),
    Route(
        "/users/{username}/reset", endpoint(user_reset, roles=ADMINS), methods=["POST"], name="users:reset"
    ),
    Route(
        "/users/{username}/active", endpoint(user_active, roles=ADMINS), methods=["POST"], name="users:active"
    ),
    Route(
        "/users/{username}/password",
        endpoint(own_password, roles=EVERY_ACCOUNT),
        methods=["GET", "POST"],
        name="users:password",
    ),
]
