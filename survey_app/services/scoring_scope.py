"""The responses a campaign's online model scores, and reading them without the ORM where a group is big."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from forms.contract import items_json
from fraud.data import Items, parse_items
from grading.codes import matrix, scored_items
from survey_app.models import Campaign, InstrumentVersion, Location, Submission
from survey_app.services.export import response_line
from survey_app.services.instruments import materialise


def scope(campaign: Campaign) -> list[ColumnElement[bool]]:
    """The responses a campaign's online model scores: its current instrument version, online."""
    return [
        col(Submission.campaign_id) == campaign.id,
        col(Submission.instrument_version_id) == campaign.survey_instrument_id,
        col(Submission.channel) == "online",
    ]


def contract_lines(session: Session, campaign: Campaign, rows: list[Submission]) -> tuple[Items, list[str]]:
    """Rows as the fraud library reads them (no device id: a group of one)."""
    version = session.get(InstrumentVersion, campaign.survey_instrument_id)
    items = items_json(materialise(version))
    likert_ids = [entry["id"] for entry in items["items"]]
    codes = location_codes(session, campaign)
    lines = [
        json.dumps(
            own_device(response_line(row, codes.get(row.location_id, ""), likert_ids)), ensure_ascii=False
        )
        for row in rows
    ]
    return parse_items(items), lines


def own_device(line: dict[str, Any]) -> dict[str, Any]:
    """A response without a device id is a device of its own (residents without JavaScript are not one
    phone): the rule of the whole-campaign batch and of the neighbourhood alike."""
    return line if line["client_id"] else {**line, "client_id": f"none:{line['id']}"}


def location_codes(session: Session, campaign: Campaign) -> dict[int | None, str]:
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
        Submission.id,
        Submission.client_id,
        Submission.ip_hash,
        Submission.submitted_at,
        Submission.answer_codes,
        Submission.comment,
        Submission.location_id,
    )
    return select(*columns).where(*where).order_by(col(Submission.id))  # type: ignore[call-overload]


_layout: dict[int, tuple[Items, np.ndarray]] = {}


def layout(session: Session, campaign: Campaign) -> tuple[Items, np.ndarray]:
    """The scored Likert items and their columns in the answer codes (cached per instrument version)."""
    version = campaign.survey_instrument_id
    if version not in _layout:
        instrument = materialise(session.get(InstrumentVersion, version))
        items = parse_items(items_json(instrument))
        column = {item.id: j for j, item in enumerate(scored_items(instrument))}
        _layout[version] = (items, np.array([column[i] for i in items.ids]))
    return _layout[version]


def likert(members: list[Member], columns: np.ndarray) -> np.ndarray:
    """The members' Likert answers (NaN where not answered or not applicable), as the contract reads them."""
    width = int(columns.max()) + 1 if len(columns) else 0
    if not members:
        return np.zeros((0, len(columns)))
    raw = matrix([m.answer_codes or bytes(width) for m in members], width)[:, columns].astype(float)
    raw[(raw == 0) | (raw == 6)] = np.nan
    return raw
