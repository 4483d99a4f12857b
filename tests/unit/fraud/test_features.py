"""Each feature on hand-made rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from fraud.features import FeatureMatrix, extract_features
from fraud.features.text import near_duplicate_similarity
from tests.unit.fraud.rows import ITEMS, batch, ordinary, row


def features(records: list[dict[str, Any]]) -> FeatureMatrix:
    return extract_features(batch(records), ITEMS)


def value(fm: FeatureMatrix, rid: str, name: str) -> float:
    return float(fm.values[fm.ids.index(rid), fm.names.index(name)])


def test_every_feature_has_descriptions_and_a_reason_template() -> None:
    fm = features(ordinary(5))
    assert len(set(fm.names)) == len(fm.names) >= 25
    for f in fm.features:
        assert f.zh and f.en and f.reason(1.0, "zh") and f.reason(1.0, "en")
        assert "{v" in f.reason_zh or f.direction == 0, "a scored feature's reason shows its value"


def test_answer_pattern_features() -> None:
    fm = features(
        [
            *ordinary(30),
            row(900, [5, 5, 5, 5, 5, 5]),
            row(901, [3, 3, 3, 3, 3, 3]),
            row(902, [1, 5, 1, 5, 1, 5]),
            row(903, [4, None, None, None, 4, 2]),
            row(904, [1, 5, 5, 1, 5, 1]),
            row(905, [5, 3, 3, 5, 3, 3]),
        ]
    )
    assert value(fm, "r900", "longstring") == 1.0 and value(fm, "r900", "distinct") == 1
    assert value(fm, "r900", "irv") == 0 and value(fm, "r902", "irv") == 2.0
    assert value(fm, "r900", "pair_gap") == 4 and value(fm, "r0", "pair_gap") == 0
    assert value(fm, "r900", "reverse_gap") == 4 and value(fm, "r901", "reverse_gap") == 0
    assert value(fm, "r900", "topbox") == pytest.approx(5 / 6)
    assert value(fm, "r903", "missing") == pytest.approx(0.5)
    assert value(fm, "r902", "mahalanobis") > np.median(fm.column("mahalanobis")) * 2
    assert value(fm, "r904", "person_total") < 0 < value(fm, "r905", "person_total"), (
        "against vs with item means"
    )


def test_timing_features() -> None:
    fm = features([*ordinary(20, spacing_min=1440), row(900, seconds=6, item_ms=300, minutes=17 * 60 + 3)])
    assert value(fm, "r900", "duration") == pytest.approx(np.log(6))
    assert value(fm, "r900", "duration_rel") < -1.5
    assert value(fm, "r900", "fast_items") == 1.0 and value(fm, "r0", "fast_items") == 0.0
    night = float(fm.display[fm.ids.index("r900"), fm.names.index("hour_rarity")])
    assert night == 3.0, "local hour in Asia/Shanghai"
    assert value(fm, "r900", "hour_rarity") > value(fm, "r1", "hour_rarity")


def test_device_ip_and_location_features() -> None:
    burst = [row(900 + i, minutes=2000 + i, client="phone", ip="shop", location="L02") for i in range(7)]
    later = row(950, minutes=2000 + 90, client="phone", ip="shop", location="L03")
    fm = features([*ordinary(60), *burst, later])
    assert value(fm, "r903", "client_10m") == 7 and value(fm, "r903", "client_all") == 8
    assert value(fm, "r950", "client_10m") == 1 and value(fm, "r950", "client_24h") == 8
    assert value(fm, "r950", "client_locations") == 2 and value(fm, "r0", "client_locations") == 1
    assert value(fm, "r903", "ip_10m") == 7 and value(fm, "r950", "ip_all") == pytest.approx(3.0)
    assert value(fm, "r903", "loc_gap") == pytest.approx(np.log(60))
    assert value(fm, "r903", "loc_burst") > 3 and value(fm, "r0", "loc_burst") <= 0


def test_comment_features() -> None:
    copy = "物业服务很好，工作人员热情周到"
    fm = features(
        [
            *ordinary(10),
            row(900, comment=copy),
            row(901, comment=copy + "！"),
            row(902, comment="物业服务很好，工作人员非常热情周到"),
            row(903, comment="很好"),
            row(904, comment="很好"),
            row(905, comment="地下车库的灯坏了三个月没人修"),
        ]
    )
    assert value(fm, "r900", "comment_dup") == 1, "punctuation does not hide a copy"
    assert value(fm, "r903", "comment_dup") == 0, "short generic praise is not compared"
    assert value(fm, "r900", "comment_near") == 1.0
    assert value(fm, "r902", "comment_near") > 0.5
    assert value(fm, "r905", "comment_near") < 0.3
    assert value(fm, "r905", "comment_len") == 14


def test_minhash_estimates_jaccard() -> None:
    sims = near_duplicate_similarity(["abcdefghijklmnop", "abcdefghijklmnoq", "zyxwvutsrqponmlk"])
    assert sims[0] > 0.7 and sims[2] < 0.2


def test_group_topbox_ignores_households_and_catches_a_glowing_device() -> None:
    glowing = [row(900 + i, [5, 5, 5, 5, 5, 1], minutes=3000 + 400 * i, client="staff") for i in range(8)]
    couple = [row(950 + i, [5, 5, 5, 5, 5, 1], minutes=5000 + 700 * i, client="home") for i in range(2)]
    fm = features([*ordinary(60), *glowing, *couple])
    assert value(fm, "r950", "client_topbox_excess") == 0
    assert value(fm, "r900", "client_topbox_excess") > 3
    assert value(fm, "r0", "client_topbox_excess") == 0


def test_double_tap_is_merged_before_features() -> None:
    taps = [row(900 + i, minutes=5000 + i * 0.05, client="x") for i in range(4)]
    fm = features([*ordinary(10), *taps])
    assert fm.duplicate_of is not None and fm.duplicate_of[fm.ids.index("r901")] == fm.ids.index("r900")
    assert fm.duplicate_of[fm.ids.index("r902")] == fm.ids.index("r900")
    assert fm.duplicate_of[fm.ids.index("r903")] == -1, "a third copy is no longer a double tap"
    assert value(fm, "r900", "client_10m") == 2 and value(fm, "r901", "client_10m") == 2
    assert np.array_equal(fm.values[fm.ids.index("r900")], fm.values[fm.ids.index("r901")], equal_nan=True)


def test_automated_user_agent() -> None:
    fm = features(
        [*ordinary(5), row(900, ua="python-requests/2.31"), row(901, ua="Mozilla/5.0 HeadlessChrome/120")]
    )
    assert value(fm, "r900", "ua_automated") == 1 and value(fm, "r901", "ua_automated") == 1
    assert value(fm, "r0", "ua_automated") == 0
