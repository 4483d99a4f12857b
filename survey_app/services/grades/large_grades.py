"""A large campaign's grade, computed by the job worker for its report and analysis pages (seconds at a
million responses) and shown while nothing it depends on has changed; a smaller campaign is graded at once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from survey_app.models import AuditHead, Blob, Campaign, Job, JobState, SurveyResponse
from survey_app.services.grades import grading

MEDIA = "application/json"


@dataclass(frozen=True)
class Waiting:
    """No grade to show yet: the responses, the newest grade job, whether an older grade is out of date."""

    count: int
    job: Job | None
    stale: bool


def fingerprint(*, session: Session, campaign: Campaign) -> tuple[int, str]:
    """(responses, a key of what the grade depends on): it changes when a response arrives, moves or is
    decided (every move writes the campaign's audit chain), a visit's sheet or a location changes (audited
    too), or the scheme is changed."""
    count, last = session.exec(
        select(func.count(), func.max(SurveyResponse.id)).where(SurveyResponse.campaign_id == campaign.id)
    ).one()
    head = session.get(AuditHead, campaign.id)  # a campaign's audit chain is numbered by its id
    key = f"{campaign.id}:{campaign.scheme_id}:{count}:{last or 0}:{head.seq if head else 0}"
    return int(count), key


def payload(*, session: Session, campaign: Campaign) -> bytes:
    """What the grade job keeps: the result, the responses per location and the key it was computed from,
    read in the same unit of work."""
    _count, key = fingerprint(session=session, campaign=campaign)
    result, inputs = grading.compute(session=session, campaign=campaign)
    found = {"fingerprint": key, "result": result.to_dict(), "locations": inputs.locations}
    return json.dumps(found, ensure_ascii=False).encode()


def for_page(
    *, session: Session, campaign: Campaign, inline_limit: int
) -> tuple[dict[str, Any], dict[str, int]] | Waiting:
    """(the result, the responses per location): computed now up to `inline_limit` responses; above it the
    worker's, while its key still holds; else what the page needs to offer computing it."""
    count, key = fingerprint(session=session, campaign=campaign)
    if count <= inline_limit:
        graded, inputs = grading.compute(session=session, campaign=campaign)
        return graded.to_dict(), inputs.locations
    jobs = select(Job).where(Job.campaign_id == campaign.id, Job.kind == "grade").order_by(col(Job.id).desc())
    newest = session.exec(jobs.limit(1)).first()
    done = session.exec(jobs.where(col(Job.state) == JobState.DONE).limit(1)).first()
    blob = session.get(Blob, done.result_sha256) if done and done.result_sha256 else None
    stored = json.loads(blob.data) if blob is not None else None
    if stored is None or stored.get("fingerprint") != key:
        return Waiting(count, newest, stale=stored is not None)
    return stored["result"], stored["locations"]
