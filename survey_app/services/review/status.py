"""The one door for a response's status: a transition table, checked, with its audit row in the same
transaction, and the rules of a locked grade decided here, not by the caller.

Statuses (DESIGN.md): received -> (flagged) -> callback due -> verified | rejected | unreachable; the lead
auditor can exclude or re-include with a reason. What counts in a grade is defined here once (`COUNTED`,
`NOT_COUNTED`, `counted_clause`) and used by the grade, the review summary and the API.

Once a campaign's grade is locked (and not reopened), no response moves: not by a draw, a decision, a bulk
decision or the model's re-flagging. The model may still store a score (`moves_frozen`), which never changes
what counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, event
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from survey_app.errors import Conflict, Invalid, Locked
from survey_app.models import GradeSnapshot, ResponseStatus, SurveyResponse
from survey_app.services import audit

RECEIVED, FLAGGED, CALLBACK_DUE = ResponseStatus.RECEIVED, ResponseStatus.FLAGGED, ResponseStatus.CALLBACK_DUE
VERIFIED, REJECTED, UNREACHABLE = ResponseStatus.VERIFIED, ResponseStatus.REJECTED, ResponseStatus.UNREACHABLE
EXCLUDED = ResponseStatus.EXCLUDED

# (from, to) -> who may make the move: "model" (fraud scoring), "draw" (the callback sample), "lead"
TRANSITIONS: dict[tuple[ResponseStatus, ResponseStatus], frozenset[str]] = {
    (RECEIVED, FLAGGED): frozenset({"model"}),
    (FLAGGED, RECEIVED): frozenset({"model"}),
    (RECEIVED, CALLBACK_DUE): frozenset({"draw", "lead"}),
    (FLAGGED, CALLBACK_DUE): frozenset({"draw", "lead"}),
    (CALLBACK_DUE, VERIFIED): frozenset({"lead"}),
    (CALLBACK_DUE, REJECTED): frozenset({"lead"}),
    (CALLBACK_DUE, UNREACHABLE): frozenset({"lead"}),
    (UNREACHABLE, VERIFIED): frozenset({"lead"}),
    (UNREACHABLE, REJECTED): frozenset({"lead"}),
    (UNREACHABLE, CALLBACK_DUE): frozenset({"lead"}),
    (RECEIVED, VERIFIED): frozenset({"lead"}),
    (FLAGGED, VERIFIED): frozenset({"lead"}),
    **{(s, EXCLUDED): frozenset({"lead"}) for s in (RECEIVED, FLAGGED, CALLBACK_DUE, VERIFIED, UNREACHABLE)},
    (EXCLUDED, RECEIVED): frozenset({"lead"}),
    (REJECTED, VERIFIED): frozenset({"lead"}),
    (REJECTED, RECEIVED): frozenset({"lead"}),
}
# moves that take something out of the grade, or put it back: a reason is required
NEEDS_REASON = frozenset(
    move for move in TRANSITIONS if move[1] in (EXCLUDED, REJECTED) or move[0] in (EXCLUDED, REJECTED)
)
# what counts in a grade: an unanswered phone is not proof of a fake; rejected at callback or excluded by the
# lead auditor never count (the values name why, in a grade's "excluded" counts)
NOT_COUNTED: dict[ResponseStatus, str] = {
    REJECTED: "rejected at callback",
    EXCLUDED: "excluded by the lead auditor",
}
COUNTED = frozenset(s for s in ResponseStatus if s not in NOT_COUNTED)


class IllegalTransition(Conflict):
    code = "illegal_transition"


def counts(status: str) -> bool:
    """Whether a response in this status counts in the grade."""
    return ResponseStatus(status) in COUNTED


def counted_clause(campaign_id: int | None) -> ColumnElement[bool]:
    """The SQL condition for a campaign's responses that count in its grade."""
    return and_(
        col(SurveyResponse.campaign_id) == campaign_id, col(SurveyResponse.status).not_in(list(NOT_COUNTED))
    )


def can_move(current: str, to: str, kind: str = "lead") -> bool:
    """Whether `kind` may move a response from `current` to `to` (the lock aside)."""
    return kind in TRANSITIONS.get((ResponseStatus(current), ResponseStatus(to)), frozenset())


LOCKS = "mingcha_locked_campaigns"


def moves_frozen(*, session: Session, campaign_id: int) -> bool:
    """Whether the campaign's grade is locked (and not reopened): then no response may move. Read once per
    transaction (a draw moves thousands of responses); a lock taken or reopened in this transaction is seen,
    since both go through `grades.locks`, which calls `forget_lock`."""
    known: dict[int, bool] = session.info.setdefault(LOCKS, {})
    if campaign_id not in known:
        query = select(GradeSnapshot.id).where(
            GradeSnapshot.campaign_id == campaign_id,
            col(GradeSnapshot.locked).is_(True),
            col(GradeSnapshot.reopened_at).is_(None),
        )
        known[campaign_id] = session.exec(query.limit(1)).first() is not None
    return known[campaign_id]


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
@event.listens_for(Session, "after_soft_rollback")
def _forget_locks(session: Session, *_args: Any) -> None:
    """What was read of the locks holds for one transaction only."""
    session.info.pop(LOCKS, None)


def forget_lock(*, session: Session, campaign_id: int | None) -> None:
    """The campaign's lock changed in this transaction: read it again at the next move."""
    session.info.get(LOCKS, {}).pop(campaign_id, None)


def transition(
    *,
    session: Session,
    response: SurveyResponse,
    to: ResponseStatus,
    actor: str,
    kind: str = "lead",
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Move a response to `to`, or raise; writes exactly one audit row when it moves.

    `kind` is who acts ("model", "draw" or "lead"). A locked grade refuses every move (Locked), whoever asks.
    """
    current = ResponseStatus(response.status)
    if not can_move(current, to, kind):
        raise IllegalTransition(frm=current.value, to=ResponseStatus(to).value)
    if moves_frozen(session=session, campaign_id=response.campaign_id):
        raise Locked()
    reason = reason.strip()
    if (current, ResponseStatus(to)) in NEEDS_REASON and not reason:
        raise Invalid("reason_required")
    response.status = ResponseStatus(to)
    session.add(response)
    audit.append(
        session=session,
        actor=actor,
        action=f"response.{kind}",
        campaign_id=response.campaign_id,
        subject=f"response:{response.public_id}",
        old=current.value,
        new=ResponseStatus(to).value,
        reason=reason,
        detail=detail,
    )


def note(*, session: Session, response: SurveyResponse, actor: str, reason: str) -> None:
    """Record that a response stays where it is ("keep pending", with what was said): refused once the grade
    is locked, like a move."""
    if moves_frozen(session=session, campaign_id=response.campaign_id):
        raise Locked()
    audit.append(
        session=session,
        actor=actor,
        action="response.pending",
        campaign_id=response.campaign_id,
        subject=f"response:{response.public_id}",
        old=response.status,
        new=response.status,
        reason=reason.strip(),
    )
