"""Grade a campaign from its counted responses; lock a snapshot; recompute it; compare with the last cycle.

Which responses count is decided by status (DESIGN.md): rejected at callback or excluded by the lead auditor
never count; received, flagged, callback due, verified and unreachable do (an unanswered phone is not proof of
a fake). Every response is scored with the instrument version it answered.
"""

from __future__ import annotations

import hashlib
import secrets
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, col, select

from grading.codes import encode, matrix_from, scored_items
from grading.engine import Batch, grade
from grading.loader import parse_scheme
from grading.results import GradeResult
from grading.schema import Scheme as SchemeRules
from survey_app.models import (
    Campaign,
    GradeSnapshot,
    InstrumentVersion,
    Location,
    Response,
    ResponseStatus,
    Scheme,
    utcnow,
)
from survey_app.services.instruments import materialise
from survey_app.services.schemes import scheme_rules

NOT_COUNTED = {
    ResponseStatus.REJECTED: "rejected at callback",
    ResponseStatus.EXCLUDED: "excluded by the lead auditor",
}


@dataclass
class Inputs:
    batches: dict[str, list[Batch]]
    locations: dict[str, int]
    excluded: dict[str, int]
    counted_ids: np.ndarray
    versions: list[str]


def load_inputs(*, session: Session, campaign: Campaign, only_ids: np.ndarray | None = None) -> Inputs:
    """Counted responses as answer-code matrices per instrument version. SQL filters, counts and splits by
    version; Python only joins the code blobs, so a million responses stay within a few seconds."""
    base = select(Response.id).where(Response.campaign_id == campaign.id)
    excluded: dict[str, int] = {}
    if only_ids is None:
        for status, n in session.exec(
            select(Response.status, func.count())
            .where(Response.campaign_id == campaign.id, col(Response.status).in_(list(NOT_COUNTED)))
            .group_by(Response.status)
        ):
            excluded[NOT_COUNTED[ResponseStatus(status)]] = n
        counted = (Response.campaign_id == campaign.id) & col(Response.status).not_in(list(NOT_COUNTED))
    else:
        counted = (Response.campaign_id == campaign.id) & col(Response.id).in_(
            _id_subquery(session, only_ids)
        )
    missing = [
        rid
        for (rid,) in session.connection().execute(base.where(counted, col(Response.answer_codes).is_(None)))
    ]
    _backfill(session, missing)
    location_codes = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    counts = dict.fromkeys(location_codes.values(), 0)
    for loc_id, n in session.connection().execute(
        select(Response.location_id, func.count()).where(counted).group_by(Response.location_id)
    ):
        if loc_id in location_codes:
            counts[location_codes[loc_id]] = n
    batches: dict[str, list[Batch]] = defaultdict(list)
    keys, all_ids = [], []
    version_ids = (
        session.connection().execute(select(Response.instrument_version_id).where(counted).distinct()).all()
    )
    for (version_id,) in sorted(version_ids):
        instrument = materialise(session.get(InstrumentVersion, version_id))
        width = len(scored_items(instrument))
        rows = (
            session.connection()
            .execute(
                select(Response.id, Response.answer_codes).where(
                    counted, Response.instrument_version_id == version_id
                )
            )
            .all()
        )
        blank = encode(instrument, {})
        blob = b"".join([codes if len(codes) == width else blank for _rid, codes in rows])
        batches[instrument.id].append(Batch(instrument, matrix_from(blob, len(rows), width)))
        all_ids.append(np.fromiter((rid for rid, _codes in rows), dtype=np.int64, count=len(rows)))
        keys.append(instrument.key)
    ids = np.sort(np.concatenate(all_ids)) if all_ids else np.empty(0, dtype=np.int64)
    return Inputs(dict(batches), counts, excluded, ids, keys)


def _id_subquery(session: Session, ids: np.ndarray):  # type: ignore[no-untyped-def]
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


def _backfill(session: Session, ids: list[int]) -> dict[int, bytes]:
    """Codes for responses stored before codes existed (computed from their answers, then saved)."""
    out: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):
        for response in session.exec(select(Response).where(col(Response.id).in_(ids[start : start + 500]))):
            instrument = materialise(session.get(InstrumentVersion, response.instrument_version_id))
            response.answer_codes = out[response.id] = encode(instrument, response.answers)  # type: ignore[index]
            session.add(response)
    if out:
        session.commit()
    return out


