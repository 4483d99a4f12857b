"""The one door for a response's status: a transition table, checked, with its audit row in the same
transaction.

Statuses (DESIGN.md): received -> (flagged) -> callback due -> verified | rejected | unreachable; the lead
auditor can exclude or re-include with a reason. Rejected and excluded responses never count in the grade.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from survey_app.errors import Conflict, Invalid, Locked
from survey_app.models import ResponseStatus as S
from survey_app.models import Submission
from survey_app.services import audit

# (from, to) -> who may make the move: "model" (fraud scoring), "draw" (the callback sample), "lead"
TRANSITIONS: dict[tuple[S, S], frozenset[str]] = {
    (S.RECEIVED, S.FLAGGED): frozenset({"model"}),
    (S.FLAGGED, S.RECEIVED): frozenset({"model"}),
    (S.RECEIVED, S.CALLBACK_DUE): frozenset({"draw", "lead"}),
    (S.FLAGGED, S.CALLBACK_DUE): frozenset({"draw", "lead"}),
    (S.CALLBACK_DUE, S.VERIFIED): frozenset({"lead"}),
    (S.CALLBACK_DUE, S.REJECTED): frozenset({"lead"}),
    (S.CALLBACK_DUE, S.UNREACHABLE): frozenset({"lead"}),
    (S.UNREACHABLE, S.VERIFIED): frozenset({"lead"}),
    (S.UNREACHABLE, S.REJECTED): frozenset({"lead"}),
    (S.UNREACHABLE, S.CALLBACK_DUE): frozenset({"lead"}),
    (S.RECEIVED, S.VERIFIED): frozenset({"lead"}),
    (S.FLAGGED, S.VERIFIED): frozenset({"lead"}),
    **{
        (s, S.EXCLUDED): frozenset({"lead"})
        for s in (S.RECEIVED, S.FLAGGED, S.CALLBACK_DUE, S.VERIFIED, S.UNREACHABLE)
    },
    (S.EXCLUDED, S.RECEIVED): frozenset({"lead"}),
    (S.REJECTED, S.VERIFIED): frozenset({"lead"}),
    (S.REJECTED, S.RECEIVED): frozenset({"lead"}),
}
# moves that take something out of the grade, or put it back: a reason is required
NEEDS_REASON = frozenset(
    move for move in TRANSITIONS if move[1] in (S.EXCLUDED, S.REJECTED) or move[0] in (S.EXCLUDED, S.REJECTED)
)
COUNTED = frozenset({S.RECEIVED, S.FLAGGED, S.CALLBACK_DUE, S.VERIFIED, S.UNREACHABLE})


class IllegalTransition(Conflict):
    code = "illegal_transition"


def can_move(current: str, to: str, kind: str = "lead") -> bool:
    """Whether `kind` may move a response from `current` to `to`."""
    return kind in TRANSITIONS.get((S(current), S(to)), frozenset())


def transition(
    db: Session,
    response: Submission,
    *,
    to: S,
    actor: str,
    kind: str = "lead",
    reason: str = "",
    locked: bool = False,
    detail: dict[str, Any] | None = None,
) -> None:
    """Move a response to `to`, or raise; writes exactly one audit row when it moves.

    `kind` is who acts ("model", "draw" or "lead"); `locked` says the campaign's grade is locked, which
    refuses every move except the model's own flagging (which never changes what counts).
    """
    current = S(response.status)
    move = (current, S(to))
    if not can_move(current, to, kind):
        raise IllegalTransition(frm=current.value, to=S(to).value)
    if locked and kind != "model":
        raise Locked()
    reason = reason.strip()
    if move in NEEDS_REASON and not reason:
        raise Invalid("reason_required")
    response.status = S(to)
    db.add(response)
    audit.append(
        db,
        actor=actor,
        action=f"response.{kind}",
        campaign_id=response.campaign_id,
        subject=f"response:{response.public_id}",
        old=current.value,
        new=S(to).value,
        reason=reason,
        detail=detail,
    )
