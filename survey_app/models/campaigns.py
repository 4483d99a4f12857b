"""Campaigns and what they are built from: schemes, instrument versions, locations, who works on them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow
from survey_app.models.base import empty_dict
from survey_app.short_codes import new_code


class StoredScheme(SQLModel, table=True):
    """A certification scheme's rules, stored as the validated scheme file (data, never code); the rules
    themselves are `grading.schema.Scheme`."""

    __tablename__ = "scheme"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(index=True, unique=True, max_length=80)
    version: int = 1
    name_zh: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    definition: dict[str, Any] = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class InstrumentVersion(SQLModel, table=True):
    """One immutable version of an instrument; responses point at the exact version they answered. A bundled
    instrument is read-only; an uploaded one is extended only by its owner (or an administrator)."""

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
    bundled: bool = False  # shipped with Mingcha: read-only
    owner_id: int | None = Field(default=None, foreign_key="user.id")  # who uploaded the instrument first


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


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
    resident_photos: bool = False  # the lead allows photos on the anonymous survey (its photo questions)
    cycle: int = 0
    previous_campaign_id: int | None = Field(default=None, foreign_key="campaign.id")
    ip_salt: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class ServedInstrument(SQLModel, table=True):
    """A survey instrument version a campaign served, from when until when (None: it still does). A campaign
    takes answers to its current version, and to an earlier one only if it served it while open."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    instrument_version_id: int = Field(foreign_key="instrumentversion.id")
    since: datetime = Field(default_factory=utcnow)
    until: datetime | None = None


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


class RetiredToken(SQLModel, table=True):
    """A location token replaced by a new poster: the old QR code says so instead of opening the survey."""

    id: int | None = Field(default=None, primary_key=True)
    nonce: str = Field(index=True, unique=True, max_length=32)
    location_id: int = Field(foreign_key="location.id", index=True)
    retired_at: datetime = Field(default_factory=utcnow)


class CampaignMember(SQLModel, table=True):
    """Who leads or is assigned to a campaign (what they may see is decided from this)."""

    __table_args__ = (UniqueConstraint("campaign_id", "user_id", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(max_length=12)  # lead | field