def compute(
    *,
    session: Session,
    campaign: Campaign,
    rules: SchemeRules | None = None,
    only_ids: np.ndarray | None = None,
) -> tuple[GradeResult, Inputs]:
    """The campaign's grade now (nothing stored)."""
    if rules is None:
        rules = scheme_rules(session.get(Scheme, campaign.scheme_id))  # type: ignore[arg-type]
    inputs = load_inputs(session=session, campaign=campaign, only_ids=only_ids)
    result = grade(rules, inputs.batches, locations=inputs.locations, excluded=inputs.excluded)
    return result, inputs


def lock(*, session: Session, campaign: Campaign, actor: str) -> GradeSnapshot:
    """Grade and store the snapshot that reproduces it; a certified grade gets a public certificate token."""
    row = session.get(Scheme, campaign.scheme_id)
    result, inputs = compute(session=session, campaign=campaign, rules=scheme_rules(row))  # type: ignore[arg-type]
    packed = zlib.compress(inputs.counted_ids.tobytes())
    certified = result.status == "certified"
    rules = scheme_rules(row)  # type: ignore[arg-type]
    snapshot = GradeSnapshot(
        campaign_id=campaign.id,
        created_by=actor,
        locked=True,
        scheme_key=rules.key,  # type: ignore[arg-type]
        scheme_definition=row.definition,
        instrument_versions=inputs.versions,
        counted_ids=packed,  # type: ignore[union-attr]
        counted_sha256=hashlib.sha256(inputs.counted_ids.tobytes()).hexdigest(),
        result=result.to_dict(),
        certificate_token=secrets.token_urlsafe(16) if certified else None,
        valid_until=utcnow() + timedelta(days=365 * rules.validity_years) if certified else None,
    )
    session.add(snapshot)
    session.commit()
    return snapshot


def recompute(*, session: Session, snapshot: GradeSnapshot) -> dict:
    """The result a locked snapshot gives when computed again from its own scheme and counted ids."""
    rules, problems = parse_scheme(snapshot.scheme_definition, source=f"snapshot:{snapshot.id}")
    if rules is None:
        raise ValueError("; ".join(map(str, problems)))
    ids = np.frombuffer(zlib.decompress(snapshot.counted_ids), dtype=np.int64)
    campaign = session.get(Campaign, snapshot.campaign_id)
    result, inputs = compute(session=session, campaign=campaign, rules=rules, only_ids=ids)  # type: ignore[arg-type]
    data = result.to_dict()
    data["excluded"] = snapshot.result.get("excluded", {})  # exclusions are part of what was locked
    return data


def latest_snapshot(*, session: Session, campaign_id: int) -> GradeSnapshot | None:
    return session.exec(
        select(GradeSnapshot)
        .where(GradeSnapshot.campaign_id == campaign_id, GradeSnapshot.locked)
        .order_by(col(GradeSnapshot.id).desc())
    ).first()


def cycle_change(*, session: Session, campaign: Campaign, current: dict) -> dict | None:
    """Against the previous cycle's locked grade: 'unchanged', 'up' or 'down', with the score trend."""
    if campaign.previous_campaign_id is None:
        return None
    before = latest_snapshot(session=session, campaign_id=campaign.previous_campaign_id)
    if before is None:
        return None
    old, new = before.result, current
    tiers = [t["id"] for t in before.scheme_definition.get("tiers", [])]
    if old.get("tier") == new.get("tier"):
        verdict = "unchanged"
    elif new.get("tier") in tiers and old.get("tier") in tiers:
        verdict = "up" if tiers.index(new["tier"]) < tiers.index(old["tier"]) else "down"
    else:
        verdict = "up" if new.get("status") == "certified" else "down"
    trend = [
        {"id": c["id"], "before": o.get("score"), "after": c.get("score")}
        for c in new.get("components", [])
        for o in old.get("components", [])
        if o["id"] == c["id"]
    ]
    return {
        "verdict": verdict,
        "before_tier": old.get("tier"),
        "after_tier": new.get("tier"),
        "trend": trend,
        "before_total": old.get("total"),
        "after_total": new.get("total"),
    }
