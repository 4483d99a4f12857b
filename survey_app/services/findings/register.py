"""The findings register: raise a finding (its deadline defaulted by type), and the one door every move goes
through (a transition table, required words for each move, one audit row each). Nothing is ever deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from survey_app.clock import utcnow
from survey_app.errors import Conflict, Invalid, NotFound
from survey_app.models import Campaign, CriterionSource, Finding, FindingState, FindingType, ident
from survey_app.services import audit

S = FindingState
# documented defaults (docs/findings.md): days the organisation has to correct, by type; none for the rest
DEFAULT_DAYS = {FindingType.MAJOR: 30, FindingType.MINOR: 90, FindingType.IMPROVEMENT: 180}
# the moves: name -> (states it may start from, the state it leads to, the fields it needs)
MOVES: dict[str, tuple[frozenset[str], str, tuple[str, ...]]] = {
    "submit": (
        frozenset({S.OPEN, S.RETURNED}),
        S.SUBMITTED,
        ("root_cause", "correction", "corrective_action"),
    ),
    "verify": (frozenset({S.SUBMITTED}), S.VERIFIED, ()),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED, ("note",)),
    "close": (frozenset({S.VERIFIED}), S.CLOSED, ()),
    "equivalent": (frozenset({S.OPEN, S.RETURNED, S.SUBMITTED}), S.EQUIVALENT, ("note",)),
    "withdraw": (frozenset({S.OPEN, S.RETURNED, S.SUBMITTED, S.VERIFIED}), S.WITHDRAWN, ("note",)),
}
WAITING = frozenset({S.OPEN, S.RETURNED})  # the organisation owes an action: these can be overdue
FINISHED = frozenset({S.CLOSED, S.EQUIVALENT, S.WITHDRAWN})


@dataclass(frozen=True)
class FindingInput:
    """What the lead auditor writes when raising a finding."""

    type: str
    criterion_source: str
    description: str
    criterion_other: str = ""
    clause: str = ""
    evidence: str = ""
    origin: str = ""
    deadline: datetime | None = None


def check(data: FindingInput, now: datetime) -> dict[str, str]:
    """Every problem with a new finding, by field (empty when it can be raised)."""
    problems: dict[str, str] = {}
    if data.type not in set(FindingType):
        problems["type"] = "finding_bad_type"
    if data.criterion_source not in set(CriterionSource):
        problems["criterion_source"] = "finding_bad_source"
    elif data.criterion_source == CriterionSource.OTHER and not data.criterion_other.strip():
        problems["criterion_other"] = "finding_other_source"
    if not data.description.strip():
        problems["description"] = "finding_no_description"
    if data.deadline is not None and data.deadline <= now:
        problems["deadline"] = "finding_past_deadline"
    return problems


def raise_finding(*, session: Session, campaign: Campaign, data: FindingInput, actor: str) -> Finding:
    """Record a finding (numbered within the campaign); its deadline defaults by type."""
    now = utcnow()
    problems = check(data, now)
    if problems:
        raise Invalid(next(iter(problems.values())))
    days = DEFAULT_DAYS.get(FindingType(data.type))
    deadline = data.deadline or (now + timedelta(days=days) if days else None)
    last = session.exec(select(func.max(Finding.number)).where(Finding.campaign_id == campaign.id)).one()
    finding = Finding(
        campaign_id=ident(campaign),
        number=int(last or 0) + 1,
        type=data.type,
        criterion_source=data.criterion_source,
        criterion_other=data.criterion_other.strip()[:200],
        clause=data.clause.strip()[:200],
        description=data.description.strip()[:2000],
        evidence=data.evidence.strip()[:2000],
        origin=data.origin.strip()[:120],
        deadline=deadline,
        raised_by=actor[:60],
        raised_at=now,
        updated_at=now,
    )
    session.add(finding)
    session.flush()
    audit.append(
        session=session,
        actor=actor,
        action="finding.raise",
        campaign_id=campaign.id,
        subject=f"finding:{finding.number}",
        new=S.OPEN,
        detail={"type": data.type, "criterion_source": data.criterion_source},
    )
    return finding


def move(*, session: Session, finding: Finding, name: str, fields: dict[str, str], actor: str) -> Finding:
    """One move through the door: refused from the wrong state (409) or without its words (422)."""
    if name not in MOVES:
        raise Invalid("finding_bad_move")
    sources, target, needed = MOVES[name]
    if finding.state not in sources:
        raise Conflict("finding_wrong_state")
    words = {
        key: (fields.get(key) or "").strip()
        for key in ("root_cause", "correction", "corrective_action", "note")
    }
    if any(not words[key] for key in needed):
        raise Invalid("finding_needs_words" if name != "submit" else "finding_needs_action")
    old = finding.state
    if name == "submit":
        finding.root_cause = words["root_cause"][:2000]
        finding.correction = words["correction"][:2000]
        finding.corrective_action = words["corrective_action"][:2000]
    if words["note"]:
        finding.closing_note = words["note"][:2000]
    finding.state = target
    finding.updated_at = utcnow()
    session.add(finding)
    audit.append(
        session=session,
        actor=actor,
        action="finding.move",
        campaign_id=finding.campaign_id,
        subject=f"finding:{finding.number}",
        old=old,
        new=target,
        reason=words["note"][:1000],
    )
    return finding


def unfinished(*, session: Session, campaign: Campaign) -> list[Finding]:
    """The campaign's findings not yet closed or withdrawn, by number."""
    query = select(Finding).where(
        Finding.campaign_id == campaign.id, col(Finding.state).not_in(list(FINISHED))
    )
    return list(session.exec(query.order_by(col(Finding.number))))


