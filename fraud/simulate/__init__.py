"""A labelled synthetic campaign in the contract format, for benchmarking the detector honestly.

Genuine respondents: a one-factor Gaussian copula (loadings 0.6-0.8) with J-shaped marginals, reverse items
reversed, about 8% "delighted" all-top-box respondents (reverse items answered consistently), arrivals
over 2-4 weeks with a daytime profile, lognormal item times, 10-16% of them in genuine repeats (a household
on one phone, the same person weeks later, a returning guest in another room, an elderly resident helped by
a neighbour's phone; fraud.simulate.genuine), shared mobile-carrier IPs, 30-40% comments with genuine
duplicates. Injected kinds are listed in FRAUD_KINDS (careless patterns in six forms, recorded as
careless_pattern/<form>); benign double-taps are labelled 0 with their own kind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fraud.simulate.builder import FRAUD_KINDS, KIND_SHARE, Builder, SimConfig
from fraud.simulate.genuine import add_genuine
from fraud.simulate.injected import (
    add_bots,
    add_bursts,
    add_careless,
    add_speeders,
    add_staff,
    add_straightliners,
)

__all__ = ["FRAUD_KINDS", "SimConfig", "simulate"]


def simulate(
    cfg: SimConfig, items: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[str, int, str]]]:
    """Return (items.json, response records, labels (id, label, kind)) for one synthetic campaign.

    With `items` (a real instrument's items.json) its item ids and reverse flags are used.
    """
    b = Builder(cfg, items)
    add_genuine(b)
    n_fraud = round(cfg.prevalence * cfg.n_genuine / (1 - cfg.prevalence))
    counts = _split(n_fraud, b.rng)
    add_bots(b, counts["bot"])
    add_straightliners(b, counts["straightliner"])
    add_careless(b, counts["careless_pattern"])
    add_bursts(b, counts["burst"])
    add_staff(b, counts["staff"])
    add_speeders(b, counts["speeder"])
    order = np.argsort([r["submitted_at"] for r in b.records], kind="stable")
    return b.items, [b.records[i] for i in order], [b.labels[i] for i in order]


def _split(total: int, rng: np.random.Generator) -> dict[str, int]:
    shares = np.array([KIND_SHARE[k] for k in FRAUD_KINDS])
    counts = np.floor(shares * total).astype(int)
    for i in rng.permutation(len(FRAUD_KINDS))[: total - counts.sum()]:
        counts[i] += 1
    return dict(zip(FRAUD_KINDS, counts.tolist(), strict=True))
