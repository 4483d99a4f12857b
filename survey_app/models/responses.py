"""Survey responses and what the review desk adds to them: fraud models, callback draws, picks and calls,
on-site checks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_dict, empty_list


class Channel(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    PHONE = "phone"
    VISIT = "visit"


class ResponseStatus(StrEnum):
    RECEIVED = "received"
    FLAGGED = "flagged"
    CALLBACK_DUE = "callback_due"
    VERIFIED = "verified"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    EXCLUDED = "excluded"


class SurveyResponse(SQLModel, table=True):
    """One submitted answer set (a survey response); never deleted, only excluded or re-included."""

    __tablename__ = "survey_response"
    __table_args__ = (
        Index("ix_survey_response_campaign_score", "campaign_id", "fraud_score", "id"),
        Index("ix_survey_response_campaign_submitted", "campaign_id", "submitted_at"),
        Index("ix_survey_response_campaign_status", "campaign_id", "status"),
        Index(
            "ix_survey_response_campaign_ip", "campaign_id", "ip_hash", "submitted_at"
        ),  # a network's group
        Index("ix_survey_response_campaign_client", "campaign_id", "client_id"),  # a device's responses
        Index(
            "ix_survey_response_location_submitted", "location_id", "submitted_at"
        ),  # a poster's ten minutes
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(index=True, unique=True, max_length=40)
    idempotency_key: str = Field(index=True, unique=True, max_length=80)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id", index=True)
    instrument_version_id: int = Field(foreign_key="instrumentversion.id")
    channel: str = Field(default=Channel.ONLINE, max_length=12)
    status: str = Field(default=ResponseStatus.RECEIVED, max_length=16, index=True)
    answers: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    item_ms: dict[str, int] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    comment: str = Field(default="", max_length=4000)
    contact_consent: bool = False
    contact_phone: str | None = Field(default=None, max_length=400)  # encrypted (services/contacts.py)
    client_id: str = Field(default="", max_length=64, index=True)
    ip_hash: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=400)
    locale: str = Field(default="zh_CN", max_length=10)
    started_at: datetime | None = None
    submitted_at: datetime = Field(default_factory=utcnow)
    received_at: datetime = Field(default_factory=utcnow)
    meta: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    answer_codes: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    fraud_score: float | None = None
    fraud_reasons: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    fraud_model_version: str = Field(default="", max_length=40)
    fraud_families: str = Field(default="", max_length=200)  # ",timing,device," for filtering the queue
    auditor_id: int | None = Field(default=None, foreign_key="user.id")  # who entered an interview


class FraudModel(SQLModel, table=True):
    """The detector fitted on a campaign's responses; new submissions are scored with the latest one."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    model_version: str = Field(max_length=40)
    fitted_at: datetime = Field(default_factory=utcnow)
    n_responses: int
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CallbackDraw(SQLModel, table=True):
    """One draw of a campaign's callback sample: the first, and any further draw (each with its reason). A
    further draw adds to the sample (it draws among the responses not picked before); nothing is replaced."""

    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    id: str = Field(primary_key=True, max_length=40)  # the draw id its picks carry
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    number: int  # 1 for the first draw
    seed: int
    size: int
    flagged: int
    actor: str = Field(max_length=60)
    reason: str = Field(default="", max_length=1000)
    drawn_at: datetime = Field(default_factory=utcnow)


class CallbackPick(SQLModel, table=True):
    """One member of a campaign's drawn callback sample, with why it was chosen."""

    __table_args__ = (UniqueConstraint("draw_id", "response_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    draw_id: str = Field(max_length=40, index=True)
    response_id: int = Field(foreign_key="survey_response.id")
    rank: int
    kind: str = Field(max_length=12)  # flagged | random
    reason: str = Field(max_length=600)
    score: float
    seed: int
    drawn_at: datetime = Field(default_factory=utcnow)


class CallbackOutcome(StrEnum):
    CONFIRMED = "confirmed"
    DENIES = "denies"
    DIFFERS = "answers_differ"
    UNREACHABLE = "unreachable"
    WRONG_NUMBER = "wrong_number"
    REFUSED = "refused"


class CallbackAttempt(SQLModel, table=True):
    """One phone call back to a respondent: when, by whom, what came of it. Never edited, only added."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    response_id: int = Field(foreign_key="survey_response.id", index=True)
    called_at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=60)
    outcome: str = Field(max_length=20)
    note: str = Field(default="", max_length=1000)
    recorded_at: datetime = Field(default_factory=utcnow)


class VerificationTask(SQLModel, table=True):
    """An on-site check of a low score or a complaint (seed L399): what, where, who, and what was found."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    what: str = Field(max_length=500)
    location_code: str = Field(default="", max_length=40)
    assigned_to: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="open", max_length=20)  # open | confirmed | not_confirmed
    note: str = Field(default="", max_length=1000)
    created_by: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
