"""Domain errors: raised by services and look-ups, turned into a page (or JSON) with its status once."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A request that cannot be carried out; `code` names the message shown to the user."""

    status = 400
    code = "bad_request"

    def __init__(self, code: str | None = None, **params: Any) -> None:
        super().__init__(code or self.code)
        if code:
            self.code = code
        self.params = params


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Unauthorized(DomainError):
    """No valid API token (the API's 401)."""

    status = 401
    code = "api_token_missing"


class RateLimited(DomainError):
    """Too many requests for now; `retry_after` seconds until the next is allowed."""

    status = 429
    code = "rate_limited"


class Forbidden(DomainError):
    status = 403
    code = "forbidden_role"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Locked(Conflict):
    """The campaign's grade is locked: decisions that would change it are refused."""

    code = "grade_locked"


class Gone(DomainError):
    status = 410
    code = "gone"


class Invalid(DomainError):
    status = 422
    code = "invalid"


class TooLarge(DomainError):
    status = 413
    code = "body_too_large"


class Unsupported(DomainError):
    status = 415
    code = "body_unsupported_type"


class Unavailable(DomainError):
    status = 503
    code = "unavailable"


class ReadOnlyViolation(RuntimeError):
    """A GET (or HEAD) request tried to change the database: a programming error, never shown as success."""
