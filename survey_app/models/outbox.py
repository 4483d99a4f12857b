"""SQLModel table of the offline outbox: each queued request's client-generated key and the outcome it got."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from survey_app.clock import utcnow


class RequestKey(SQLModel, table=True):
    """A request sent from a phone's outbox (`X-Idempotency-Key`), stored in the same transaction as the
    change it made: a retry, a second tab or a resend after a cut connection gets the same outcome back
    and changes nothing more."""

    key: str = Field(primary_key=True, max_length=100)  # "<user id or 'public'>:<client key>"
    path: str = Field(max_length=300)
    status: int
    outcome: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)
