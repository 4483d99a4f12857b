"""Store a validated response exactly once (idempotency key), keeping personal data apart."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from forms import Instrument
from grading.codes import encode
from survey_app.clock import utcnow
from survey_app.db import begin_writing
from survey_app.models import Campaign, CampaignStatus, Location, SurveyResponse, ident
from survey_app.services.review.contacts import ContactCipher
from survey_app.short_codes import grouped, new_code


@dataclass(frozen=True)
class ResponseMeta:
    """Quality-control metadata gathered around the answers."""

    idempotency_key: str
    channel: str = "online"
    client_id: str = ""
    ip: str = ""
    user_agent: str = ""
    locale: str = "zh_CN"
    started_at: datetime | None = None
    item_ms: dict[str, int] = field(default_factory=dict)
    submitted_at: datetime | None = None  # when it was answered (earlier than now when it waited offline)


def campaign_state(campaign: Campaign, now: datetime | None = None) -> str:
    """Return 'open', 'closed' or 'not_started' for a campaign at `now` (UTC)."""
    now = now or utcnow()
    if campaign.status == CampaignStatus.CLOSED or now >= campaign.deadline:
        return "closed"
    if campaign.status == CampaignStatus.DRAFT or now < campaign.starts_at:
        return "not_started"
    return "open"


def ip_hash(salt: str, ip: str) -> str:
    """Salted hash of a client IP (one salt per campaign); the IP itself is never stored."""
    return hashlib.sha256(f"{salt}:{ip}".encode()).hexdigest()[:16] if ip else ""


def new_receipt() -> str:
    """A receipt a person can read aloud over the phone (K7M-4QX); its uniqueness is the table's (a clash,
    about one in ten thousand at 100,000 responses, draws again: `store_response`)."""
    return grouped(new_code())


def find_by_key(*, session: Session, key: str) -> SurveyResponse | None:
    """Return the response stored under an idempotency key, if any."""
    return session.exec(select(SurveyResponse).where(SurveyResponse.idempotency_key == key)).first()


def store_response(
    *,
    session: Session,
    campaign: Campaign,
    location: Location | None,
    instrument_version_id: int,
    instrument: Instrument,
    values: dict[str, Any],
    meta: ResponseMeta,
    cipher: ContactCipher,
) -> tuple[SurveyResponse, bool]:
    """Insert one response; return (response, created). A repeated key returns the stored one.

    Under the write lock there is the insert alone: a key stored before (a resend, a twin in another thread
    or instance) fails on the unique key and the stored response is returned; a receipt drawn twice is drawn
    again. The survey looks the key up itself first, to answer a resend without checking its answers."""
    answers = dict(values)
    comment_item = instrument.role_item("comment")
    consent_item = instrument.role_item("contact_consent")
    phone_item = instrument.role_item("contact_phone")
    comment = str(answers.pop(comment_item.id, "") or "") if comment_item else ""
    consent = bool(consent_item and answers.get(consent_item.id) == "yes")
    phone = answers.pop(phone_item.id, None) if phone_item else None
    response = SurveyResponse(
        public_id=new_receipt(),
        idempotency_key=meta.idempotency_key,
        campaign_id=ident(campaign),
        location_id=location.id if location else None,
        instrument_version_id=instrument_version_id,
        channel=meta.channel,
        answers=answers,
        answer_codes=encode(instrument, answers),
        item_ms=meta.item_ms,
        comment=comment,
        contact_consent=consent,
        contact_phone=cipher.encrypt(str(phone)) if consent and phone else None,
        client_id=meta.client_id,
        ip_hash=ip_hash(campaign.ip_salt, meta.ip),
        user_agent=meta.user_agent[:400],
        locale=meta.locale,
        started_at=meta.started_at,
        submitted_at=meta.submitted_at or utcnow(),
    )
    begin_writing(session=session)
    for attempt in range(3):
        try:
            with session.begin_nested():  # a twin (another thread or instance) may have won the unique key
                session.add(response)
            return response, True
        except IntegrityError:
            existing = find_by_key(session=session, key=meta.idempotency_key)
            if existing is not None:
                return existing, False
            if attempt == 2:
                raise
            response.public_id = new_receipt()  # the receipt drawn is taken
    raise AssertionError("unreachable")
