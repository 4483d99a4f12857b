"""The CLI's campaign look-up (shared by the command modules)."""

from __future__ import annotations

import sys

from sqlmodel import Session, select

from survey_app.models import Campaign


def find_campaign(*, session: Session, code: str) -> Campaign | None:
    """The campaign with this code, or None after saying so on stderr."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).first()
    if campaign is None:
        print(f"error: no campaign with code {code!r}", file=sys.stderr)
    return campaign
