"""Inter-rater agreement per campaign: percent agreement and weighted kappa per auditor pair and overall,
over the scored items of every two-rater visit whose sheets were both submitted (seed L389)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from grading.agreement import Agreement, agreement
from grading.codes import encode
from survey_app.models import Campaign, User, VisitStatus
from survey_app.services.field.visits import campaign_visits, instrument_of


@dataclass(frozen=True)
class PairAgreement:
    pair: tuple[str, str]
    visits: int
    result: Agreement


def campaign_agreement(*, session: Session, campaign: Campaign) -> tuple[list[PairAgreement], PairAgreement]:
    pairs: dict[tuple[str, str], tuple[list[int], list[int], int]] = {}
    names: dict[int, str] = {}
    for visit, sheets in campaign_visits(session=session, campaign=campaign):
        if visit.status == VisitStatus.CANCELLED or len(sheets) != 2:
            continue
        if any(s.submitted_at is None for s in sheets):
            continue
        instrument = instrument_of(session=session, visit=visit)
        for s in sheets:
            if s.auditor_id not in names:
                found = session.get(User, s.auditor_id)
                names[s.auditor_id] = found.username if found else str(s.auditor_id)
        ordered = sorted(sheets, key=lambda s: names[s.auditor_id])
        key = (names[ordered[0].auditor_id], names[ordered[1].auditor_id])
        first, second, n = pairs.get(key, ([], [], 0))
        first += list(encode(instrument, ordered[0].answers))
        second += list(encode(instrument, ordered[1].answers))
        pairs[key] = (first, second, n + 1)
    rows = [PairAgreement(k, n, agreement(a, b)) for k, (a, b, n) in sorted(pairs.items())]
    all_a = [x for a, _b, _n in pairs.values() for x in a]
    all_b = [x for _a, b, _n in pairs.values() for x in b]
    overall = PairAgreement(("", ""), sum(n for _a, _b, n in pairs.values()), agreement(all_a, all_b))
    return rows, overall
