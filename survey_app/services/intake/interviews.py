"""Interviews: an auditor enters a respondent's answers face to face (at an entrance, with the provider's
staff kept away, seed L397) or by phone (elderly residents, L1447). They are responses like any other (same
instrument, idempotency key, fraud scoring) with the channel and the auditor's id."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session, col, func, select

from forms import Instrument
from survey_app.clock import utcnow
from survey_app.errors import Conflict, Invalid
from survey_app.models import (
    Campaign,
    Channel,
    InstrumentVersion,
    Location,
    Sheet,
    SurveyResponse,
    User,
    Visit,
    VisitStatus,
    ident,
)
from survey_app.services import audit
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.intake.responses import ResponseMeta, store_response
from survey_app.services.review.contacts import ContactCipher

CHANNELS = (Channel.OFFLINE, Channel.PHONE)
KEY_MAX_AGE_S = 2 * 24 * 3600


@dataclass(frozen=True)
class RoundContext:
    instrument: Instrument
    locations: list[Location]
    done: int  # interviews this auditor has entered in this round


def _signer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="interview-form")


def new_key(secret: str, visit_id: int) -> str:
    """A signed form key: a fresh idempotency key, the time the form was shown, and the round it is for."""
    return _signer(secret).dumps({"k": uuid.uuid4().hex, "t": int(utcnow().timestamp()), "v": visit_id})


def read_key(secret: str, token: str, visit_id: int) -> tuple[str, datetime] | None:
    """(idempotency key, form shown at) from a form key of this round, or None when bad or too old."""
    try:
        data = _signer(secret).loads(token[:300], max_age=KEY_MAX_AGE_S)
        key, shown, visit = str(data["k"]), int(data["t"]), int(data["v"])
        when = datetime.fromtimestamp(shown, UTC)
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
    return (f"iv-{key}", when) if visit == visit_id else None


def context(*, session: Session, visit: Visit, sheet: Sheet) -> RoundContext:
    instrument = materialise(session.get(InstrumentVersion, visit.instrument_version_id))
    locations = list(
        session.exec(
            select(Location)
            .where(Location.campaign_id == visit.campaign_id, col(Location.active))
            .order_by(col(Location.code))
        )
    )
    done = session.exec(
        select(func.count())
        .select_from(SurveyResponse)
        .where(
            SurveyResponse.auditor_id == sheet.auditor_id,
            col(SurveyResponse.meta)["visit"].as_integer() == visit.id,
        )
    ).one()
    return RoundContext(instrument, locations, int(done))


def problems(values: dict[str, str], key_ok: bool) -> list[str]:
    """Form-level problems of an interview: channel, and the no-staff tick for face-to-face ones."""
    found = []
    if values.get("channel") not in CHANNELS:
        found.append("interview_channel")
    elif values["channel"] == Channel.OFFLINE and values.get("no_staff") != "yes":
        found.append("interview_no_staff")
    if not key_ok:
        found.append("interview_key")
    return found


def record(
    *,
    session: Session,
    campaign: Campaign,
    visit: Visit,
    auditor: User,
    values: dict[str, Any],
    channel: str,
    location_id: int | None,
    key: str,
    started_at: datetime,
    cipher: ContactCipher,
    user_agent: str,
    answered_at: datetime | None = None,
) -> SurveyResponse:
    """Store one interview exactly once (a resent form returns the stored response)."""
    if visit.status == VisitStatus.CANCELLED:
        raise Conflict("visit_cancelled")
    location = session.get(Location, location_id) if location_id else None
    if location is not None and location.campaign_id != campaign.id:
        raise Invalid("visit_bad_location")
    instrument = materialise(session.get(InstrumentVersion, visit.instrument_version_id))
    response, created = store_response(
        session=session,
        campaign=campaign,
        location=location,
        instrument_version_id=visit.instrument_version_id,
        instrument=instrument,
        values=values,
        meta=ResponseMeta(
            idempotency_key=key,
            channel=channel,
            user_agent=user_agent,
            started_at=started_at,
            client_id=f"auditor-{ident(auditor)}",
            submitted_at=answered_at,
        ),
        cipher=cipher,
    )
    if created:
        response.auditor_id = ident(auditor)
        response.meta = {"visit": ident(visit), "no_staff_present": channel == Channel.OFFLINE}
        session.add(response)
        session.flush()
        audit.append(
            session=session,
            actor=auditor.username,
            action="interview.record",
            campaign_id=campaign.id,
            subject=f"response:{response.public_id}",
            detail={"visit": visit.id, "channel": channel},
        )
    return response
