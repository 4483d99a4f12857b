"""The status door: every move of the transition table, its reasons, its audit row, and a locked grade."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlmodel import Session, col, func, select

from survey_app.errors import Invalid, Locked
from survey_app.models import (
    AuditLog,
    Campaign,
    GradeSnapshot,
    ResponseStatus,
    SurveyResponse,
)
from survey_app.services import audit
from survey_app.services.review import status
from tests.factories import make_campaign

S = ResponseStatus


def _response(session: Session, campaign: Campaign, status: str) -> SurveyResponse:
    row = SurveyResponse(
        public_id=f"r-{status}-{session.exec(select(func.count()).select_from(SurveyResponse)).one()}",
        idempotency_key=f"k-{uuid.uuid4().hex}",
        campaign_id=campaign.id or 0,
        instrument_version_id=campaign.survey_instrument_id,
        answers={},
        status=status,
    )
    session.add(row)
    session.commit()
    return row


def _audit_rows(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditLog)).one()


# The moves DESIGN.md allows, written out here independently of the door's own table: the fraud model flags
# and unflags; the draw and the lead auditor put a response up for callback; the lead auditor decides after a
# call (verified, rejected, unreachable; an unreachable one may be called again), verifies without a call,
# excludes anything that still counts, and re-includes what was excluded or rejected.
R, F, D, V, J, U, X = (
    S.RECEIVED, S.FLAGGED, S.CALLBACK_DUE, S.VERIFIED, S.REJECTED, S.UNREACHABLE, S.EXCLUDED,
)  # fmt: skip
ALLOWED: dict[str, set[tuple[ResponseStatus, ResponseStatus]]] = {
    "model": {(R, F), (F, R)},
    "draw": {(R, D), (F, D)},
    "lead": {
        (R, D), (F, D), (D, V), (D, J), (D, U), (U, V), (U, J), (U, D), (R, V), (F, V),
        (R, X), (F, X), (D, X), (V, X), (U, X), (X, R), (J, V), (J, R),
    },
}  # fmt: skip


def test_the_door_allows_exactly_the_designed_moves() -> None:
    for kind, allowed in ALLOWED.items():
        found = {(a, b) for a, b in itertools.product(S, S) if status.can_move(a, b, kind)}
        assert found == allowed, (kind, found ^ allowed)


@pytest.mark.parametrize("kind", ["model", "draw", "lead"])
def test_transition_table_every_move(session: Session, kind: str) -> None:
    """Every (from, to) pair: a designed move writes one audit row, any other is refused with none."""
    campaign, _ = make_campaign(session)
    for current, to in itertools.product(S, S):
        response = _response(session, campaign, current)
        before = _audit_rows(session)
        legal = (current, to) in ALLOWED[kind]
        if legal:
            status.transition(
                session=session, response=response, to=to, actor="t", kind=kind, reason="checked by phone"
            )
            session.commit()
            assert response.status == to and _audit_rows(session) == before + 1, (current, to, kind)
            row = session.exec(select(AuditLog).order_by(col(AuditLog.id).desc())).first()
            assert row is not None and (row.old, row.new, row.subject) == (
                current,
                to,
                f"response:{response.public_id}",
            )
        else:
            with pytest.raises(status.IllegalTransition):
                status.transition(session=session, response=response, to=to, actor="t", kind=kind, reason="x")
            session.rollback()
            session.refresh(response)
            assert response.status == current and _audit_rows(session) == before, (current, to, kind)
    assert not audit.verify(session=session)


def test_decisions_that_change_the_count_need_a_reason_and_an_open_grade(session: Session) -> None:
    campaign, _ = make_campaign(session)
    response = _response(session, campaign, S.CALLBACK_DUE)
    with pytest.raises(Invalid):
        status.transition(session=session, response=response, to=S.EXCLUDED, actor="t", reason="  ")
    session.rollback()
    flagged = _response(session, campaign, S.RECEIVED)
    session.add(
        GradeSnapshot(
            campaign_id=campaign.id or 0, locked=True, scheme_key="k", scheme_definition={}, counted_ids=b"",
            counted_sha256="", result={},
        )
    )  # fmt: skip
    session.commit()
    before = _audit_rows(session)
    with pytest.raises(Locked):
        status.transition(session=session, response=response, to=S.EXCLUDED, actor="t", reason="denies")
    with pytest.raises(Locked):
        status.transition(session=session, response=flagged, to=S.FLAGGED, actor="model", kind="model")
    session.rollback()
    assert _audit_rows(session) == before, "a locked grade: nothing moves, the model's flags included"
