"""Low-score follow-up (seed L399): where a survey item scores low, recommend enlarging the sample
at the locations that score lowest (with the extra responses needed for a target margin of error) and opening
an on-site verification task."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from sqlmodel import Session, col, select

from forms.schema import Label
from grading.codes import matrix, scored_items
from survey_app.clock import utcnow
from survey_app.errors import Invalid, NotFound
from survey_app.models import (
    Campaign,
    InstrumentVersion,
    Location,
    StoredScheme,
    SurveyResponse,
    User,
    VerificationTask,
    ident,
)
from survey_app.services import audit
from survey_app.services.campaigns.instruments import materialise
from survey_app.services.grades.schemes import scheme_rules
from survey_app.services.review.status import counted_clause

LOW_SCORE = 60.0  # items and dimensions under 60% of their points (the report's "items to review" line)
MARGIN = 5.0  # target half-width of the 95% interval, in points of 100
Z95 = 1.959963984540054
TOP_LOCATIONS = 3
TASK_RESULTS = ("confirmed", "not_confirmed")


def _sd(values: np.ndarray) -> float:
    """Sample standard deviation (0 for fewer than two values: no spread seen yet)."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def extra_needed(sd: float, n: int, margin: float = MARGIN, z: float = Z95) -> int:
    """More responses needed so that a mean's 95% interval is +/- `margin`: ceil((z*sd/margin)^2) - n."""
    if margin <= 0 or not math.isfinite(sd):
        return 0
    return max(0, math.ceil((z * sd / margin) ** 2 - 1e-9) - n)


@dataclass
class LocationShortfall:
    code: str
    score: float
    n: int
    extra: int


@dataclass
class Recommendation:
    item_id: str
    label: Label
    score: float
    locations: list[LocationShortfall] = field(default_factory=list)


def recommendations(*, session: Session, campaign: Campaign) -> list[Recommendation]:
    """Low items of the campaign's survey, with the lowest-scoring locations and the extra sample needed."""
    scheme = session.get(StoredScheme, campaign.scheme_id)
    if scheme is None:
        return []
    rules = scheme_rules(scheme)
    codes_by_loc = {
        loc.id: loc.code for loc in session.exec(select(Location).where(Location.campaign_id == campaign.id))
    }
    version = session.get(InstrumentVersion, campaign.survey_instrument_id)
    if version is None:
        return []
    instrument = materialise(version)
    components = [c for c in rules.components if c.source == "survey" and c.instrument == instrument.id]
    if not components:
        return []
    family = np.array([np.nan, *map(float, rules.coefficients[components[0].coefficient])])
    items = scored_items(instrument)
    rows = session.exec(
        select(SurveyResponse.location_id, SurveyResponse.answer_codes).where(
            counted_clause(campaign.id),
            SurveyResponse.instrument_version_id == version.id,
            col(SurveyResponse.answer_codes).is_not(None),
        )
    ).all()
    width = len(items)
    kept = [(loc, codes) for loc, codes in rows if codes is not None and len(codes) == width]
    if not kept:
        return []
    codes = matrix([c for _loc, c in kept], width).astype(int)
    where = np.array([codes_by_loc.get(loc or 0, "") for loc, _c in kept])
    out = []
    for j, item in enumerate(items):
        if item.type != "likert5":
            continue
        column = codes[:, j]
        answered = (column >= 1) & (column <= 5)
        value = np.where(item.reverse, 6 - column, column)
        points = np.where(answered, 100 * family[np.clip(value, 0, 5)], np.nan)
        if not answered.any() or float(np.nanmean(points)) >= LOW_SCORE:
            continue
        per_location = []
        for code in sorted(set(where[answered]) - {""}):
            here = points[(where == code) & answered]
            sd = _sd(here) if len(here) > 1 else _sd(points[answered])
            per_location.append(
                LocationShortfall(code, float(np.mean(here)), len(here), extra_needed(sd, len(here)))
            )
        per_location.sort(key=lambda s: s.score)
        out.append(
            Recommendation(item.id, item.label, float(np.nanmean(points)), per_location[:TOP_LOCATIONS])
        )
    return sorted(out, key=lambda r: r.score)


def tasks(*, session: Session, campaign: Campaign) -> list[VerificationTask]:
    return list(
        session.exec(
            select(VerificationTask)
            .where(VerificationTask.campaign_id == campaign.id)
            .order_by(col(VerificationTask.id).desc())
        )
    )


def open_task(
    *,
    session: Session,
    campaign: Campaign,
    what: str,
    location_code: str,
    assigned_to: int | None,
    actor: str,
) -> VerificationTask:
    """An on-site verification task: what to check, where, by whom."""
    what = what.strip()
    if not what:
        raise Invalid("task_what_required")
    if assigned_to is not None and session.get(User, assigned_to) is None:
        raise Invalid("unknown_user")
    task = VerificationTask(
        campaign_id=ident(campaign),
        what=what[:500],
        location_code=location_code.strip()[:40],
        assigned_to=assigned_to,
        created_by=actor[:60],
    )
    session.add(task)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="task.open",
        campaign_id=campaign.id,
        subject=f"task:{task.id}",
        new="open",
        detail={"what": task.what, "where": task.location_code},
    )
    return task


def close_task(
    *, session: Session, campaign: Campaign, task_id: int, result: str, note: str, actor: str
) -> None:
    """Record what the on-site check found: confirmed or not confirmed, with a note."""
    task = session.get(VerificationTask, task_id)
    if task is None or task.campaign_id != campaign.id:
        raise NotFound("not_found")
    if result not in TASK_RESULTS:
        raise Invalid("bad_task_result")
    old = task.status
    task.status, task.note, task.closed_at = result, note.strip()[:1000], utcnow()
    session.add(task)
    audit.append(
        session=session,
        actor=actor,
        action="task.result",
        campaign_id=campaign.id,
        subject=f"task:{task.id}",
        old=old,
        new=result,
        reason=task.note,
    )


def assignees(*, session: Session, campaign: Campaign) -> list[User]:
    """Users who can be given a task on this campaign (its members)."""
    from survey_app.models import CampaignMember

    ids = select(CampaignMember.user_id).where(CampaignMember.campaign_id == campaign.id)
    return list(session.exec(select(User).where(col(User.id).in_(ids)).order_by(col(User.username))))
