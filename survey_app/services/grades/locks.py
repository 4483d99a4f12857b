"""A campaign's grade as the record: locked (a snapshot that reproduces it), reopened with a reason,
recomputed from its own counted ids; and the certificate's status."""

from __future__ import annotations

import hashlib
import secrets
import zlib
from datetime import timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from grading.loader import parse_scheme
from survey_app import keyring
from survey_app.clock import utcnow
from survey_app.errors import Conflict, Invalid, NotFound
from survey_app.models import Campaign, GradeSnapshot, StoredScheme, ident
from survey_app.services import audit
from survey_app.services.grades import certificates
from survey_app.services.grades.grading import compute
from survey_app.services.grades.schemes import scheme_rules
from survey_app.services.review.status import forget_lock


def fingerprint(result: dict[str, Any]) -> str:
    """A short digest of what a result says (outcome, tier, every score and n): the lock confirmation page
    carries it, so a grade that changed after the page was shown is not locked unseen."""
    return certificates.digest(certificates.result_part(result))[:16]


def lock(
    *,
    session: Session,
    campaign: Campaign,
    actor: str,
    no_certificate: bool = False,
    expected: str = "",
) -> GradeSnapshot:
    """Grade and store the snapshot that reproduces it, with an audit checkpoint taken at the lock and the
    whole signed (a compact JWS); a certified grade gets its public certificate and a signed status. A result
    without a tier is locked only when asked for in so many words (`no_certificate`); with `expected` (the
    confirmation page's fingerprint) a grade that changed since is refused."""
    if latest_snapshot(session=session, campaign_id=campaign.id) is not None:
        raise Conflict("already_locked")
    row = session.get(StoredScheme, campaign.scheme_id)
    if row is None:
        raise Conflict("conflict")
    rules = scheme_rules(row)
    result, inputs = compute(session=session, campaign=campaign, rules=rules)
    if expected and fingerprint(result.to_dict()) != expected:
        raise Conflict("grade_changed")
    certified = result.status == "certified"
    if not certified and not no_certificate:
        raise Invalid("lock_without_certificate")
    snapshot = GradeSnapshot(
        campaign_id=ident(campaign),
        created_by=actor,
        locked=True,
        scheme_key=rules.key,
        scheme_definition=row.definition,
        instrument_versions=inputs.versions,
        counted_ids=zlib.compress(inputs.counted_ids.tobytes()),
        counted_sha256=hashlib.sha256(inputs.counted_ids.tobytes()).hexdigest(),
        counted_visits=inputs.visit_ids,
        result=result.to_dict(),
        certificate_token=secrets.token_urlsafe(16) if certified else None,
        certificate_status="valid" if certified else "",
        valid_until=utcnow() + timedelta(days=365 * rules.validity_years) if certified else None,
    )
    session.add(snapshot)
    session.flush()
    forget_lock(session=session, campaign_id=campaign.id)
    if certified:  # the certificate number: the year of issue and the snapshot's number
        snapshot.certificate_number = f"MC{snapshot.created_at:%Y}{ident(snapshot):06d}"
    audit.append(
        session=session,
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
            "certificate": snapshot.certificate_number,
        },
    )
    snapshot.checkpoint = audit.checkpoint(session=session, chain=ident(campaign)).text()
    document = certificates.snapshot_document(
        snapshot=snapshot,
        campaign=campaign,
        result=snapshot.result,
        counted_sha256=snapshot.counted_sha256,
        counted=int(len(inputs.counted_ids)),
        visits=inputs.visit_ids,
    )
    ring = keyring.active()
    snapshot.snapshot_sha256 = certificates.digest(document)
    snapshot.certificate_jws = certificates.sign(document, ring)
    if certified:
        snapshot.status_jws = certificates.sign(certificates.status_document(snapshot), ring)
    session.add(snapshot)
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
    forget_lock(session=session, campaign_id=campaign.id)
    audit.append(
        session=session,
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
    snapshot.status_jws = certificates.sign(certificates.status_document(snapshot), keyring.active())
    session.add(snapshot)  # the snapshot's own signed document is never signed again
    audit.append(
        session=session,
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


def recompute(*, session: Session, snapshot: GradeSnapshot) -> dict[str, Any]:
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


def certificate(*, session: Session, token: str) -> tuple[GradeSnapshot, Campaign]:
    """The locked grade behind a certificate's public token, and its campaign (NotFound otherwise)."""
    if not 16 <= len(token) <= 40:
        raise NotFound("certificate_not_found")
    snapshot = session.exec(select(GradeSnapshot).where(GradeSnapshot.certificate_token == token)).first()
    campaign = session.get(Campaign, snapshot.campaign_id) if snapshot else None
    if snapshot is None or campaign is None:
        raise NotFound("certificate_not_found")
    return snapshot, campaign


def verify_locked(*, session: Session, campaign: Campaign) -> tuple[str, list[str]]:
    """Recompute the locked grade from the responses and decisions stored now and compare it with the signed
    snapshot: (the snapshot's SHA-256, the differences named; none when it matches)."""
    snapshot = latest_snapshot(session=session, campaign_id=campaign.id)
    if snapshot is None:
        raise Conflict("not_locked")
    out: list[str] = []
    checked = certificates.verify_jws(snapshot.certificate_jws, keyring.active().verifiers())
    if not checked.valid:
        out.append(f"the stored signed snapshot does not verify: {checked.reason}")
    if checked.sha256 != snapshot.snapshot_sha256:
        out.append("the stored snapshot hash is not the hash of the signed document")
    rules, problems = parse_scheme(snapshot.scheme_definition, source=f"snapshot:{snapshot.id}")
    if rules is None:
        raise ValueError("; ".join(map(str, problems)))
    result, inputs = compute(session=session, campaign=campaign, rules=rules)
    now = certificates.snapshot_document(
        snapshot=snapshot,
        campaign=campaign,
        result=result.to_dict(),
        counted_sha256=hashlib.sha256(inputs.counted_ids.tobytes()).hexdigest(),
        counted=int(len(inputs.counted_ids)),
        visits=inputs.visit_ids,
    )
    if certificates.digest(now) != snapshot.snapshot_sha256:
        locked_ids = set(np.frombuffer(zlib.decompress(snapshot.counted_ids), dtype=np.int64).tolist())
        now_ids = set(inputs.counted_ids.tolist())
        if locked_ids != now_ids:
            out.append(
                f"counted responses: {len(locked_ids - now_ids)} no longer counted, "
                f"{len(now_ids - locked_ids)} counted now that were not"
            )
        out += certificates.differences(checked.payload, now)
    return snapshot.snapshot_sha256, out
