"""The audited organisation's pages (the auditee role): its home with what is due and overdue, and each of its
findings with the form that submits the correction. Nothing of the survey, its results or the visits."""

from __future__ import annotations

import functools

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from survey_app.errors import Conflict, Invalid, TooLarge
from survey_app.routes.staff import download, staff_render
from survey_app.services.findings import auditees, files, register
from survey_app.services.jobs.files import Output
from survey_app.web.endpoint import db, endpoint, field, form, read_staff_form, redirect, user

AUDITEES = frozenset({"auditee"})
file_form = functools.partial(
    read_staff_form,
    uploads=True,
    limit=files.MAX_FILE_BYTES + 1024 * 1024,
    too_large="finding_file_too_large",
)
ACTION_FIELDS = ("root_cause", "correction", "corrective_action")


def home(request: Request) -> Response:
    session = db(request)
    me = user(request)
    ctx = {
        "due": auditees.due(session=session, user=me),
        "campaigns": auditees.campaigns_of(session=session, user=me),
    }
    return staff_render(request, "auditee/home.html", ctx)


def _finding_page(request: Request, **extra: object) -> Response:
    campaign, finding = auditees.own_finding(
        session=db(request),
        user=user(request),
        code=request.path_params["code"],
        number=request.path_params["finding"],
    )
    ctx = {
        "campaign": campaign,
        "finding": finding,
        "overdue": register.is_overdue(finding),
        "can_submit": "submit" in register.moves_from(finding),
        "files": files.files_of(session=db(request), finding=finding),
        "kept": {},
        "problem": "",
        **extra,
    }
    page = staff_render(request, "auditee/finding.html", ctx)
    if ctx["problem"]:
        page.status_code = int(str(extra.get("status", 422)))
    return page


def finding_page(request: Request) -> Response:
    return _finding_page(request)


def submit(request: Request) -> Response:
    """The organisation's root cause, correction and corrective action, through the register's one door."""
    campaign, finding = auditees.own_finding(
        session=db(request),
        user=user(request),
        code=request.path_params["code"],
        number=request.path_params["finding"],
    )
    kept = {name: field(request, name) for name in ACTION_FIELDS}
    try:
        register.move(
            session=db(request), finding=finding, name="submit", fields=kept, actor=user(request).username
        )
    except (Invalid, Conflict) as exc:
        return _finding_page(request, kept=kept, problem=exc.code, status=exc.status)
    return redirect(request, "auditee:finding", code=campaign.code, finding=finding.number)


def upload(request: Request) -> Response:
    """A photo or PDF as evidence of the correction; a refusal comes back on the page, nothing stored."""
    campaign, finding = auditees.own_finding(
        session=db(request),
        user=user(request),
        code=request.path_params["code"],
        number=request.path_params["finding"],
    )
    sent = form(request).get("file")
    try:
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise Invalid("finding_file_empty")
        files.attach(
            session=db(request),
            finding=finding,
            data=sent.file.read(files.MAX_FILE_BYTES + 1),
            filename=sent.filename,
            actor=user(request).username,
        )
    except (Invalid, Conflict, TooLarge) as exc:
        return _finding_page(request, problem=exc.code, status=exc.status)
    return redirect(request, "auditee:finding", code=campaign.code, finding=finding.number)


def file_download(request: Request) -> Response:
    _campaign, finding = auditees.own_finding(
        session=db(request),
        user=user(request),
        code=request.path_params["code"],
        number=request.path_params["finding"],
    )
    found = files.open_file(session=db(request), finding=finding, file_id=request.path_params["file"])
    return download(Output(found.data, found.filename, found.media_type))


routes = [
    Route("/a", endpoint(home, roles=AUDITEES), methods=["GET"], name="auditee:home"),
    Route(
        "/a/{code}/findings/{finding:id}",
        endpoint(finding_page, roles=AUDITEES),
        methods=["GET"],
        name="auditee:finding",
    ),
    Route(
        "/a/{code}/findings/{finding:id}",
        endpoint(submit, roles=AUDITEES),
        methods=["POST"],
        name="auditee:submit",
    ),
    Route(
        "/a/{code}/findings/{finding:id}/files",
        endpoint(upload, roles=AUDITEES, reader=file_form),
        methods=["POST"],
        name="auditee:upload",
    ),
    Route(
        "/a/{code}/findings/{finding:id}/files/{file:id}",
        endpoint(file_download, roles=AUDITEES),
        methods=["GET"],
        name="auditee:file",
    ),
]
