"""Genuine respondents: one-factor copula answers, daytime arrivals, repeat visitors, double taps."""

from __future__ import annotations

import numpy as np

from fraud.simulate.builder import Builder, iso


def add_genuine(b: Builder) -> None:
    cfg, rng = b.cfg, b.rng
    repeat_share = rng.uniform(0.03, 0.05)
    n_repeat_people = int(round(cfg.n_genuine * repeat_share / 2))
    n_single = cfg.n_genuine - 2 * n_repeat_people
    double_taps = max(1, int(cfg.n_genuine * 0.01))
    for person in range(n_single + n_repeat_people):
        repeat = person >= n_single
        client, ip, loc = "c-" + b._hex(12), b.ip_for_person(), b.loc()
        latent = rng.normal()
        visits = 2 if repeat else 1
        first_day = int(rng.integers(0, b.days))
        for v in range(visits):
            delighted = rng.random() < 0.08
            if delighted:
                answers = np.where(b.reverse, 1, 5)
            else:
                answers = b.genuine_answers(latent if v else None)
            day = first_day if v == 0 else min(b.days - 1, first_day + int(rng.integers(1, 8)))
            submitted = b._stamp(day, b._daytime())
            place = loc if (v == 0 or rng.random() < 0.7) else b.loc()
            where_ip = ip if (v == 0 or rng.random() < 0.5) else b.ip_for_person()
            rec = b.add(
                answers=answers,
                ms=b.item_times(4200),
                submitted=submitted,
                client=client,
                ip=where_ip,
                loc=place,
                label=0,
                kind="repeat_visitor" if repeat else "genuine",
                comment=b.comment(),
            )
            if double_taps > 0 and not repeat and rng.random() < 0.02:
                double_taps -= 1
                tap = dict(rec)
                b.serial += 1
                tap["id"] = f"r-{b.serial:06d}"
                tap["submitted_at"] = iso(submitted + float(rng.uniform(1, 6)))
                b.records.append(tap)
                b.labels.append((tap["id"], 0, "double_tap"))
