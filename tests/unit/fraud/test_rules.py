"""Rules for the certain cases: thresholds as parameters, each hit with a concrete reason."""

from __future__ import annotations

from typing import Any

import numpy as np

from fraud.features import FeatureMatrix, extract_features
from fraud.rules import RULES, RuleParams, apply_rules
from tests.unit.fraud.rows import ITEMS, batch, ordinary, row


def hits_for(
    records: list[dict[str, Any]], params: RuleParams | None = None
) -> tuple[FeatureMatrix, np.ndarray, np.ndarray, list[str]]:
    fm = extract_features(batch(records), ITEMS)
    hits, values = apply_rules(fm, params)
    names = [r.name for r in RULES]
    return fm, hits, values, names


def test_speeder_rule_and_reason() -> None:
    fm, hits, values, names = hits_for([*ordinary(10), row(900, seconds=5, item_ms=400)])
    i, r = fm.ids.index("r900"), names.index("speeder")
    assert hits[i, r] == 1 and hits[fm.ids.index("r0"), r] == 0
    assert RULES[r].reason(values[i, r], 6, "zh") == "6 题只用了 5 秒"
    assert RULES[r].reason(values[i, r], 6, "en") == "answered 6 items in 5 s"


def test_device_burst_threshold_is_a_parameter() -> None:
    burst = [row(900 + i, minutes=4000 + i, client="p") for i in range(5)]
    fm, hits, _v, names = hits_for([*ordinary(10), *burst])
    assert hits[fm.ids.index("r902"), names.index("device_burst")] == 1
    fm, hits, _v, names = hits_for([*ordinary(10), *burst], RuleParams(device_burst_10m=7))
    assert hits[fm.ids.index("r902"), names.index("device_burst")] == 0


def test_identical_answers_with_reverse_items() -> None:
    fm, hits, _v, names = hits_for([*ordinary(10), row(900, [3] * 6), row(901, [5, 5, 5, 5, 5, 1])])
    r = names.index("identical_with_reverse")
    assert hits[fm.ids.index("r900"), r] == 1
    assert hits[fm.ids.index("r901"), r] == 0, "a delighted resident who reads the reverse item is fine"


def test_automated_agent_rule() -> None:
    fm, hits, _v, names = hits_for([*ordinary(5), row(900, ua="curl/8.0")])
    assert hits[fm.ids.index("r900"), names.index("automated_agent")] == 1


def test_ordinary_rows_hit_nothing() -> None:
    _fm, hits, _v, _n = hits_for(ordinary(40))
    assert not np.any(hits)
