"""Configuration, item sets and the record builder shared by the genuine and injected generators."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import NormalDist
from typing import Any

import numpy as np

MARGINALS = np.array([0.04, 0.06, 0.15, 0.35, 0.40])
FRAUD_KINDS = ("bot", "straightliner", "careless_pattern", "burst", "staff", "speeder")
KIND_SHARE = {
    "bot": 0.15,
    "straightliner": 0.15,
    "careless_pattern": 0.15,
    "burst": 0.2,
    "staff": 0.2,
    "speeder": 0.15,
}
LOCAL_OFFSET_H = 8  # Asia/Shanghai
USER_AGENTS = (
    "Mozilla/5.0 (Linux; Android 12; M2012K11AC) AppleWebKit/537.36 Chrome/118.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; V2148A) AppleWebKit/537.36 Chrome/116.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; HMA-AL00) AppleWebKit/537.36 Chrome/99.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 WeChat",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile Safari",
    "Mozilla/5.0 (Linux; Android 11; PDAM10) AppleWebKit/537.36 Chrome/90.0 Mobile Safari/537.36 WeChat",
)
HEADLESS = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36"
GENERIC_COMMENTS = ("很好", "满意", "不错", "还行", "挺好的", "服务很好", "没意见", "好")
TOPICS = (
    "电梯",
    "楼道卫生",
    "地下车库",
    "门禁",
    "垃圾清运",
    "绿化",
    "保安",
    "快递柜",
    "物业费",
    "停车",
    "路灯",
    "维修",
    "客服",
    "噪音",
    "消防通道",
    "宠物管理",
    "儿童游乐区",
    "外墙",
    "排水",
    "公告",
)
PHRASES = (
    "{t}经常出问题，希望尽快处理",
    "{t}比以前好多了",
    "建议加强{t}管理",
    "{t}晚上不太安全",
    "{t}维修很及时，点赞",
    "{t}收费不够透明",
    "希望{t}能多听听业主意见",
    "{t}的师傅态度很好",
    "{t}周末没人管",
    "{t}那边有点脏",
    "上次反映{t}的问题到现在还没解决",
    "{t}整体满意，继续保持",
)
STAFF_COMMENTS = ("物业服务很好，工作人员热情周到", "管家服务非常到位，非常满意", "环境整洁，安保负责，点赞")


@dataclass(frozen=True)
class SimConfig:
    n_genuine: int = 1500
    n_items: int = 10
    prevalence: float = 0.05
    n_locations: int = 15
    seed: int = 0
    start: datetime = datetime(2026, 5, 1, tzinfo=UTC)


def make_items(k: int) -> dict[str, Any]:
    n_pairs = max(1, k // 10)
    pairs: dict[int, int] = {}
    dims = ("service", "environment", "facilities", "safety", "management")
    for p in range(
        n_pairs
    ):  # forward item 1+5p paired with a reverse-worded item of its own dimension near the end
        fwd = 1 + p * 5
        pairs[fwd] = max(
            j for j in range(fwd + 1, k) if j % len(dims) == fwd % len(dims) and j not in pairs.values()
        )
    items = []
    for j in range(k):
        entry: dict[str, Any] = {"id": f"q{j + 1:02d}", "dimension": dims[j % len(dims)], "reverse": False}
        items.append(entry)
    for fwd, rev in pairs.items():
        items[rev]["reverse"] = True
        items[fwd]["pair"], items[rev]["pair"] = items[rev]["id"], items[fwd]["id"]
    return {"instrument": f"simulated-{k}@1", "scale_max": 5, "items": items}


class Builder:
    def __init__(self, cfg: SimConfig, items: dict[str, Any] | None = None) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(cfg.seed)
        self.items = items if items is not None else make_items(cfg.n_items)
        self.k = len(self.items["items"])
        self.reverse = np.array([it["reverse"] for it in self.items["items"]])
        self.loadings = self.rng.uniform(0.6, 0.8, self.k)
        # a dimension factor besides the general one: residents judge the cleaning apart from the security
        self.dimensions = np.array([str(it.get("dimension", "")) for it in self.items["items"]])
        self.dim_loadings = self.rng.uniform(0.3, 0.45, self.k)
        self.cuts = np.array([NormalDist().inv_cdf(c) for c in np.cumsum(MARGINALS)[:-1]])
        self.days = int(self.rng.integers(14, 29))
        self.records: list[dict[str, Any]] = []
        self.labels: list[tuple[str, int, str]] = []
        self.loc_weights = self.rng.dirichlet(np.full(cfg.n_locations, 4.0))
        self.carrier_ips = [self._hex(8) for _ in range(12)]
        self.serial = 0
        self.last_submitted = 0.0

    def _hex(self, n: int) -> str:
        return "".join(f"{b:02x}" for b in self.rng.integers(0, 256, n // 2 + 1))[:n]

    def _daytime(self) -> float:
        """Local hour from a daytime profile: morning, noon and evening peaks, little at night."""
        peak = self.rng.choice([8.0, 12.5, 20.0, 15.0], p=[0.25, 0.2, 0.4, 0.15])
        hour = self.rng.normal(peak, 1.6)
        if self.rng.random() < 0.03:
            hour = self.rng.uniform(0, 24)
        return float(np.clip(hour, 0, 23.99))

    def _stamp(self, day: int, hour_local: float) -> float:
        base = self.cfg.start.timestamp() + day * 86400
        return base + (hour_local - LOCAL_OFFSET_H) * 3600

    def genuine_answers(
        self, latent: float | None = None, shift: dict[str, float] | None = None
    ) -> np.ndarray:
        """One honest respondent: a general opinion, an opinion of each dimension, item noise (a two-level
        factor model), cut into the J-shaped marginals; `shift` moves whole dimensions (in latent units)."""
        f = self.rng.normal() if latent is None else latent
        by_dim = {d: self.rng.normal() + (shift or {}).get(d, 0.0) for d in set(self.dimensions.tolist())}
        g = np.array([by_dim[d] for d in self.dimensions])
        noise = np.sqrt(np.maximum(1 - self.loadings**2 - self.dim_loadings**2, 0.05))
        z = self.loadings * f + self.dim_loadings * g + noise * self.rng.normal(size=self.k)
        ans = np.searchsorted(self.cuts, z) + 1
        return np.where(self.reverse, 6 - ans, ans)

    def item_times(self, median_ms: float, sigma: float = 0.45) -> np.ndarray:
        speed = self.rng.lognormal(0, 0.3)
        return self.rng.lognormal(math.log(median_ms * speed), sigma, self.k)

    def add(
        self,
        *,
        answers: np.ndarray,
        ms: np.ndarray,
        submitted: float,
        client: str,
        ip: str,
        loc: int,
        label: int,
        kind: str,
        comment: str = "",
        ua: str | None = None,
        na_rate: float = 0.02,
    ) -> dict[str, Any]:
        self.serial += 1
        rid = f"r-{self.serial:06d}"
        values = [int(a) for a in answers]
        keep = self.rng.random(self.k) >= na_rate
        ids = [it["id"] for it in self.items["items"]]
        overhead = float(self.rng.uniform(4, 15))
        started = submitted - float(ms.sum()) / 1000 - overhead
        record = {
            "id": rid,
            "location": f"L{loc + 1:02d}",
            "channel": "online",
            "started_at": iso(started),
            "submitted_at": iso(submitted),
            "client_id": client,
            "ip_hash": ip,
            "user_agent": ua or str(self.rng.choice(USER_AGENTS)),
            "answers": {i: (v if k else None) for i, v, k in zip(ids, values, keep, strict=True)},
            "item_ms": {i: int(m) for i, m in zip(ids, ms, strict=True)},
            "comment": comment,
            "contact_given": bool(self.rng.random() < 0.15),
        }
        self.records.append(record)
        self.labels.append((rid, label, kind))
        self.last_submitted = submitted
        return record

    def comment(self) -> str:
        r = self.rng.random()
        if r > 0.35:
            return ""
        if r < 0.35 * 0.3:
            return str(self.rng.choice(GENERIC_COMMENTS))
        parts = self.rng.choice(len(PHRASES), size=int(self.rng.integers(1, 3)), replace=False)
        return "，".join(PHRASES[p].format(t=self.rng.choice(TOPICS)) for p in parts)

    def ip_for_person(self) -> str:
        return str(self.rng.choice(self.carrier_ips)) if self.rng.random() < 0.3 else self._hex(8)

    def loc(self) -> int:
        return int(self.rng.choice(self.cfg.n_locations, p=self.loc_weights))


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
