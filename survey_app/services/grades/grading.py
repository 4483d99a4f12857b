"""Grade a campaign from its counted responses; lock a snapshot; recompute it; compare with the last cycle.

Which responses count is decided by status (DESIGN.md): rejected at callback or excluded by the lead auditor
never count; received, flagged, callback due, verified and unreachable do (an unanswered phone is not proof of
a fake). Every response is scored with the instrument version it answered.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Select, and_, func
from sqlmodel import Session, col, select

from forms import Instrument
from grading.codes import encode, matrix_from, scored_items
from grading.engine import Batch, grade
from grading.results import GradeResult
from grading.schema import Scheme
from survey_app.errors import NotFound
from survey_app.models import (
    Campaign,
    InstrumentVersion,
    Location,
    ResponseStatus,
    StoredScheme,
    SurveyResponse,
    Visit,
    VisitStatus,
    ident,
)
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.grades.schemes import scheme_rules
from survey_app.services.review import status


@dataclass
class Inputs:
    batches: dict[str, list[Batch]]
    locations: dict[str, int]
    excluded: dict[str, int]
    counted_ids: np.ndarray
    versions: list[str]
    visit_ids: list[int]


def load_inputs(
    *,
    session: Session,
    campaign: Campaign,
    only_ids: np.ndarray | None = None,
    only_visits: list[int] | None = None,
) -> Inputs:
    """Counted responses as answer-code matrices per instrument version. SQL filters, counts and splits by
    version; Python only joins the code blobs, so a million responses stay within a few seconds."""
    excluded: dict[str, int] = {}
    if only_ids is None:
        for found, n in session.exec(
            select(SurveyResponse.status, func.count())
            .where(
                SurveyResponse.campaign_id == campaign.id,
                col(SurveyResponse.status).in_(list(status.NOT_COUNTED)),
            )
            .group_by(col(SurveyResponse.status))
        ):
            excluded[status.NOT_COUNTED[ResponseStatus(found)]] = n
        counted = status.counted_clause(campaign.id)
    else:
        counted = and_(
            col(SurveyResponse.campaign_id) == campaign.id,
            col(SurveyResponse.id).in_(_id_subquery(session=session, ids=only_ids)),
        )
    location_codes = {  # a deactivated location leaves the per-location rule (its responses still count)
        loc.id: loc.code
        for loc in session.exec(
            select(Location).where(Location.campaign_id == campaign.id, col(Location.active))
        )
    }
    counts = dict.fromkeys(location_codes.values(), 0)
    for loc_id, n in session.connection().execute(
        select(SurveyResponse.location_id, func.count())
        .where(counted)
        .group_by(col(SurveyResponse.location_id))
    ):
        if loc_id in location_codes:
            counts[location_codes[loc_id]] = n
    batches: dict[str, list[Batch]] = defaultdict(list)
    keys, all_ids = [], []
    version_ids = (
        session.connection()
        .execute(select(SurveyResponse.instrument_version_id).where(counted).distinct())
        .all()
    )
    for (version_id,) in sorted(version_ids):
        instrument = materialise(session.get(InstrumentVersion, version_id))
        width = len(scored_items(instrument))
        rows = (
            session.connection()
            .execute(
                select(SurveyResponse.id, SurveyResponse.answer_codes).where(
                    counted, SurveyResponse.instrument_version_id == version_id
                )
            )
            .all()
        )
        missing = _codes_of_older(
            session=session, instrument=instrument, ids=[rid for rid, codes in rows if codes is None]
        )
        blank = encode(instrument, {})
        blob = b"".join(
            [
                codes if codes is not None and len(codes) == width else missing.get(rid, blank)
                for rid, codes in rows
            ]
        )
        batches[instrument.id].append(Batch(instrument, matrix_from(blob, len(rows), width)))
        all_ids.append(np.fromiter((rid for rid, _codes in rows), dtype=np.int64, count=len(rows)))
        keys.append(instrument.key)
    ids = np.sort(np.concatenate(all_ids)) if all_ids else np.empty(0, dtype=np.int64)
    visit_ids = _sheet_batches(
        session=session, campaign=campaign, batches=batches, keys=keys, only=only_visits
    )
    return Inputs(dict(batches), counts, excluded, ids, keys, visit_ids)


def _sheet_batches(
    *,
    session: Session,
    campaign: Campaign,
    batches: dict[str, list[Batch]],
    keys: list[str],
    only: list[int] | None,
) -> list[int]:
    """Final (reconciled) visit sheets as batches, one per instrument version; returns the visit ids."""
    query = select(Visit).where(Visit.campaign_id == campaign.id, col(Visit.final_codes).is_not(None))
    if only is not None:
        query = query.where(col(Visit.id).in_(only or [-1]))
    else:
        query = query.where(Visit.status == VisitStatus.FINAL)
    by_version: dict[int, list[Visit]] = defaultdict(list)
    for visit in session.exec(query.order_by(col(Visit.id))):
        by_version[visit.instrument_version_id].append(visit)
    used: list[int] = []
    for version_id, visits in sorted(by_version.items()):
        instrument = materialise(session.get(InstrumentVersion, version_id))
        width = len(scored_items(instrument))
        codes = [v.final_codes for v in visits if v.final_codes is not None and len(v.final_codes) == width]
        batches[instrument.id].append(Batch(instrument, matrix_from(b"".join(codes), len(codes), width)))
        keys.append(instrument.key)
        used += [ident(v) for v in visits]
    return sorted(used)


def _id_subquery(*, session: Session, ids: np.ndarray) -> Select[tuple[int]]:
    """The locked ids as a temporary table (a million ids would not fit in an IN list)."""
    from sqlalchemy import Column, Integer, MetaData, Table, insert

    table = Table(
        f"locked_ids_{secrets.token_hex(4)}",
        MetaData(),
        Column("id", Integer, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    table.create(session.connection())
    session.connection().execute(insert(table), [{"id": int(i)} for i in ids])
    return select(table.c.id)


def _codes_of_older(*, session: Session, instrument: Instrument, ids: list[int]) -> dict[int, bytes]:
    """Answer codes computed (not stored: a read never writes) for responses saved before codes existed."""
    out: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):
        query = select(SurveyResponse.id, SurveyResponse.answers).where(
            col(SurveyResponse.id).in_(ids[start : start + 500])
        )
        for rid, answers in session.connection().execute(query):
            out[rid] = encode(instrument, answers or {})
    return out


def backfill_codes(*, session: Session) -> int:
    """Store answer codes for responses saved before codes existed (run by `migrate`, never by a page)."""
    done = 0
    while True:
        rows = session.exec(
            select(SurveyResponse).where(col(SurveyResponse.answer_codes).is_(None)).limit(500)
        ).all()
        if not rows:
            return done
        for response in rows:
            instrument = materialise(session.get(InstrumentVersion, response.instrument_version_id))
            response.answer_codes = encode(instrument, response.answers)
            session.add(response)
        session.flush()
        done += len(rows)


def compute(
    *,
    session: Session,
    campaign: Campaign,
    rules: Scheme | None = None,
    only_ids: np.ndarray | None = None,
    only_visits: list[int] | None = None,
) -> tuple[GradeResult, Inputs]:
    """The campaign's grade now (nothing stored)."""
    if rules is None:
        scheme = session.get(StoredScheme, campaign.scheme_id)
        if scheme is None:
            raise NotFound("not_found")
        rules = scheme_rules(scheme)
    inputs = load_inputs(session=session, campaign=campaign, only_ids=only_ids, only_visits=only_visits)
    result = grade(rules, inputs.batches, locations=inputs.locations, excluded=inputs.excluded)
    return result, inputs
