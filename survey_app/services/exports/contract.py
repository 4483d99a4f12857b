"""Export a campaign in the interchange format (items.json + responses.jsonl)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from forms.contract import items_json
from survey_app.models import Campaign, InstrumentVersion, Location, SurveyResponse
from survey_app.services import audit
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.exports.masking import masked


class ExportError(ValueError):
    """The export cannot be made (unknown campaign, unwritable folder)."""


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def response_line(response: SurveyResponse, location_code: str, likert_ids: list[str]) -> dict[str, Any]:
    """One contract line: Likert answers as integers or null, quality metadata, no personal data."""
    answers = {item_id: response.answers.get(item_id) for item_id in likert_ids}
    return {
        "id": response.public_id,
        "location": location_code,
        "channel": response.channel,
        "started_at": _iso(response.started_at or response.submitted_at),
        "submitted_at": _iso(response.submitted_at),
        "client_id": response.client_id,
        "ip_hash": response.ip_hash,
        "user_agent": response.user_agent,
        "answers": answers,
        "item_ms": {k: v for k, v in response.item_ms.items() if k in answers},
        "comment": masked(response.comment),
        "contact_given": response.contact_consent and bool(response.contact_phone),
        "status": response.status,
    }


@dataclass(frozen=True)
class Contract:
    """A campaign in the interchange format: items.json, and each stored response with its line."""

    items: dict[str, Any]
    rows: list[SurveyResponse]
    lines: list[dict[str, Any]]


def campaign_contract(*, session: Session, campaign: Campaign, channel: str | None = None) -> Contract:
    """The campaign's responses to its current instrument (optionally one channel), in id order."""
    row = session.get(InstrumentVersion, campaign.survey_instrument_id)
    assert row is not None
    items = items_json(materialise(row))
    likert_ids = [entry["id"] for entry in items["items"]]
    codes = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    query = select(SurveyResponse).where(
        SurveyResponse.campaign_id == campaign.id, SurveyResponse.instrument_version_id == row.id
    )
    if channel is not None:
        query = query.where(SurveyResponse.channel == channel)
    rows = list(session.exec(query.order_by(col(SurveyResponse.id))))
    lines = [response_line(r, codes.get(r.location_id, ""), likert_ids) for r in rows]
    return Contract(items, rows, lines)


def jsonl(lines: list[dict[str, Any]]) -> str:
    """One JSON object per line, UTF-8 text kept readable."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def export_campaign(*, session: Session, code: str, out_dir: Path, actor: str) -> tuple[int, Path, Path]:
    """Write items.json and responses.jsonl for a campaign; return (count, items path, responses path)."""
    campaign = session.exec(select(Campaign).where(Campaign.code == code)).first()
    if campaign is None:
        raise ExportError(f"no campaign with code {code!r}")
    contract = campaign_contract(session=session, campaign=campaign)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        items_path, responses_path = out_dir / "items.json", out_dir / "responses.jsonl"
        items_path.write_text(
            json.dumps(contract.items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        responses_path.write_text(jsonl(contract.lines), encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"cannot write to {out_dir}: {exc.strerror}") from None
    audit.append(
        session=session,
        actor=actor,
        action="export",
        campaign_id=campaign.id,
        subject=f"campaign:{campaign.code}",
        detail={"file": "responses.jsonl", "count": len(contract.lines)},
    )
    return len(contract.lines), items_path, responses_path
