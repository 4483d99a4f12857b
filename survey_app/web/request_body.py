"""Read a urlencoded form body with size limits, without trusting Content-Length."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request

from survey_app.errors import DomainError


class BodyRejected(DomainError):
    """The body cannot be read at all (too large for any form, or not a form)."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(f"body_{reason}")
        self.status = status_code
        self.status_code = status_code
        self.reason = reason


@dataclass(frozen=True)
class FormBody:
    fields: dict[str, list[str]]
    oversize: bool


async def read_urlencoded(request: Request, *, limit: int) -> dict[str, list[str]]:
    """A small urlencoded body, refused (413) past `limit` bytes whatever the transfer encoding."""
    body = await read_form(request, soft_limit=limit, hard_limit=limit)
    return body.fields


async def read_form(request: Request, *, soft_limit: int, hard_limit: int) -> FormBody:
    """Parse the form; bodies over `soft_limit` are parsed but marked, over `hard_limit` rejected (413)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in ("application/x-www-form-urlencoded", ""):
        raise BodyRejected(415, "unsupported_type")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > hard_limit:
            raise BodyRejected(413, "too_large")
        chunks.append(chunk)
    try:
        text = b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRejected(400, "bad_encoding") from None
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=2000, strict_parsing=False)
    except ValueError:
        raise BodyRejected(413, "too_many_fields") from None
    return FormBody(fields=fields, oversize=size > soft_limit)
