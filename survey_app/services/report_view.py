"""What the report and certificate pages show, derived from a grade result (plain dict)."""

from __future__ import annotations

from typing import Any

from grading.radar import radar_svg

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
    return radar_svg(radar_axes(result, locale), title=title)


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


def sample_adequacy(result: dict[str, Any], locations: dict[str, int], minimum: int) -> dict[str, Any]:
    short = sorted(code for code, n in locations.items() if n < minimum)
    return {
        "minimum": minimum,
        "short": short,
        "counted": sum(c["n"] for c in result["components"] if c["source"] == "survey"),
    }
