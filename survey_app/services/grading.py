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
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, func
from sqlmodel import Session, col, select

from forms import Instrument
from grading.codes import encode, matrix_from, scored_items
from grading.engine import Batch, grade
from grading.loader import parse_scheme
from grading.results import GradeResult
from grading.schema import Scheme as SchemeRules
from survey_app.errors import Conflict, Invalid, NotFound
from survey_app.models import (
    Campaign,
    GradeSnapshot,
    InstrumentVersion,
    Location,
    ResponseStatus,
    Scheme,
    Submission,
    ident,
    utcnow,
)
from survey_app.models_field import Visit, VisitStatus
from survey_app.services import audit
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
    visit_ids: list[int]


def counted_clause(campaign: Campaign) -> Any:
    """The SQL condition for a campaign's responses that count in its grade."""
    return and_(col(Submission.campaign_id) == campaign.id, col(Submission.status).not_in(list(NOT_COUNTED)))


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
        for status, n in session.exec(
            select(Submission.status, func.count())
            .where(Submission.campaign_id == campaign.id, col(Submission.status).in_(list(NOT_COUNTED)))
            .group_by(col(Submission.status))
        ):
            excluded[NOT_COUNTED[ResponseStatus(status)]] = n
        counted = counted_clause(campaign)
    else:
        counted = and_(
            col(Submission.campaign_id) == campaign.id,
            col(Submission.id).in_(_id_subquery(session, only_ids)),
        )
    location_codes = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    counts = dict.fromkeys(location_codes.values(), 0)
    for loc_id, n in session.connection().execute(
        select(Submission.location_id, func.count()).where(counted).group_by(col(Submission.location_id))
    ):
        if loc_id in location_codes:
            counts[location_codes[loc_id]] = n
    batches: dict[str, list[Batch]] = defaultdict(list)
    keys, all_ids = [], []
    version_ids = (
        session.connection().execute(select(Submission.instrument_version_id).where(counted).distinct()).all()
    )
    for (version_id,) in sorted(version_ids):
        instrument = materialise(session.get(InstrumentVersion, version_id))
        width = len(scored_items(instrument))
        rows = (
            session.connection()
            .execute(
                select(Submission.id, Submission.answer_codes).where(
                    counted, Submission.instrument_version_id == version_id
                )
            )
            .all()
        )
        missing = _codes_of_older(session, instrument, [rid for rid, codes in rows if codes is None])
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
    visit_ids = _sheet_batches(session, campaign, batches, keys, only_visits)
    return Inputs(dict(batches), counts, excluded, ids, keys, visit_ids)


def _sheet_batches(
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


def _id_subquery(session: Session, ids: np.ndarray) -> Select[tuple[int]]:
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


def _codes_of_older(session: Session, instrument: Instrument, ids: list[int]) -> dict[int, bytes]:
    """Answer codes computed (not stored: a read never writes) for responses saved before codes existed."""
    out: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):
        query = select(Submission.id, Submission.answers).where(
            col(Submission.id).in_(ids[start : start + 500])
        )
        for rid, answers in session.connection().execute(query):
            out[rid] = encode(instrument, answers or {})
    return out


def backfill_codes(session: Session) -> int:
    """Store answer codes for responses saved before codes existed (run by `migrate`, never by a page)."""
    done = 0
    while True:
        rows = session.exec(select(Submission).where(col(Submission.answer_codes).is_(None)).limit(500)).all()
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
    rules: SchemeRules | None = None,
    only_ids: np.ndarray | None = None,
    only_visits: list[int] | None = None,
) -> tuple[GradeResult, Inputs]:
    """The campaign's grade now (nothing stored)."""
    if rules is None:
        scheme = session.get(Scheme, campaign.scheme_id)
        if scheme is None:
            raise NotFound("not_found")
        rules = scheme_rules(scheme)
    inputs = load_inputs(session=session, campaign=campaign, only_ids=only_ids, only_visits=only_visits)
    result = grade(rules, inputs.batches, locations=inputs.locations, excluded=inputs.excluded)
    return result, inputs


