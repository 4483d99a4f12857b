"""SQLModel tables: schemes, instrument versions, campaigns, locations, responses and the audit log.

Times are timezone-aware UTC datetimes (SQLModel's UTCDateTime); they are shown in the campaign's time zone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.codes import new_code


def empty_dict() -> dict[str, Any]:
    """A JSON column's default. Not `dict` itself: pydantic inspects a default factory's signature on every
    construction, and a builtin's signature is parsed from text (a tenth of a millisecond per row)."""
    return {}


def empty_list() -> list[Any]:
    """A JSON column's default (see `empty_dict`)."""
    return []


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


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Scheme(SQLModel, table=True):
    """A certification scheme's rules, stored as the validated scheme file (data, never code)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=80)
    version: int = 1
    name_zh: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    definition: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class InstrumentVersion(SQLModel, table=True):
    """One immutable version of an instrument; responses point at the exact version they answered."""

    __table_args__ = (UniqueConstraint("instrument_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    instrument_id: str = Field(index=True, max_length=80)
    version: int
    kind: str = Field(max_length=20)
    title_zh: str = Field(max_length=200)
    title_en: str = Field(default="", max_length=200)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    source_sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Campaign(SQLModel, table=True):
    """One evaluation of one organisation under one scheme, in one cycle."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=60)
    name_zh: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    organisation: str = Field(max_length=200)
    certification_body: str = Field(default="", max_length=200)
    scheme_id: int = Field(foreign_key="scheme.id")
    survey_instrument_id: int = Field(foreign_key="instrumentversion.id")
    status: str = Field(default=CampaignStatus.OPEN, max_length=12)
    starts_at: datetime
    deadline: datetime
    closed_at: datetime | None = None  # closed early by a lead auditor (the deadline stays as announced)
    closed_by: str = Field(default="", max_length=60)
    scope: str = Field(default="", max_length=500)  # the certificate's scope (services, sites)
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    callback_rate: float = 0.10
    sample_target: int | None = None
    cycle: int = 0
    previous_campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    ip_salt: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Location(SQLModel, table=True):
    """A place a poster hangs (building entrance, stairwell, room); its token opens the survey."""

    __table_args__ = (UniqueConstraint("campaign_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    building: str = Field(default="", max_length=80)
    entrance: str = Field(default="", max_length=80)
    target: int | None = None
    token_nonce: str = Field(index=True, unique=True, max_length=32)
    short_code: str | None = Field(
        default_factory=new_code, index=True, unique=True, max_length=12
    )  # /q/CODE
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """One submitted answer set (a survey response); never deleted, only excluded or re-included."""

    __tablename__ = "response"
    __table_args__ = (
        Index("ix_response_campaign_score", "campaign_id", "fraud_score", "id"),
        Index("ix_response_campaign_submitted", "campaign_id", "submitted_at"),
        Index("ix_response_campaign_status", "campaign_id", "status"),
        Index("ix_response_campaign_ip", "campaign_id", "ip_hash", "submitted_at"),  # a network's group
        Index("ix_response_campaign_client", "campaign_id", "client_id"),  # a device's responses
        Index("ix_response_location_submitted", "location_id", "submitted_at"),  # a poster's ten minutes
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


class AuditLog(SQLModel, table=True):
    """Append-only, hash-chained record of every state change, reveal, export and failed login.

    Each campaign has its own chain (`chain` = campaign id); events outside a campaign (accounts, logins)
    use chain 0. `hash` is SHA-256 over the previous row's hash and this row's canonical content, so any
    edited, deleted or reordered row breaks the chain (`python -m survey_app audit verify`).
    """

    __table_args__ = (UniqueConstraint("chain", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    chain: int = Field(index=True)
    seq: int
    at: datetime = Field(default_factory=utcnow)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=60)
    campaign_id: int | None = Field(default=None, foreign_key="campaign.id", index=True)
    subject: str = Field(default="", max_length=120, index=True)
    old: str = Field(default="", max_length=60)
    new: str = Field(default="", max_length=60)
    reason: str = Field(default="", max_length=1000)
    detail: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The last row of each audit chain; appends lock it, so concurrent writers cannot fork a chain."""

    chain: int = Field(primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)


class FraudModel(SQLModel, table=True):
    """The detector fitted on a campaign's responses; new submissions are scored with the latest one."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    model_version: str = Field(max_length=40)
    fitted_at: datetime = Field(default_factory=utcnow)
    n_responses: int
    blob: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class CallbackPick(SQLModel, table=True):
    """One member of a campaign's drawn callback sample, with why it was chosen."""

    __table_args__ = (UniqueConstraint("draw_id", "response_id"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    draw_id: str = Field(max_length=40, index=True)
    response_id: int = Field(foreign_key="response.id")
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
    response_id: int = Field(foreign_key="response.id", index=True)
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


class Role(StrEnum):
    ADMIN = "admin"
    LEAD = "lead"
    FIELD = "field"


class User(SQLModel, table=True):
    """An account: admins manage schemes and users, lead auditors run campaigns, field auditors collect."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=60)
    display_name: str = Field(default="", max_length=120)
    password_hash: str = Field(max_length=200)
    roles: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)
    must_change_password: bool = False  # set by an admin's reset: the next login asks for a new one


class StaffSession(SQLModel, table=True):
    """A logged-in staff session, kept on the server so that logout, a password change or an admin ends it at
    once (the signed cookie only carries its random id)."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    ended_by: str = Field(default="", max_length=60)
    user_agent: str = Field(default="", max_length=200)


class CampaignMember(SQLModel, table=True):
    """Who leads or is assigned to a campaign (what they may see is decided from this)."""

    __table_args__ = (UniqueConstraint("campaign_id", "user_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=12)  # lead | field


class RetiredToken(SQLModel, table=True):
    """A location token replaced by a new poster: the old QR code says so instead of opening the survey."""

    id: int | None = Field(default=None, primary_key=True)
    nonce: str = Field(index=True, unique=True, max_length=32)
    location_id: int = Field(foreign_key="location.id", index=True)
    retired_at: datetime = Field(default_factory=utcnow)


class GradeSnapshot(SQLModel, table=True):
    """A computed grade; once locked it is the record: scheme, instrument versions, counted ids, result."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=60)
    locked: bool = False
    scheme_key: str = Field(max_length=100)
    scheme_definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    instrument_versions: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    counted_ids: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # zlib of sorted int64 ids
    counted_sha256: str = Field(max_length=64)
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    certificate_token: str | None = Field(default=None, index=True, unique=True, max_length=40)
    certificate_number: str = Field(default="", max_length=40)
    certificate_status: str = Field(default="", max_length=12)  # valid | suspended | withdrawn ("" if none)
    status_changed_at: datetime | None = None
    status_changed_by: str = Field(default="", max_length=60)
    status_reason: str = Field(default="", max_length=1000)
    valid_until: datetime | None = None
    reopened_at: datetime | None = None
    reopened_by: str = Field(default="", max_length=60)
    reopen_reason: str = Field(default="", max_length=1000)
    counted_visits: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))


def ident(row: Any) -> int:
    """The primary key of a stored row (a new row has one once it was flushed)."""
    key = row.id
    if key is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add and flush it first")
    return int(key)


class ApiToken(SQLModel, table=True):
    """A read-only API token of one user, shown once and stored as its SHA-256, optionally limited to some
    campaigns; revocable; its last use is recorded (at most once a minute)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(default="", max_length=120)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    campaign_ids: list[Any] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=60)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: str = Field(default="", max_length=60)


# the field-work tables live in their own module and register on the same metadata with these
import survey_app.models_field  # noqa: E402, F401
import survey_app.models_jobs  # noqa: E402, F401
import survey_app.models_outbox  # noqa: E402, F401

__all__ = ["utcnow"]  # the storage clock, imported from here across the app
