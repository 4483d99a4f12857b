"""How the evaluation report writes its values: a label in the reader's language, a day in the campaign's
time zone, a share and an interval as percentages."""

from __future__ import annotations

from typing import Any

from survey_app import clock
from survey_app.i18n import pick
from survey_app.models import Campaign


def tr(label: dict[str, str]) -> str:
    return pick(label.get("zh", ""), label.get("en", ""))


def day(campaign: Campaign, value: Any) -> str:
    return clock.localtime(value, campaign.timezone, "%Y-%m-%d") if value else "—"


def pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.1f}%"


def interval(pair: tuple[float, float] | None) -> str:
    return "—" if pair is None else f"{100 * pair[0]:.1f}%–{100 * pair[1]:.1f}%"
