"""Injected kinds: bots, straight-liners, careless patterns, bursts, staff stuffing, speeders."""

from __future__ import annotations

import numpy as np

from fraud.simulate.builder import HEADLESS, STAFF_COMMENTS, Builder


def add_bots(b: Builder, n: int) -> None:
    ips = [b._hex(8) for _ in range(3)]
    for _ in range(n):
        day, hour = int(b.rng.integers(0, b.days)), float(b.rng.uniform(0, 24))
        b.add(
            answers=b.rng.integers(1, 6, b.k),
            ms=b.item_times(1500, 0.3),
            submitted=b._stamp(day, hour),
            client="c-" + b._hex(12),
            ip=str(b.rng.choice(ips)),
            loc=b.loc(),
            label=1,
            kind="bot",
            ua=HEADLESS if b.rng.random() < 0.3 else None,
            na_rate=0.0,
        )


def add_straightliners(b: Builder, n: int) -> None:
    for _ in range(n):
        value = int(b.rng.choice([5, 4, 3, 1], p=[0.5, 0.2, 0.2, 0.1]))
        b.add(
            answers=np.full(b.k, value),
            ms=b.item_times(1800),
            submitted=b._stamp(int(b.rng.integers(0, b.days)), b._daytime()),
            client="c-" + b._hex(12),
            ip=b.ip_for_person(),
            loc=b.loc(),
            label=1,
            kind="straightliner",
        )


CARELESS_PATTERNS = (
    "zigzag2",
    "zigzag3",
    "zigzag4",
    "extremes",
    "neutral",
    "broken",
    "random_uniform",  # answers drawn at random, every category alike
    "random_centre",  # drawn at random, weighted towards the middle of the scale (10/20/40/20/10%)
    "cycle_long",  # period 5-8: ramps 1-2-3-4-5, palindromes 1-2-3-4-5-4-3-2; honest answers mixed in
)
RANDOM_KINDS = ("random_uniform", "random_centre")
CENTRE_WEIGHTS = (0.1, 0.2, 0.4, 0.2, 0.1)


def add_careless(b: Builder, n: int) -> None:
    """Careless patterns of several kinds; the kind is recorded as careless_pattern/<pattern>."""
    rng = b.rng
    for _ in range(n):
        pattern = str(rng.choice(CARELESS_PATTERNS))
        answers = _careless_answers(b, pattern)
        # random responders read at an ordinary pace: nothing in their timing stands out
        pace = float(rng.uniform(3200, 4600)) if pattern in RANDOM_KINDS else 2200
        b.add(
            answers=answers,
            ms=b.item_times(pace),
            submitted=b._stamp(int(rng.integers(0, b.days)), b._daytime()),
            client="c-" + b._hex(12),
            ip=b.ip_for_person(),
            loc=b.loc(),
            label=1,
            kind=f"careless_pattern/{pattern}",
        )


def _long_cycle(b: Builder) -> np.ndarray:
    """A ramp or a palindrome of period 5-8, started anywhere in it, with 0-20% honest answers mixed in."""
    rng = b.rng
    shape = str(rng.choice(["ramp", "palindrome", "palindrome_short", "shuffled"]))
    if shape == "ramp":  # 1-2-3-4-5-1-2-3-4-5 (or downwards)
        cycle = [1, 2, 3, 4, 5]
    elif shape == "palindrome":  # 1-2-3-4-5-4-3-2, period 8
        cycle = [1, 2, 3, 4, 5, 4, 3, 2]
    elif shape == "palindrome_short":  # 2-3-4-5-4-3 or 1-2-3-4-3-2, period 6
        low = int(rng.integers(1, 3))
        cycle = [low, low + 1, low + 2, low + 3, low + 2, low + 1]
    else:  # any fixed order of 5-8 answers, repeated
        period = int(rng.integers(5, 9))
        cycle = [int(v) for v in rng.integers(1, 6, period)]
    if rng.random() < 0.5:
        cycle = [6 - v for v in cycle]
    start = int(rng.integers(0, len(cycle)))
    answers = np.array([cycle[(start + j) % len(cycle)] for j in range(b.k)])
    swap = rng.random(b.k) < rng.uniform(0.0, 0.2)
    return np.where(swap, b.genuine_answers(), answers)


