"""The responses a campaign's online model scores, as records the fraud library reads, and reading them
without the ORM where a group is big."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from forms.contract import items_json
from fraud.data import Items, Responses, parse_items, read_records
from grading.codes import matrix, scored_items
from survey_app.models import Campaign, InstrumentVersion, Location, SurveyResponse
from survey_app.services.campaigns.instruments import materialise


def scope(campaign: Campaign) -> list[ColumnElement[bool]]:
    """The responses a campaign's online model scores: its current instrument version, online."""
    return [
        col(SurveyResponse.campaign_id) == campaign.id,
        col(SurveyResponse.instrument_version_id) == campaign.survey_instrument_id,
        col(SurveyResponse.channel) == "online",
    ]


def records(
    *, session: Session, campaign: Campaign, rows: list[SurveyResponse], interviews: bool = False
) -> tuple[Items, Responses]:
    """Stored responses as the fraud library reads them: each a record of the interchange format's shape, its
    Likert answers decoded from the stored answer codes (the one copy the scoring path reads; tests check it
    agrees with the answers as stored), times in whole seconds as the interchange format carries them.

    A response without a device id is a device of its own (residents without JavaScript are not one phone).
    `interviews`: every interview is entered on an auditor's phone, so its device and network say nothing
    about the respondent; each stands for itself (timing and answer patterns still speak)."""
    items, columns, width = layout(session=session, campaign=campaign)
    codes = location_codes(session=session, campaign=campaign)
    likert_ids = items.ids
    out: list[dict[str, Any]] = []
    for row in rows:
        raw = row.answer_codes if row.answer_codes and len(row.answer_codes) == width else bytes(width)
        answers = {
            item_id: (raw[j] if 1 <= raw[j] <= 5 else None)
            for item_id, j in zip(likert_ids, columns, strict=True)
        }
        own = row.client_id or f"none:{row.public_id}"
        out.append(
            {
                "id": row.public_id,
                "location": codes.get(row.location_id, ""),
                "channel": row.channel,
                "started_at": _seconds(row.started_at or row.submitted_at),
                "submitted_at": _seconds(row.submitted_at),
                "client_id": row.public_id if interviews else own,
                "ip_hash": row.public_id if interviews else row.ip_hash,
                "user_agent": "" if interviews else row.user_agent,
                "answers": answers,
                "item_ms": {k: v for k, v in row.item_ms.items() if k in answers},
                "comment": row.comment,
                "contact_given": bool(row.contact_consent and row.contact_phone),
            }
        )
    return items, read_records(out, items, source=f"campaign {campaign.code}")


def _seconds(moment: datetime) -> float:
    """Whole seconds since the epoch (what the interchange format's timestamps carry)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return float(int(aware.timestamp()))


def location_codes(*, session: Session, campaign: Campaign) -> dict[int | None, str]:
    found = session.exec(select(Location.id, Location.code).where(Location.campaign_id == campaign.id))
    return {loc_id: code for loc_id, code in found}


class Member(NamedTuple):
    """What a response contributes to its groups (read without the ORM)."""

    id: int
    client_id: str
    ip_hash: str
    submitted_at: datetime
    answer_codes: bytes | None
    comment: str
    location_id: int | None


def members_where(*where: Any) -> Any:
    """A query of the `Member` columns of the responses matching `where`, in id order."""
    columns = (
        SurveyResponse.id,
        SurveyResponse.client_id,
        SurveyResponse.ip_hash,
        SurveyResponse.submitted_at,
        SurveyResponse.answer_codes,
        SurveyResponse.comment,
        SurveyResponse.location_id,
    )
    return select(*columns).where(*where).order_by(col(SurveyResponse.id))  # type: ignore[call-overload]


class Layout(NamedTuple):
    """Where the scored Likert items sit in the stored answer codes."""

    items: Items  # the scored Likert items, as the fraud library reads them
    columns: np.ndarray  # each one's column in the codes
    width: int  # bytes per response (every scored item, Likert or not)


_layout: dict[tuple[int, str, int], Layout] = {}


def has_rated_items(*, session: Session, campaign: Campaign) -> bool:
    """Whether the campaign's survey has rated (Likert) questions: the anomaly screen reads their answers,
    so a form without any (many an imported XLSForm) is not screened; its responses stay unscored."""
    row = session.get(InstrumentVersion, campaign.survey_instrument_id)
    key = _version_key(campaign, row)
    if key not in _rated:
        _rated[key] = bool(materialise(row).likert_items())
    return _rated[key]


def _version_key(campaign: Campaign, row: InstrumentVersion | None) -> tuple[int, str, int]:
    """A cache key for the campaign's instrument version: its row id with its instrument id and version (a
    row id alone is another instrument in another database, as in the tests)."""
    return (campaign.survey_instrument_id, row.instrument_id if row else "", row.version if row else 0)


_rated: dict[tuple[int, str, int], bool] = {}


def layout(*, session: Session, campaign: Campaign) -> Layout:
    """The scored Likert items and their columns in the answer codes (cached per instrument version)."""
    row = session.get(InstrumentVersion, campaign.survey_instrument_id)
    version = _version_key(campaign, row)
    if version not in _layout:
        instrument = materialise(row)
        items = parse_items(items_json(instrument))
        scored = scored_items(instrument)
        column = {item.id: j for j, item in enumerate(scored)}
        _layout[version] = Layout(items, np.array([column[i] for i in items.ids], dtype=int), len(scored))
    return _layout[version]


def likert(members: list[Member], shape: Layout) -> np.ndarray:
    """The members' Likert answers (NaN where not answered or not applicable), as the contract reads them."""
    width, columns = shape.width, shape.columns
    if not members:
        return np.zeros((0, len(columns)))
    codes = [
        m.answer_codes if m.answer_codes and len(m.answer_codes) == width else bytes(width) for m in members
    ]
    raw = matrix(codes, width)[:, columns].astype(float)
    raw[(raw == 0) | (raw == 6)] = np.nan
    return raw
