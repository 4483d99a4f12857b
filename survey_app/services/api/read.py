"""What the read API returns: campaigns, locations, responses with their fraud verdicts, callbacks and grades,
as plain JSON. Personal data never leaves: no phone number (the encrypted field is never read here, and
digit runs that look like a phone number are masked in free text), no staff notes on calls."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from survey_app.models import (
    CallbackAttempt,
    CallbackPick,
    Campaign,
    GradeSnapshot,
    InstrumentVersion,
    Location,
    StoredScheme,
    SurveyResponse,
)
from survey_app.services.exports.contract import response_line
from survey_app.services.exports.masking import masked, masked_value
from survey_app.services.review import status

MAX_PAGE = 1000


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def campaign_json(*, session: Session, campaign: Campaign) -> dict[str, Any]:
    scheme = session.get(StoredScheme, campaign.scheme_id)
    version = session.get(InstrumentVersion, campaign.survey_instrument_id)
    previous = session.get(Campaign, campaign.previous_campaign_id) if campaign.previous_campaign_id else None
    return {
        "code": campaign.code,
        "name": {"zh": campaign.name_zh, "en": campaign.name_en},
        "organisation": campaign.organisation,
        "certification_body": campaign.certification_body,
        "scheme": f"{scheme.code}@{scheme.version}" if scheme else None,
        "instrument": f"{version.instrument_id}@{version.version}" if version else None,
        "status": campaign.status,
        "starts_at": iso(campaign.starts_at),
        "deadline": iso(campaign.deadline),
        "timezone": campaign.timezone,
        "cycle": campaign.cycle,
        "previous": previous.code if previous else None,
        "callback_rate": campaign.callback_rate,
    }


def location_json(location: Location) -> dict[str, Any]:
    return {
        "code": location.code,
        "name": location.name,
        "building": location.building,
        "entrance": location.entrance,
        "target": location.target,
        "active": location.active,
    }


def response_json(row: SurveyResponse, location: str | None, instrument: str) -> dict[str, Any]:
    families = [f for f in row.fraud_families.split(",") if f]
    return {
        "receipt": row.public_id,
        "location": location,
        "channel": row.channel,
        "status": row.status,
        "counted": status.counts(row.status),
        "instrument": instrument,
        "started_at": iso(row.started_at),
        "submitted_at": iso(row.submitted_at),
        "client_id": row.client_id,
        "ip_hash": row.ip_hash,
        "answers": {k: masked_value(v) for k, v in row.answers.items()},
        "comment": masked(row.comment),
        "contact_given": bool(row.contact_consent and row.contact_phone),
        "fraud": {
            "score": row.fraud_score,
            "reasons": [{"zh": str(r.get("zh", "")), "en": str(r.get("en", ""))} for r in row.fraud_reasons],
            "families": families,
            "model": row.fraud_model_version,
        },
    }


def responses_page(*, session: Session, campaign: Campaign, after: int, limit: int) -> dict[str, Any]:
    """One page in id order (keyset: rows added meanwhile come at the end, none is seen twice or skipped)."""
    rows = session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign.id, col(SurveyResponse.id) > after)
        .order_by(col(SurveyResponse.id))
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    codes = _location_codes(session=session, campaign=campaign)
    versions = _version_keys(session=session)
    return {
        "items": [
            response_json(r, codes.get(r.location_id), versions.get(r.instrument_version_id, ""))
            for r in rows
        ],
        "next": str(rows[-1].id) if more and rows else None,
    }


def jsonl_chunk(
    *, session: Session, campaign_id: int, after: int, chunk: int = 1000
) -> tuple[bytes, int | None]:
    """The next `chunk` of the campaign's responses after id `after`, as JSONL contract lines (comments
    masked), and the last id read (None: nothing more). The API streams these chunks, each read in a unit of
    its own."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return b"", None
    likert = _likert_ids(session.get(InstrumentVersion, campaign.survey_instrument_id))
    codes = _location_codes(session=session, campaign=campaign)
    rows = session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.campaign_id == campaign_id, col(SurveyResponse.id) > after)
        .order_by(col(SurveyResponse.id))
        .limit(chunk)
    ).all()
    lines = []
    for row in rows:
        line = response_line(row, codes.get(row.location_id, ""), likert)
        line["comment"] = masked(line["comment"])
        lines.append(json.dumps(line, ensure_ascii=False) + "\n")
    return "".join(lines).encode(), (rows[-1].id if rows else None)