def lock(*, session: Session, campaign: Campaign, actor: str) -> GradeSnapshot:
    """Grade and store the snapshot that reproduces it; a certified grade gets a public certificate token."""
    if latest_snapshot(session=session, campaign_id=campaign.id) is not None:
        raise Conflict("already_locked")
    row = session.get(Scheme, campaign.scheme_id)
    if row is None:
        raise Conflict("conflict")
    rules = scheme_rules(row)
    result, inputs = compute(session=session, campaign=campaign, rules=rules)
    packed = zlib.compress(inputs.counted_ids.tobytes())
    certified = result.status == "certified"
    snapshot = GradeSnapshot(
        campaign_id=ident(campaign),
        created_by=actor,
        locked=True,
        scheme_key=rules.key,
        scheme_definition=row.definition,
        instrument_versions=inputs.versions,
        counted_ids=packed,
        counted_sha256=hashlib.sha256(inputs.counted_ids.tobytes()).hexdigest(),
        counted_visits=inputs.visit_ids,
        result=result.to_dict(),
        certificate_token=secrets.token_urlsafe(16) if certified else None,
        certificate_status="valid" if certified else "",
        valid_until=utcnow() + timedelta(days=365 * rules.validity_years) if certified else None,
    )
    session.add(snapshot)
    session.flush()
    if certified:  # the certificate number: the year of issue and the snapshot's number
        snapshot.certificate_number = f"MC{snapshot.created_at:%Y}{ident(snapshot):06d}"
        session.add(snapshot)
    audit.append(
        session,
        actor=actor,
        action="grade.lock",
        campaign_id=campaign.id,
        subject=f"grade:{snapshot.id}",
        new=result.status,
        detail={
            "tier": result.tier or "",
            "total": str(result.total),
            "counted": int(len(inputs.counted_ids)),
            "sheets": len(inputs.visit_ids),
        },
    )
    return snapshot


def reopen(*, session: Session, campaign: Campaign, actor: str, reason: str) -> GradeSnapshot:
    """Reopen the locked grade (the snapshot stays as a record); a reason is required."""
    snapshot = latest_snapshot(session=session, campaign_id=campaign.id)
    if snapshot is None:
        raise Conflict("not_locked")
    if not reason.strip():
        raise Invalid("reason_required")
    snapshot.reopened_at, snapshot.reopened_by, snapshot.reopen_reason = (
        utcnow(),
        actor[:60],
        reason.strip()[:1000],
    )
    session.add(snapshot)
    audit.append(
        session,
        actor=actor,
        action="grade.reopen",
        campaign_id=campaign.id,
        subject=f"grade:{snapshot.id}",
        old="locked",
        new="open",
        reason=reason.strip(),
    )
    return snapshot


CERTIFICATE_STATUSES = ("valid", "suspended", "withdrawn")


def set_certificate_status(
    *, session: Session, campaign: Campaign, status: str, reason: str, actor: str
) -> GradeSnapshot:
    """Suspend, withdraw or restore the certificate of the locked grade in force; a reason is required."""
    snapshot = latest_snapshot(session=session, campaign_id=campaign.id)
    if snapshot is None or not snapshot.certificate_token:
        raise Conflict("no_certificate")
    if status not in CERTIFICATE_STATUSES or not reason.strip():
        raise Invalid("certificate_status")
    old = snapshot.certificate_status
    snapshot.certificate_status, snapshot.status_reason = status, reason.strip()[:1000]
    snapshot.status_changed_at, snapshot.status_changed_by = utcnow(), actor[:60]
    session.add(snapshot)
    audit.append(
        session,
        actor=actor,
        action="certificate.status",
        campaign_id=campaign.id,
        subject=f"certificate:{snapshot.certificate_number}",
        old=old,
        new=status,
        reason=reason.strip(),
    )
    return snapshot


def is_locked(*, session: Session, campaign: Campaign) -> bool:
    """Whether the campaign has a locked grade that has not been reopened."""
    return latest_snapshot(session=session, campaign_id=campaign.id) is not None


def recompute(*, session: Session, snapshot: GradeSnapshot) -> dict:
    """The result a locked snapshot gives when computed again from its own scheme and counted ids."""
    rules, problems = parse_scheme(snapshot.scheme_definition, source=f"snapshot:{snapshot.id}")
    if rules is None:
        raise ValueError("; ".join(map(str, problems)))
    ids = np.frombuffer(zlib.decompress(snapshot.counted_ids), dtype=np.int64)
    campaign = session.get(Campaign, snapshot.campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found")
    result, inputs = compute(
        session=session,
        campaign=campaign,
        rules=rules,
        only_ids=ids,
        only_visits=[int(v) for v in snapshot.counted_visits or []],
    )
    data = result.to_dict()
    data["excluded"] = snapshot.result.get("excluded", {})  # exclusions are part of what was locked
    return data


def latest_snapshot(*, session: Session, campaign_id: int | None) -> GradeSnapshot | None:
    """The campaign's locked grade in force (a reopened one is no longer in force)."""
    return session.exec(
        select(GradeSnapshot)
        .where(
            GradeSnapshot.campaign_id == campaign_id,
            col(GradeSnapshot.locked).is_(True),
            col(GradeSnapshot.reopened_at).is_(None),
        )
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