def carry_over(*, session: Session, source: Campaign, target: Campaign, actor: str) -> int:
    """Surveillance: the previous cycle's unfinished findings continue in the next one, in the state they
    were in, each linked back and marked to be verified at the next visit (one audit row each)."""
    carried = 0
    for old in unfinished(session=session, campaign=source):
        carried += 1
        new = Finding(
            campaign_id=ident(target),
            number=carried,
            type=old.type,
            criterion_source=old.criterion_source,
            criterion_other=old.criterion_other,
            clause=old.clause,
            description=old.description,
            evidence=old.evidence,
            origin=f"cycle:{source.code}/{old.number}"[:120],
            state=old.state,
            deadline=old.deadline,
            raised_by=old.raised_by,
            raised_at=old.raised_at,
            root_cause=old.root_cause,
            correction=old.correction,
            corrective_action=old.corrective_action,
            closing_note=old.closing_note,
            carried_from=old.id,
        )
        session.add(new)
        session.flush()
        audit.append(
            session=session,
            actor=actor,
            action="finding.carry",
            campaign_id=target.id,
            subject=f"finding:{new.number}",
            new=new.state,
            detail={"from": f"{source.code}/{old.number}"},
        )
    return carried


def is_overdue(finding: Finding, now: datetime | None = None) -> bool:
    """Past its deadline while the organisation still owes the action."""
    when = now or utcnow()
    return finding.state in WAITING and finding.deadline is not None and finding.deadline < when


def moves_from(finding: Finding) -> list[str]:
    """The moves this finding can make now (what its page offers)."""
    return [name for name, (sources, _target, _needed) in MOVES.items() if finding.state in sources]


def findings_of(*, session: Session, campaign: Campaign, state: str = "", kind: str = "") -> list[Finding]:
    query = select(Finding).where(Finding.campaign_id == campaign.id)
    if state == "overdue":
        query = query.where(col(Finding.state).in_(list(WAITING)), col(Finding.deadline) < utcnow())
    elif state in set(FindingState):
        query = query.where(Finding.state == state)
    if kind in set(FindingType):
        query = query.where(Finding.type == kind)
    return list(session.exec(query.order_by(col(Finding.number).desc())))


def by_number(*, session: Session, campaign: Campaign, number: int) -> Finding:
    found = session.exec(
        select(Finding).where(Finding.campaign_id == campaign.id, Finding.number == number)
    ).first()
    if found is None:
        raise NotFound("finding_not_found")
    return found


def as_json(finding: Finding) -> dict[str, Any]:
    """A finding as the read API gives it."""
    return {
        "id": finding.number,
        "type": finding.type,
        "criterion_source": finding.criterion_source,
        "criterion_other": finding.criterion_other,
        "clause": finding.clause,
        "description": finding.description,
        "state": finding.state,
        "deadline": finding.deadline.date().isoformat() if finding.deadline else None,
        "overdue": is_overdue(finding),
        "raised_by": finding.raised_by,
        "raised_at": finding.raised_at.isoformat(),
        "actions": [
            {"root_cause": finding.root_cause, "correction": finding.correction,
             "corrective_action": finding.corrective_action}
        ] if finding.root_cause else [],
    }  # fmt: skip
