"""What the response detail page shows: answers with item text and times, the same device's and network's
other responses, near-duplicate comments, reasons, callbacks and the status history from the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from forms import Instrument
from forms.answers import flat_answers
from fraud.features.text import normalise, shingles
from survey_app.models import AuditLog, CallbackAttempt, InstrumentVersion, Location, SurveyResponse
from survey_app.services import audit
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.review.callbacks import attempts

NEAR = 0.6
RELATED_LIMIT = 20
COMMENT_POOL = 5000


@dataclass
class AnswerLine:
    item_id: str
    label: Any
    value: str
    ms: int | None
    photo: bool = False  # a resident's photo (shown from its blob, to the campaign's lead auditors only)


@dataclass
class Related:
    response: SurveyResponse
    location: str
    codes: str
    similarity: float | None = None


@dataclass
class ResponseDetail:
    response: SurveyResponse
    instrument: Instrument
    location: str
    answers: list[AnswerLine]
    max_ms: int
    same_device: list[Related]
    same_network: list[Related]
    near_comments: list[Related]
    attempts: list[CallbackAttempt]
    history: list[AuditLog]
    codes: str
    score_share: float | None = None  # the share of the campaign's scored responses scoring lower


def _score_share(*, session: Session, response: SurveyResponse) -> float | None:
    """Where this response's anomaly score stands in its campaign: the share of scored responses below it."""
    if response.fraud_score is None:
        return None
    scored = (
        select(func.count())
        .select_from(SurveyResponse)
        .where(
            SurveyResponse.campaign_id == response.campaign_id, col(SurveyResponse.fraud_score).is_not(None)
        )
    )
    total = int(session.exec(scored).one())
    below = int(session.exec(scored.where(col(SurveyResponse.fraud_score) < response.fraud_score)).one())
    return below / total if total else None


def _answer_text(value: Any) -> str:
    if value is None:
        return "N/A"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _codes(instrument: Instrument, response: SurveyResponse) -> str:
    """The Likert answers as one compact string ("5 5 4 · 3 ..."), for comparing responses side by side."""
    return " ".join(
        "·" if response.answers.get(item.id) is None else str(response.answers.get(item.id))
        for item in instrument.likert_items()
    )


def _related(
    *, session: Session, instrument: Instrument, rows: list[SurveyResponse], codes: dict[int, str]
) -> list[Related]:
    return [Related(r, codes.get(r.location_id or 0, ""), _codes(instrument, r)) for r in rows]


def build(*, session: Session, response: SurveyResponse) -> ResponseDetail:
    """Everything the detail page needs, in a handful of indexed queries."""
    version = session.get(InstrumentVersion, response.instrument_version_id)
    instrument = materialise(version)
    locations = {
        loc.id or 0: loc.code
        for loc in session.exec(select(Location).where(Location.campaign_id == response.campaign_id))
    }
    given = flat_answers(instrument, response.answers)  # a repeat's entries on one line per item
    answers = [
        AnswerLine(
            item.id,
            item.label,
            _answer_text(given.get(item.id)),
            response.item_ms.get(item.id),
            photo=item.type == "photo" and isinstance(response.answers.get(item.id), str),
        )
        for item in instrument.items
        if item.role != "contact_phone" and item.id in given
    ]
    others = select(SurveyResponse).where(
        SurveyResponse.campaign_id == response.campaign_id, SurveyResponse.id != response.id
    )
    same_device = (
        list(session.exec(others.where(SurveyResponse.client_id == response.client_id).limit(RELATED_LIMIT)))
        if response.client_id
        else []
    )
    same_network = (
        list(session.exec(others.where(SurveyResponse.ip_hash == response.ip_hash).limit(RELATED_LIMIT)))
        if response.ip_hash
        else []
    )
    return ResponseDetail(
        response=response,
        instrument=instrument,
        location=locations.get(response.location_id or 0, ""),
        answers=answers,
        max_ms=max([a.ms or 0 for a in answers] + [1]),
        same_device=_related(session=session, instrument=instrument, rows=same_device, codes=locations),
        same_network=_related(session=session, instrument=instrument, rows=same_network, codes=locations),
        near_comments=_near_comments(
            session=session, instrument=instrument, response=response, locations=locations
        ),
        attempts=attempts(session=session, response=response),
        history=audit.history(
            session=session, campaign_id=response.campaign_id, subject=f"response:{response.public_id}"
        ),
        codes=_codes(instrument, response),
        score_share=_score_share(session=session, response=response),
    )


def _near_comments(
    *, session: Session, instrument: Instrument, response: SurveyResponse, locations: dict[int, str]
) -> list[Related]:
    """Other comments identical or nearly identical (character-pair Jaccard >= 0.6) to this one."""
    text = normalise(response.comment or "")
    if len(text) < 4:
        return []
    mine = set(shingles(text).tolist())
    pool = session.exec(
        select(SurveyResponse)
        .where(
            SurveyResponse.campaign_id == response.campaign_id,
            SurveyResponse.id != response.id,
            col(SurveyResponse.comment) != "",
        )
        .order_by(col(SurveyResponse.id).desc())
        .limit(COMMENT_POOL)
    )
    found: list[Related] = []
    for other in pool:
        theirs = set(shingles(normalise(other.comment)).tolist())
        similarity = len(mine & theirs) / len(mine | theirs) if theirs else 0.0
        if similarity >= NEAR:
            found.append(
                Related(
                    other, locations.get(other.location_id or 0, ""), _codes(instrument, other), similarity
                )
            )
    return sorted(found, key=lambda r: -(r.similarity or 0))[:RELATED_LIMIT]
