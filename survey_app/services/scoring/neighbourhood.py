"""Scoring a new response at constant cost: only the responses that can change its features are read.

A response's group features depend on the responses that share its device, its network address, its poster
(within ten minutes, and the nearest one) or its comment; everything campaign-wide (a location's usual
duration, the items' medians, the hours...) is the fitted model's reference. The batch scored for a new
response is the responses of its device (an indexed query); its network, poster and comment groups, which can
be huge (a carrier's gateway, a busy stairwell, a stock phrase), come from the worker's `campaign_index`,
kept up to date at constant cost per response. Its score equals what scoring it inside the whole campaign
with the same model gives (tests/web/test_scoring_context.py). A response without a device id has no device
group (residents without JavaScript are not one phone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

from fraud.features.base import FeatureMatrix
from fraud.features.reference import Reference
from survey_app.models import Campaign, SurveyResponse, ident
from survey_app.services.scoring.campaign_index import HOUSEHOLD, campaign_index
from survey_app.services.scoring.scope import location_codes, scope

WINDOW = timedelta(seconds=600)


@dataclass
class Neighbourhood:
    rows: list[SurveyResponse]
    network: dict[int, dict[str, float]] = field(default_factory=dict)  # response id -> its network group
    comments: dict[int, tuple[float, float]] = field(default_factory=dict)  # response id -> copies, nearest
    posters: dict[int, tuple[float, float, float]] = field(default_factory=dict)  # id -> 10 min, gap, usual


def neighbourhood(
    *, session: Session, campaign: Campaign, pending: list[SurveyResponse], reference: Reference
) -> Neighbourhood:
    """The pending responses, their devices' responses, and their groups from the campaign index."""
    where = scope(campaign)
    rows: dict[int, SurveyResponse] = {ident(r): r for r in pending}

    def add(query: Any) -> None:
        for row in session.exec(query):
            rows.setdefault(ident(row), row)

    def same(column: Any, values: list[str]) -> None:
        for start in range(0, len(values), 500):
            add(select(SurveyResponse).where(*where, col(column).in_(values[start : start + 500])))

    clients = sorted({r.client_id for r in pending if r.client_id})
    same(SurveyResponse.client_id, clients)
    index = campaign_index(session=session, campaign=campaign)
    names = location_codes(session=session, campaign=campaign)
    found = Neighbourhood(sorted(rows.values(), key=ident))
    for row in pending:
        text = index.comment(row.comment)
        if text is not None:
            found.comments[ident(row)] = text
        found.network[ident(row)] = index.network(row, reference, names)
        usual = reference.loc_rate.get(names.get(row.location_id, ""), reference.overall[1])
        found.posters[ident(row)] = (*index.poster(row), usual)
    return found


def fix_groups(fm: FeatureMatrix, ids: dict[str, int], near: Neighbourhood, reference: Reference) -> None:
    """The comment and network features of the scored responses, from the campaign index (the
    neighbourhood does not read those groups)."""
    column = {f.name: j for j, f in enumerate(fm.features)}
    for i, public_id in enumerate(fm.ids):
        text = near.comments.get(ids.get(public_id, -1))
        if text is not None:
            for name, value in zip(("comment_dup", "comment_near"), text, strict=True):
                fm.values[i, column[name]] = fm.display[i, column[name]] = value
        poster = near.posters.get(ids.get(public_id, -1))
        if poster is not None:
            count, gap, usual = poster
            fm.values[i, column["loc_gap"]], fm.display[i, column["loc_gap"]] = (
                np.log(max(gap, 1.0)),
                max(gap, 1.0),
            )
            fm.values[i, column["loc_burst"]] = (count - usual) / np.sqrt(usual + 1)
            fm.display[i, column["loc_burst"]] = count
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
