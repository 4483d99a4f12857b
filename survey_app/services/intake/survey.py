"""Answering the public survey: one posted page, read once into a `SurveyPost`, comes to a stored response
(exactly once, whatever the resends) or the form to show again with every valid answer kept."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from forms import Instrument
from forms.answers import AnswerCheck, check_answers
from forms.numbers import whole_number
from forms.repeats import after_action
from survey_app.clock import local_moment
from survey_app.errors import Invalid
from survey_app.models import InstrumentVersion, SurveyResponse, ident
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.campaigns.lifecycle import served_versions
from survey_app.services.intake import form_tokens, resident_photos
from survey_app.services.intake.links import SurveyTarget
from survey_app.services.intake.responses import ResponseMeta, find_by_key, store_response
from survey_app.services.review.contacts import ContactCipher

STEPS = ("next", "back", "refresh", "submit")


@dataclass(frozen=True)
class SurveyPost:
    """One POST of the survey form: the answers as posted (`a.<item>` fields) and the form's own fields."""

    fields: dict[str, list[str]]
    form_token: str = ""
    draft: str = ""
    step: str = "submit"
    page: int = 0
    version: int | None = None
    version_given: bool = False  # a `_version` field was posted (then it must be one this campaign served)
    client_id: str = ""
    item_ms: str = ""
    elapsed_ms: str = ""
    oversize: bool = False
    repeat: str = ""  # `add:<repeat>` or `remove:<repeat>:<n>`: an entry added or removed (then refreshed)

    @classmethod
    def from_fields(cls, fields: dict[str, list[str]], *, oversize: bool = False) -> SurveyPost:
        def first(name: str) -> str:
            values = fields.get(name)
            return values[0] if values else ""

        step = first("_step")
        repeat = first("_repeat")[:100]
        return cls(
            fields=fields,
            form_token=first("_form"),
            draft=first("_draft"),
            step="refresh" if repeat else step if step in STEPS else "submit",
            repeat=repeat,
            page=whole_number(first("_page"), high=10_000) or 0,
            version=whole_number(first("_version")),
            version_given=bool(first("_version")),
            client_id=form_tokens.client_id(first("_client_id")),
            item_ms=first("_item_ms")[:8000],
            elapsed_ms=first("_elapsed_ms"),
            oversize=oversize,
        )


@dataclass(frozen=True)
class Sender:
    """What the request says about who sends it (never stored as such: the IP only salted and hashed)."""

    ip: str
    user_agent: str
    locale: str
    cookie_client: str
    captured_at: datetime  # now, less the time it waited in a phone's outbox


@dataclass
class Answered:
    """A stored response (`stored`), or the page to show again: which, with what problems, and the status."""

    row: InstrumentVersion
    instrument: Instrument
    page: int
    form_token: str
    client_id: str
    item_ms: str
    check: AnswerCheck | None = None
    status: int = 200
    notice: str = ""
    stored: SurveyResponse | None = None
    created: bool = False


def answer(
    *,
    session: Session,
    target: SurveyTarget,
    post: SurveyPost,
    sender: Sender,
    secret: str,
    max_text: int,
    cipher: ContactCipher,
    fresh_token: str,
) -> Answered:
    """Page forward or back with inline checks, or submit; a resend of a stored response finds it."""
    form = form_tokens.read_form_token(secret, post.form_token, ident(target.location))
    key = form_tokens.draft_key(form[0], post.draft) if form is not None else ""
    if form is not None:
        stored = find_by_key(session=session, key=key)
        if stored is not None:  # a resend: answered without checking the answers again
            return Answered(target.instrument_row, target.instrument, 0, "", "", "", stored=stored)
    row, instrument = answered_version(session=session, target=target, post=post)
    last = len(instrument.sections) - 1
    page = max(0, min(post.page, last))
    require = {item.id for item in instrument.sections[page].items} if post.step == "next" else None
    fields, repeat_taken = post.fields, True
    if post.repeat:  # "add another" / "remove": the entries rewritten, then the page shown again
        fields, repeat_taken = after_action(instrument, post.fields, post.repeat)
    check = check_answers(
        instrument,
        fields,
        max_text=max_text,
        require=set() if post.step in ("back", "refresh") else require,
        moment=local_moment(sender.captured_at, target.campaign.timezone),  # what today() and now() read
        photos=resident_photos.reader(secret, form[0]) if form and target.campaign.resident_photos else None,
    )
    if post.oversize:
        check.form_errors.append(("body_too_large", {}))
    if form is None:
        check.form_errors.append(("expired_form", {}))
    shown = Answered(
        row, instrument, page, post.form_token if form else fresh_token, post.client_id, post.item_ms, check
    )
    if post.step != "submit":
        if post.step == "next" and not check.ok:
            shown.status = 422
            return shown
        shown.page = max(0, min({"back": page - 1, "refresh": page, "next": page + 1}[post.step], last))
        if post.step != "next":
            check.errors, check.form_errors = {}, []
        if not repeat_taken:
            check.form_errors.append(("repeat_unknown", {}))
            shown.status = 422
        return shown
    if not check.ok or form is None:
        shown.page, shown.status = first_problem_page(instrument, check), 422
        shown.notice = "expired_form" if form is None else "answers_incomplete"
        return shown
    answered_at = max(sender.captured_at, form[1])  # never before the form was given out
    shown.stored, shown.created = store_response(
        session=session,
        campaign=target.campaign,
        location=target.location,
        instrument_version_id=ident(row),
        instrument=instrument,
        values=check.values,
        meta=ResponseMeta(
            idempotency_key=key,
            channel="online",
            client_id=post.client_id or sender.cookie_client,
            ip=sender.ip,
            user_agent=sender.user_agent,
            locale=sender.locale,
            started_at=form_tokens.started_at(form[1], answered_at, post.elapsed_ms),
            item_ms=form_tokens.item_times(post.item_ms, instrument),
            submitted_at=answered_at,
        ),
        cipher=cipher,
    )
    return shown


def answered_version(
    *, session: Session, target: SurveyTarget, post: SurveyPost
) -> tuple[InstrumentVersion, Instrument]:
    """The instrument version the posted page showed: the current one, or an earlier one this campaign served
    while it was open (a page kept on a phone across a new release). Any other version is refused (422) and
    nothing is stored: a version of the same instrument uploaded elsewhere cannot be answered here."""
    current = target.instrument_row
    if not post.version_given or post.version == current.id:
        return current, target.instrument
    if post.version is None or post.version not in served_versions(session=session, campaign=target.campaign):
        raise Invalid("survey_version_unknown")
    row = session.get(InstrumentVersion, post.version)
    if row is None:
        raise Invalid("survey_version_unknown")
    return row, materialise(row)


def first_problem_page(instrument: Instrument, check: AnswerCheck) -> int:
    """The page holding the first item with a problem (0 when the problem is form-wide)."""
    for n, section in enumerate(instrument.sections):
        ids = {item.id for item in section.items}
        if any(key.split(".")[0] in ids for key in check.errors):
            return n
    return 0
