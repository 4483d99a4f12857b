"""The certification decision (认证决定): taken by a reviewer who is not on the audit team, on the basis of
the locked grade and the open findings; the certificate's status follows it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow


class DecisionKind(StrEnum):
    GRANT = "grant"
    MAINTAIN = "maintain"
    SUSPEND = "suspend"
    WITHDRAW = "withdraw"
    RESTORE = "restore"
    REFUSE = "refuse"


class CertificationDecision(SQLModel, table=True):
    """One decision, never changed or deleted (a later decision follows it)."""

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="campaign.id", index=True)
    number: str = Field(max_length=40)  # the decision letter's number
    decision: str = Field(max_length=12)
    reasons: str = Field(max_length=4000)
    decided_by: str = Field(max_length=60)
    decided_at: datetime = Field(default_factory=utcnow)
    snapshot_id: int | None = Field(default=None, foreign_key="gradesnapshot.id")
    snapshot_sha256: str = Field(default="", max_length=64)
    open_major: int = 0
    open_minor: int = 0
    certificate_status: str = Field(default="", max_length=12)  # what the certificate became ("" none)
