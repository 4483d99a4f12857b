"""A surveillance cycle against the previous cycle's locked grade: "grade unchanged", raised or lowered."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from survey_app.models import Campaign
from survey_app.services.grades.locks import latest_snapshot


def cycle_change(*, session: Session, campaign: Campaign, current: dict[str, Any]) -> dict[str, Any] | None:
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


def history(
    *, session: Session, campaign: Campaign, current: dict[str, Any], limit: int = 10
) -> list[tuple[Campaign, dict[str, Any]]]:
    """The campaign's cycles oldest first (initial -> surveillance): each earlier cycle by its locked grade
    (a cycle never locked is left out), this one by `current`."""
    chain: list[tuple[Campaign, dict[str, Any]]] = [(campaign, current)]
    seen = {campaign.id}
    previous_id = campaign.previous_campaign_id
    while previous_id is not None and previous_id not in seen and len(chain) < limit:
        seen.add(previous_id)
        previous = session.get(Campaign, previous_id)
        if previous is None:
            break
        locked = latest_snapshot(session=session, campaign_id=previous.id)
        if locked is not None:
            chain.append((previous, locked.result))
        previous_id = previous.previous_campaign_id
    return chain[::-1]
