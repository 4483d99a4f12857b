"""Findings: what an audit found (a nonconformity, an improvement item, an observation, a strength), where the
requirement comes from, and the organisation's correction, verified and closed by the certifier."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow


class FindingType(StrEnum):
    MAJOR = "major"  # a major nonconformity
    MINOR = "minor"  # a minor nonconformity
    IMPROVEMENT = "improvement"
    OBSERVATION = "observation"
    STRENGTH = "strength"


class CriterionSource(StrEnum):
    """Where the requirement comes from (seed L1131-L1139), or something else, said in words."""

    SOCIAL = "social_responsibility"
    SERVICE = "service_characteristic"
    MANAGEMENT = "management_system"
    GROUP_STANDARD = "group_standard"
    OTHER = "other"


class FindingState(StrEnum):
    OPEN = "open"
    SUBMITTED = "action_submitted"  # root cause, correction and corrective action in, awaiting verification
    RETURNED = "returned"  # the certifier found the action wanting and said why
    VERIFIED = "verified"
    CLOSED = "closed"
    EQUIVALENT = "closed_equivalent"  # closed by an equivalent measure, justified (seed L1163-L1165)
    WITHDRAWN = "withdrawn"


class Finding(SQLModel, table=True):
    """One finding of one campaign; never deleted, every move an audit row."""

    __table_args__ = (UniqueConstraint("campaign_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    number: int  # 1, 2, 3 ... within the campaign, as the team refers to it
    type: str = Field(max_length=20)
    criterion_source: str = Field(max_length=30)
    criterion_other: str = Field(default="", max_length=200)
    clause: str = Field(default="", max_length=200)
    description: str = Field(max_length=2000)
    evidence: str = Field(default="", max_length=2000)
    origin: str = Field(default="", max_length=120)  # e.g. "visit:12/e04" when raised from a visit sheet item
    state: str = Field(default=FindingState.OPEN, max_length=20)
    deadline: datetime | None = None
    raised_by: str = Field(max_length=60)
    raised_at: datetime = Field(default_factory=utcnow)
    root_cause: str = Field(default="", max_length=2000)
    correction: str = Field(default="", max_length=2000)
    corrective_action: str = Field(default="", max_length=2000)
    closing_note: str = Field(default="", max_length=2000)
    updated_at: datetime = Field(default_factory=utcnow)
    carried_from: int | None = None  # the finding of the previous cycle this one continues (surveillance)


class FindingFile(SQLModel, table=True):
    """Evidence the organisation attaches to its correction: a photo (re-encoded, metadata stripped) or a
    PDF."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    sha256: str = Field(foreign_key="blob.sha256", max_length=64)
    filename: str = Field(default="", max_length=200)
    media_type: str = Field(max_length=60)
    size: int = 0
    uploaded_by: str = Field(max_length=60)
    uploaded_at: datetime = Field(default_factory=utcnow)


class SentMessage(SQLModel, table=True):
    """An e-mail the worker sent (the daily reminder digest): to whom, what, when; one digest a person a
    day."""

    __table_args__ = (UniqueConstraint("user_id", "kind", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    to_address: str = Field(max_length=200)
    subject: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    items: int = 0
    day: str = Field(max_length=10)  # the local day it was sent for (YYYY-MM-DD)
    sent_at: datetime = Field(default_factory=utcnow)
