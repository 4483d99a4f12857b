"""Scoring a new response at constant cost: only the responses that can change its features are read.

A response's group features depend on the responses that share its device, its network address, its
location within ten minutes (and its nearest neighbours there), or its comment; everything campaign-wide (a
location's usual duration, the items' medians, the hours...) is the fitted model's reference. So the batch
scored for a new response is that neighbourhood, found through indexed queries, and its score equals what
scoring it inside the whole campaign with the same model gives (tests/web/test_scoring_context.py).

Comments and network groups can be huge (a stock phrase, a carrier's gateway): their features come from the
worker's `campaign_index`, kept up to date at constant cost per response; a network group of up to
`LARGE_GROUP` responses is still read whole (exact in every case). A response without a device id has no
device group (residents without JavaScript are not one phone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, col, func, select

from fraud.features.base import FeatureMatrix
from fraud.features.reference import Reference
from survey_app.models import Campaign, Submission, ident
from survey_app.services.campaign_index import HOUSEHOLD, campaign_index
from survey_app.services.scoring_scope import location_codes, scope

LARGE_GROUP = 30
WINDOW = timedelta(seconds=600)


@dataclass
class Neighbourhood:
    rows: list[Submission]
    network: dict[int, dict[str, float]] = field(default_factory=dict)  # response id -> its network group
    comments: dict[int, tuple[float, float]] = field(default_factory=dict)  # response id -> copies, nearest


def neighbourhood(
    session: Session, campaign: Campaign, pending: list[Submission], reference: Reference
) -> Neighbourhood:
    """The pending responses and every response their group features depend on (indexed queries)."""
    where = scope(campaign)
    rows: dict[int, Submission] = {ident(r): r for r in pending}

    def add(query: Any) -> None:
        for row in session.exec(query):
            rows.setdefault(ident(row), row)

    def same(column: Any, values: list[str]) -> None:
        for start in range(0, len(values), 500):
            add(select(Submission).where(*where, col(column).in_(values[start : start + 500])))

    clients = sorted({r.client_id for r in pending if r.client_id})
    same(Submission.client_id, clients)
    ips = sorted({r.ip_hash for r in pending})
    sizes = dict(
        session.exec(
            select(Submission.ip_hash, func.count())
            .where(*where, col(Submission.ip_hash).in_(ips))
            .group_by(col(Submission.ip_hash))
        ).all()
    )
    same(Submission.ip_hash, [ip for ip in ips if sizes.get(ip, 0) <= LARGE_GROUP])
    for row in pending:
        at, loc = row.submitted_at, row.location_id
        when = col(Submission.submitted_at)
        at_loc = select(Submission).where(*where, col(Submission.location_id) == loc)
        add(at_loc.where(when >= at - WINDOW, when <= at + WINDOW))
        add(at_loc.where(when < at).order_by(when.desc()).limit(1))  # the nearest before and after
        add(at_loc.where(when > at).order_by(when.asc()).limit(1))
    # a neighbour may be a double tap whose original is not a neighbour: its device's responses too, so the
    # neighbourhood merges it as the whole campaign does
    same(Submission.client_id, sorted({r.client_id for r in rows.values() if r.client_id} - set(clients)))
    index = campaign_index(session, campaign)
    names = location_codes(session, campaign)
    found = Neighbourhood(sorted(rows.values(), key=ident))
    for row in pending:
        text = index.comment(row.comment)
        if text is not None:
            found.comments[ident(row)] = text
        if sizes.get(row.ip_hash, 0) > LARGE_GROUP:
            found.network[ident(row)] = index.network(row, reference, names)
    return found


def fix_groups(fm: FeatureMatrix, ids: dict[str, int], near: Neighbourhood, reference: Reference) -> None:
    """The comment features of the scored responses, and the network features of those in a big group, from
    the campaign index (the neighbourhood did not read those groups whole)."""
    column = {f.name: j for j, f in enumerate(fm.features)}
    for i, public_id in enumerate(fm.ids):
        text = near.comments.get(ids.get(public_id, -1))
        if text is not None:
            for name, value in zip(("comment_dup", "comment_near"), text, strict=True):
                fm.values[i, column[name]] = fm.display[i, column[name]] = value
        group = near.network.get(ids.get(public_id, -1))
        if group is None:
            continue
        fm.values[i, column["ip_10m"]] = fm.display[i, column["ip_10m"]] = group["ip_10m"]
        for name in ("ip_24h", "ip_all"):
            fm.display[i, column[name]] = group[name]
            fm.values[i, column[name]] = float(np.log2(group[name]))
        weight = np.sqrt(max(group["ip_all"] - HOUSEHOLD, 0.0)) / reference.excess_spread
        fm.values[i, column["ip_topbox_excess"]] = group["excess"] * weight
        fm.display[i, column["ip_topbox_excess"]] = group["topbox"]
