"""A campaign's audit log on screen: its rows newest first, in sentences, filtered by kind, person and day;
whether the chain verifies (the first break named); a CSV download."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.numbers import whole_number
from survey_app import clock, i18n
from survey_app.i18n import N_
from survey_app.models import Campaign, User, ident
from survey_app.routes.staff import LEADS, campaign_access, staff_render
from survey_app.services import audit, audit_reading
from survey_app.services.exports.masking import masked
from survey_app.web.audit_sentences import sentence
from survey_app.web.endpoint import db, endpoint
from survey_app.web.labels import ACTION_LABELS

PER_PAGE = 50
VERIFY_INLINE = 50_000  # rows: a longer chain is verified from the command line, not in a page request


def _filter(request: Request, campaign: Campaign) -> audit_reading.LogFilter:
    q = request.query_params

    def day(name: str) -> datetime | None:  # a date field's day, from midnight in the campaign's zone
        return clock.parse_local(q[name][:10] + "T00:00", campaign.timezone) if q.get(name) else None

    since, until = day("since"), day("until")
    return audit_reading.LogFilter(
        kind=q.get("kind", "")[:60],
        actor=q.get("who", "")[:120],
        since=since,
        until=until + timedelta(days=1) if until else None,
    )


BREAKS = (
    ("is missing or out of order", N_("a row is missing or out of order")),
    ("does not link to the previous row", N_("the row does not link to the one before it")),
    ("content does not match its hash", N_("the row was changed after it was written")),
    ("HMAC does not verify", N_("the row was written or re-hashed without the key")),
    ("has no head row", N_("the signed end of the log is missing")),
    ("the head says seq", N_("rows were removed from the end, or the end was changed")),
    ("signature does not verify", N_("the end of the log was cut off or extended without the key")),
    ("audit chain is missing", N_("the campaign's log was deleted")),
)


def break_reason(reason: str) -> str:
    """Why a chain does not verify, in the reader's words (the command line keeps the English detail)."""
    return next((i18n.gettext(words) for key, words in BREAKS if key in reason), reason)


def _names(request: Request) -> dict[str, str]:
    from sqlmodel import select

    return {u.username: u.display_name or u.username for u in db(request).exec(select(User))}


def audit_page(request: Request) -> Response:
    campaign = campaign_access(request, manage=True).campaign
    session, chain = db(request), ident(campaign)
    where = _filter(request, campaign)
    page = whole_number(request.query_params.get("page", ""), low=1, high=100_000) or 1
    rows, total = audit_reading.rows_page(
        session=session, chain=chain, where=where, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
    )
    length = audit_reading.chain_length(session=session, chain=chain)
    broken = audit.verify(session=session, chain=chain) if length <= VERIFY_INLINE else None
    actions, actors = audit_reading.kinds_and_people(session=session, chain=chain)
    families = sorted({a.split(".")[0] + "." for a in actions if "." in a})
    names = _names(request)
    ctx = {
        "campaign": campaign,
        "lines": [(row, sentence(row, names)) for row in rows],
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PER_PAGE)),
        "length": length,
        "checked": length <= VERIFY_INLINE,
        "broken": broken[0] if broken else None,
        "why": break_reason(broken[0].reason) if broken else "",
        "actions": actions,
        "families": families,
        "actors": actors,
        "names": names,
        "action_labels": ACTION_LABELS,
        "query": {k: v for k, v in request.query_params.items() if k in ("kind", "who", "since", "until")},
    }
    return staff_render(request, "campaigns/audit.html", ctx)


def audit_csv(request: Request) -> Response:
    """The filtered rows as CSV, oldest first, in the reader's language; phone-like numbers masked."""
    campaign = campaign_access(request, manage=True).campaign
    names = _names(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["seq", "time", "who", "what", "reason", "action", "subject"])
    for row in audit_reading.all_rows(
        session=db(request), chain=ident(campaign), where=_filter(request, campaign)
    ):
        writer.writerow(
            [
                row.seq,
                clock.localtime(row.at, campaign.timezone, "%Y-%m-%d %H:%M:%S"),
                names.get(row.actor, row.actor),
                sentence(row, names),
                masked(row.reason),
                row.action,
                row.subject,
            ]
        )
    headers = {
        "Content-Disposition": f'attachment; filename="audit-{campaign.code}.csv"',
        "Cache-Control": "no-store",
    }
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


routes = [
    Route("/c/{code}/audit", endpoint(audit_page, roles=LEADS), methods=["GET"], name="audit:page"),
    Route("/c/{code}/audit.csv", endpoint(audit_csv, roles=LEADS), methods=["GET"], name="audit:csv"),
]
