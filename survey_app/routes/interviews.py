"""An interview round on a field auditor's phone (/f/v/{visit}/interview): the campaign's survey asked face
to face or by phone, one interview saved after another, a repeat's entries added and removed on the page."""

from __future__ import annotations

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from forms.answers import COUNT_PREFIX, FIELD_PREFIX, check_answers
from forms.numbers import whole_number
from forms.repeats import after_action
from survey_app.models import VisitMode, ident
from survey_app.routes.field import own_visit
from survey_app.routes.staff import staff_render
from survey_app.services.field import visits
from survey_app.services.intake import interviews
from survey_app.services.intake.form_tokens import draft_key
from survey_app.web.endpoint import db, endpoint, field, form, redirect, user
from survey_app.web.form_state import FormState, with_check
from survey_app.web.messages import field_error
from survey_app.web.outbox import captured_at


def _fields(request: Request) -> dict[str, list[str]]:
    """The answers posted (`a.<item>`, `a.<item>.<entry>`) and each repeat's number of entries."""
    data = form(request)
    return {
        k: [v for v in data.getlist(k) if isinstance(v, str)]
        for k in data
        if k.startswith((FIELD_PREFIX, COUNT_PREFIX))
    }


def interview(request: Request) -> Response:
    session = db(request)
    visit, sheet = own_visit(request, write=request.method == "POST")
    if visit.mode != VisitMode.INTERVIEW:
        return redirect(request, "field:visit", visit=visit.id)
    context = interviews.context(session=session, visit=visit, sheet=sheet)
    saved = request.query_params.get("saved", "")
    secret = request.app.state.settings.secret_key
    view = FormState(context.instrument, request.state.locale, "", interviews.new_key(secret, ident(visit)))
    status = 200
    values: dict[str, str] = {"channel": "offline", "location": str(visit.location_id or "")}
    errors: list[str] = []
    if request.method == "POST":
        values = {k: field(request, k) for k in ("channel", "location", "no_staff", "key")}
        fields = _fields(request)
        action, taken = field(request, "_repeat"), True
        if action:  # a repeat's entry added or removed: the form again, nothing saved
            fields, taken = after_action(context.instrument, fields, action)
        check = check_answers(context.instrument, fields)
        if action:
            with_check(view, check)
            view.errors = {}
            view.form_errors = [] if taken else [field_error("repeat_unknown")]
            view.form_token = values["key"] or view.form_token
            status = 200 if taken else 422
            return staff_render(
                request,
                "field/interview.html",
                {"visit": visit, "context": context, "view": view, "values": values, "errors": []},
                status_code=status,
            )
        key = interviews.read_key(secret, values["key"], ident(visit))
        problems = interviews.problems(values, key is not None)
        if check.ok and not problems and key is not None:
            campaign, _location = visits.place_of(session=session, visit=visit)
            response = interviews.record(
                session=session,
                campaign=campaign,
                visit=visit,
                auditor=user(request),
                values=check.values,
                channel=values["channel"],
                location_id=whole_number(values["location"], low=1),
                key=draft_key(key[0], field(request, "_draft")),
                started_at=key[1],
                answered_at=max(captured_at(request), key[1]),
                cipher=request.app.state.contacts,
                user_agent=request.headers.get("user-agent", ""),
            )
            jobs = request.app.state.jobs
            target = redirect(request, "field:interview", visit=visit.id, query={"saved": response.public_id})
            target.background = BackgroundTask(jobs.enqueue_scoring, ident(campaign))
            return target
        with_check(view, check)
        view.form_token = values["key"] or view.form_token
        errors, status = problems, 422
    return staff_render(
        request,
        "field/interview.html",
        {
            "visit": visit,
            "context": context,
            "view": view,
            "values": values,
            "errors": errors,
            "saved": saved,
        },
        status_code=status,
    )


routes = [
    Route("/f/v/{visit:id}/interview", endpoint(interview), methods=["GET", "POST"], name="field:interview"),
]
