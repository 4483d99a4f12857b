"""What the report and certificate pages show, derived from a grade result (plain dict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from survey_app.i18n import N_, gettext
from survey_app.reports import charts

LOW_SCORE = 60  # items under 60% of their points are listed for review (seed L399: low-score review)


def radar_axes(result: dict[str, Any], locale: str) -> list[tuple[str, float | None]]:
    """One axis per dimension; a dimension scored both by residents and by auditors (seed L443) keeps one
    spoke, the first component's (the side-by-side table shows both)."""
    key = "en" if locale.startswith("en") else "zh"
    seen: set[str] = set()
    axes = []
    for c in result["components"]:
        for d in c["dimensions"]:
            if d["id"] in seen:
                continue
            seen.add(d["id"])
            axes.append(
                ((d["label"].get(key) or d["label"]["zh"]), None if d["score"] is None else float(d["score"]))
            )
    return axes


def radar(result: dict[str, Any], locale: str, title: str) -> str:
    return charts.svg(charts.radar_chart(radar_axes(result, locale), title=title))


def low_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (
            i
            for c in result["components"]
            for i in c["items"]
            if i["score"] is not None and float(i["score"]) < LOW_SCORE
        ),
        key=lambda i: float(i["score"]),
    )


@dataclass(frozen=True)
class ShortLocation:
    """A location in use with fewer counted responses than the scheme's per-location minimum."""

    code: str
    name: str
    counted: int
    minimum: int

    @property
    def missing(self) -> int:
        return self.minimum - self.counted


def sample_adequacy(
    result: dict[str, Any], locations: dict[str, int], minimum: int, names: dict[str, str] | None = None
) -> dict[str, Any]:
    """Counted responses against the scheme's minimums; the locations in use below the per-location minimum,
    by name, with how many they have and lack (`blocking` when they are why the result has no grade)."""
    names = names or {}
    short = [
        ShortLocation(code, names.get(code, ""), n, minimum)
        for code, n in sorted(locations.items())
        if n < minimum
    ]
    return {
        "minimum": minimum,
        "short": short,
        "blocking": bool(short) and "location(s) below" in str(result.get("rule", "")),
        "counted": sum(c["n"] for c in result["components"] if c["source"] == "survey"),
    }


def verdict(result: dict[str, Any]) -> str:
    """Why the grade came out as it did, as a sentence in the reader's language (the engine's rule is data:
    "total 76.14 >= 70 (default cut-off)" becomes "综合得分 76.14，达到三星级的 70 分线（默认分数线）")."""
    import re

    from survey_app.i18n import N_, gettext, pick

    rule = str(result.get("rule", ""))
    labels = {c["id"]: pick(c["label"]["zh"], c["label"].get("en", "")) for c in result.get("components", [])}
    tier = result.get("tier_label")
    tier_name = pick(tier["zh"], tier.get("en", "")) if isinstance(tier, dict) else ""
    default = (
        " " + gettext(N_("(a default cut-off: the scheme sets none)")) if "default cut-off" in rule else ""
    )
    if m := re.match(r"total ([\d.]+) >= ([\d.]+)", rule):
        text = gettext(N_("Overall score %(total)s reaches the %(cut)s-point line of %(tier)s."))
        return text % {"total": m[1], "cut": m[2], "tier": tier_name} + default
    if m := re.match(r"total ([\d.]+) below the lowest tier \(([\d.]+)\)", rule):
        text = gettext(N_("Overall score %(total)s is below the lowest grade's %(cut)s-point line."))
        return text % {"total": m[1], "cut": m[2]}
    if failed := re.findall(r"(\w+) ([\d.]+) < pass mark ([\d.]+)", rule):
        text = gettext(N_("%(part)s scored %(score)s, below its pass mark of %(mark)s."))
        return " ".join(text % {"part": labels.get(c, c), "score": s, "mark": p} for c, s, p in failed)
    if rule.startswith("no data for "):
        parts = "、".join(labels.get(c.strip(), c.strip()) for c in rule[len("no data for ") :].split(","))
        return gettext(N_("No data yet for: %(parts)s.")) % {"parts": parts}
    if m := re.match(r"(\d+) counted responses, the scheme needs at least (\d+)", rule):
        text = gettext(N_("%(n)s responses count; the scheme needs at least %(need)s."))
        return text % {"n": m[1], "need": m[2]}
    if m := re.match(r"(\d+) location\(s\) below (\d+) responses: (.*)", rule):
        text = gettext(N_("%(n)s locations have fewer than %(need)s responses: %(which)s."))
        return text % {"n": m[1], "need": m[2], "which": m[3]}
    return rule


STATUS = {
    "certified": N_("Certified"),
    "not_certified": N_("Not certified"),
    "insufficient_sample": N_("Insufficient sample: no grade yet"),
    "incomplete": N_("Incomplete: a component has no data"),
}


def status_text(result: dict[str, Any]) -> str:
    """The translated verdict of a grade result."""
    return gettext(STATUS[result["status"]])