def _careless_answers(b: Builder, pattern: str) -> np.ndarray:
    rng = b.rng
    if pattern == "neutral":
        return np.full(b.k, 3)
    if pattern == "random_uniform":
        return rng.integers(1, 6, b.k)
    if pattern == "random_centre":
        return rng.choice([1, 2, 3, 4, 5], size=b.k, p=CENTRE_WEIGHTS)
    if pattern == "cycle_long":
        return _long_cycle(b)
    if pattern == "extremes":
        cycle = [1, 5] if rng.random() < 0.5 else [5, 1]
    else:
        period = {"zigzag2": 2, "zigzag3": 3, "zigzag4": 4}.get(pattern, int(rng.integers(2, 5)))
        cycle = [int(v) for v in rng.choice([1, 2, 3, 4, 5], size=period, replace=False)]
        if pattern in ("zigzag2", "zigzag3", "zigzag4", "broken") and rng.random() < 0.5:
            start = int(rng.integers(1, 6 - period + 1))
            cycle = list(range(start, start + period))  # a staircase 1-2-3, 2-3-4-5 ...
    answers = np.array([cycle[j % len(cycle)] for j in range(b.k)])
    if pattern == "broken":  # a few honest answers break the pattern
        honest = b.genuine_answers()
        swap = rng.random(b.k) < rng.uniform(0.1, 0.2)
        answers = np.where(swap, honest, answers)
    return answers


def add_bursts(b: Builder, n: int) -> None:
    while n > 0:
        size = min(n, int(b.rng.integers(10, 26)))
        n -= size
        client, ip, loc = "c-" + b._hex(12), b._hex(8), b.loc()
        t0 = b._stamp(int(b.rng.integers(0, b.days)), b._daytime())
        for i in range(size):
            answers = np.where(b.reverse, 6 - 5, 5) if b.rng.random() < 0.7 else b.genuine_answers(2.0)
            b.add(
                answers=answers,
                ms=b.item_times(1300, 0.3),
                submitted=t0 + i * float(b.rng.uniform(25, 60)),
                client=client,
                ip=ip,
                loc=loc,
                label=1,
                kind="burst",
                na_rate=0.0,
            )


def add_staff(b: Builder, n: int) -> None:
    if n <= 0:
        return
    devices = ["c-" + b._hex(12) for _ in range(int(b.rng.integers(3, 6)))]
    company_ip = b._hex(8)
    done = 0
    while done < n:
        day = int(b.rng.integers(0, b.days))
        shift = float(b.rng.choice([7.5, 17.5])) + float(b.rng.uniform(0, 1))
        device = devices[int(b.rng.integers(0, len(devices)))]
        for i in range(min(n - done, int(b.rng.integers(2, 5)))):
            top = b.rng.random() < 0.85
            answers = (
                np.where(b.reverse, 1, 5) if top else np.where(b.reverse, 2, 4 + (b.rng.random(b.k) < 0.7))
            )
            comment = str(b.rng.choice(STAFF_COMMENTS)) if b.rng.random() < 0.3 else ""
            b.add(
                answers=answers,
                ms=b.item_times(2300, 0.35),
                submitted=b._stamp(day, shift) + i * 150,
                client=device,
                ip=company_ip if b.rng.random() < 0.85 else b.ip_for_person(),
                loc=b.loc(),
                label=1,
                kind="staff",
                comment=comment,
                na_rate=0.0,
            )
            done += 1


def add_speeders(b: Builder, n: int) -> None:
    for _ in range(n):
        answers = b.genuine_answers()
        noisy = b.rng.random(b.k) < 0.3
        answers = np.where(noisy, b.rng.integers(3, 6, b.k), answers)
        b.add(
            answers=answers,
            ms=b.item_times(float(b.rng.uniform(500, 1100)), 0.3),
            submitted=b._stamp(int(b.rng.integers(0, b.days)), b._daytime()),
            client="c-" + b._hex(12),
            ip=b.ip_for_person(),
            loc=b.loc(),
            label=1,
            kind="speeder",
        )
