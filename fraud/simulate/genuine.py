"""Genuine respondents: one-factor copula answers, daytime arrivals, double taps, and genuine repeat
respondents in the forms a real estate or hotel sees (docs/fraud.md gives the rates):

- repeat_family: two or three members of one household answer on the same phone (same network, same
  entrance), each with their own opinion, minutes to hours apart, now and then a day or two later;
- repeat_drift: the same person again 5-30 days later, their opinion drifted a little;
- repeat_guest: a returning guest answering in another room, 5-30 days later;
- repeat_helped: an elderly resident (or two) answering on a neighbour's phone, minutes apart, slowly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fraud.simulate.builder import Builder, iso

REPEAT_FORMS = ("repeat_family", "repeat_drift", "repeat_guest", "repeat_helped")
REPEAT_MIX = (0.40, 0.25, 0.15, 0.20)
REPEAT_SHARE = (0.10, 0.16)  # of genuine respondents, taking part in a repeat of some form
# honest residents that careless-responding indices wrongly accuse (Curran 2016): each about 4% of the rest
HONEST_STYLES = ("flat_opinion", "negative_dimension")
HONEST_STYLE_SHARE = 0.04


def add_genuine(b: Builder) -> None:
    cfg, rng = b.cfg, b.rng
    n_repeat = int(round(cfg.n_genuine * rng.uniform(*REPEAT_SHARE)))
    n_single = cfg.n_genuine - n_repeat
    double_taps = max(1, int(cfg.n_genuine * 0.01))
    for _person in range(n_single):
        draw = rng.random()
        style = next((s for i, s in enumerate(HONEST_STYLES) if draw < HONEST_STYLE_SHARE * (i + 1)), "")
        day, hour = int(rng.integers(0, b.days)), b._daytime()
        rec = _one(b, latent=None, day=day, hour=hour, client=None, style=style)
        if double_taps > 0 and rng.random() < 0.02:
            double_taps -= 1
            tap = dict(rec)
            b.serial += 1
            tap["id"] = f"r-{b.serial:06d}"
            tap["submitted_at"] = iso(b.last_submitted + float(rng.uniform(1, 6)))
            b.records.append(tap)
            b.labels.append((tap["id"], 0, "double_tap"))
    left = n_repeat
    while left >= 2:
        form = str(rng.choice(REPEAT_FORMS, p=REPEAT_MIX))
        size = int(rng.integers(2, 4)) if form in ("repeat_family", "repeat_helped") else 2
        size = min(size, left)
        left -= size
        _repeat(b, form, size)
    for _ in range(left):
        _one(b, latent=None, day=int(rng.integers(0, b.days)), hour=b._daytime(), client=None)


def _one(
    b: Builder,
    *,
    latent: float | None,
    day: int,
    hour: float,
    client: str | None,
    ip: str | None = None,
    loc: int | None = None,
    kind: str = "genuine",
    offset_s: float = 0.0,
    median_ms: float = 4200,
    style: str = "",
) -> dict[str, Any]:
    rng = b.rng
    if style:
        answers, kind = _styled(b, style), style
    else:
        answers = np.where(b.reverse, 1, 5) if rng.random() < 0.08 else b.genuine_answers(latent)
    return b.add(
        answers=answers,
        ms=b.item_times(median_ms),
        submitted=b._stamp(day, hour) + offset_s,
        client=client or "c-" + b._hex(12),
        ip=ip or b.ip_for_person(),
        loc=b.loc() if loc is None else loc,
        label=0,
        kind=kind,
        comment=b.comment(),
    )


def _styled(b: Builder, style: str) -> np.ndarray:
    """flat_opinion: a resident with no strong view, every answer a 3 or a 4 (reverse items answered the same
    way); negative_dimension: an ordinary resident thoroughly unhappy with one dimension (say, the lifts)."""
    if style == "flat_opinion":
        honest = b.genuine_answers(float(b.rng.normal(0.0, 0.3)))
        satisfied = np.where(b.reverse, 6 - honest, honest)
        flat = np.clip(satisfied, 3, 4)
        return np.where(b.reverse, 6 - flat, flat)
    unhappy = str(b.rng.choice(sorted(set(b.dimensions.tolist()))))
    return b.genuine_answers(shift={unhappy: -3.0})


def _repeat(b: Builder, form: str, size: int) -> None:
    rng = b.rng
    client, ip, loc = "c-" + b._hex(12), b.ip_for_person(), b.loc()
    day, hour = int(rng.integers(0, b.days)), b._daytime()
    if form in ("repeat_family", "repeat_helped"):
        offset = 0.0
        for _member in range(size):  # each their own opinion
            later = rng.random() < 0.15 and form == "repeat_family"
            d = min(b.days - 1, day + int(rng.integers(1, 3))) if later else day
            _one(
                b,
                latent=None,
                day=d,
                hour=hour,
                client=client,
                ip=ip,
                loc=loc if form == "repeat_family" or rng.random() < 0.7 else b.loc(),
                kind=form,
                offset_s=offset,
                median_ms=4200 if form == "repeat_family" else 6500,
            )
            offset += float(rng.uniform(300, 3 * 3600) if form == "repeat_family" else rng.uniform(240, 1800))
        return
    latent = float(rng.normal())
    first = int(rng.integers(0, max(1, b.days - 5)))
    second = min(b.days - 1, first + int(rng.integers(5, 31)))
    for visit, d in enumerate((first, second)):
        drifted = latent if visit == 0 else latent + float(rng.normal(0, 0.35))
        place = loc
        if form == "repeat_guest" and visit:
            place = (loc + 1 + int(rng.integers(0, max(1, b.cfg.n_locations - 1)))) % b.cfg.n_locations
        elif form == "repeat_drift" and visit and rng.random() < 0.3:
            place = b.loc()
        _one(
            b,
            latent=drifted,
            day=d,
            hour=b._daytime(),
            client=client,
            ip=ip if rng.random() < 0.5 else b.ip_for_person(),
            loc=place,
            kind=form,
        )