def campaigns_json(*, session: Session, ids: frozenset[int]) -> dict[str, Any]:
    """The campaigns with these ids, by code."""
    rows = session.exec(
        select(Campaign).where(col(Campaign.id).in_(list(ids) or [-1])).order_by(col(Campaign.code))
    )
    return {"items": [campaign_json(session=session, campaign=c) for c in rows]}


def locations_json(*, session: Session, campaign: Campaign) -> dict[str, Any]:
    """The campaign's locations, by code."""
    rows = session.exec(
        select(Location).where(Location.campaign_id == campaign.id).order_by(col(Location.code))
    )
    return {"items": [location_json(loc) for loc in rows]}


def callbacks_json(*, session: Session, campaign: Campaign) -> dict[str, Any]:
    receipts = dict(
        session.exec(
            select(SurveyResponse.id, SurveyResponse.public_id).where(
                SurveyResponse.campaign_id == campaign.id
            )
        ).all()
    )
    attempts = session.exec(
        select(CallbackAttempt)
        .where(CallbackAttempt.campaign_id == campaign.id)
        .order_by(col(CallbackAttempt.id))
    ).all()
    picks = session.exec(
        select(CallbackPick).where(CallbackPick.campaign_id == campaign.id).order_by(col(CallbackPick.id))
    ).all()
    return {
        "sample": [
            {
                "receipt": receipts.get(p.response_id, ""),
                "draw": p.draw_id,
                "rank": p.rank,
                "kind": p.kind,
                "seed": p.seed,
                "drawn_at": iso(p.drawn_at),
            }
            for p in picks
        ],
        "attempts": [
            {"receipt": receipts.get(a.response_id, ""), "called_at": iso(a.called_at), "outcome": a.outcome}
            for a in attempts
        ],
    }


def grade_json(result: dict[str, Any]) -> dict[str, Any]:
    """A grade (live or locked) without the per-item answer counts."""
    keep = ("id", "label", "max", "pass_mark", "source", "n", "score", "ci_low", "ci_high", "passed")
    return {
        "scheme": result.get("scheme"),
        "status": result.get("status"),
        "tier": result.get("tier"),
        "tier_label": result.get("tier_label"),
        "rule": result.get("rule", ""),
        "total": result.get("total"),
        "total_max": result.get("total_max"),
        "bonus": result.get("bonus"),
        "excluded": result.get("excluded", {}),
        "components": [
            {
                **{k: c.get(k) for k in keep},
                "dimensions": [
                    {k: d.get(k) for k in ("id", "label", "weight", "n", "score")}
                    for d in c.get("dimensions", [])
                ],
            }
            for c in result.get("components", [])
        ],
        "comparison": [
            {k: str(v) if v is not None and k != "label" else v for k, v in row.items()}
            for row in result.get("comparison", [])
        ],
    }


def locked_json(snapshot: GradeSnapshot, base_url: str) -> dict[str, Any]:
    return {
        **grade_json(snapshot.result),
        "locked_at": iso(snapshot.created_at),
        "valid_until": iso(snapshot.valid_until),
        "certificate_url": f"{base_url}/cert/{snapshot.certificate_token}"
        if snapshot.certificate_token
        else None,
        "counted_responses_sha256": snapshot.counted_sha256,
    }


def _location_codes(*, session: Session, campaign: Campaign) -> dict[int | None, str]:
    return {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }


def _version_keys(*, session: Session) -> dict[int | None, str]:
    return {
        v.id: f"{v.instrument_id}@{v.version}"
        for v in session.exec(select(InstrumentVersion))  # a handful of rows
    }


def _likert_ids(version: InstrumentVersion | None) -> list[str]:
    from forms.contract import items_json
    from survey_app.services.campaigns.instruments import materialise

    if version is None:
        return []
    return [entry["id"] for entry in items_json(materialise(version))["items"]]
