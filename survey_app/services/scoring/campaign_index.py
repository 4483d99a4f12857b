"""What a campaign's group features need, kept up to date in the worker at constant cost per response.

A stock phrase can be typed by thousands, a network address (a campus, a carrier's gateway) shared by as many:
reading such a group for every new response would cost as much as the campaign. Instead each worker process
keeps, per campaign, the comments' MinHash buckets and copy counts and each network address's sorted times,
top-box sum and location counts, and brings them up to date with the responses stored since (an indexed range
on the id). Times are whole seconds, as the interchange format carries them. Double taps are merged as the
batch path merges them (same device, answers and comment within
20 seconds, at most two copies), in the order responses arrive.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from sqlmodel import Session, col

from fraud.features.answers import recode
from fraud.features.reference import Reference
from fraud.features.text import MinHasher, normalise, shingles
from survey_app.models import Campaign, SurveyResponse, ident
from survey_app.services.scoring.scope import Member, layout, likert, members_where, scope

BANDS, ROWS, MIN_COMMENT = 16, 4, 5  # as fraud.features.text: 16 bands of 4 MinHash rows, comments of 5+
TAP_S, TAP_COPIES = 20.0, 2  # as fraud.duplicates
HOUSEHOLD = 2  # as fraud.features.groups
CHUNK = 5000


@dataclass
class Network:
    times: list[float] = field(default_factory=list)  # sorted, double taps merged
    share_sum: float = 0.0
    locations: Counter[int | None] = field(default_factory=Counter)


@dataclass
class _Last:
    id: int
    at: float
    answers: bytes
    comment: str
    copies: int = 0


class CampaignIndex:
    def __init__(self) -> None:
        self.last_id = 0
        self.lock = threading.Lock()
        self.hasher = MinHasher(n_perm=BANDS * ROWS, seed=1)
        self.buckets: dict[tuple[int, bytes], list[str]] = defaultdict(list)  # (band, key) -> distinct texts
        self.copies: Counter[str] = Counter()  # a normalised text -> responses with it (double taps merged)
        self.sigs: dict[str, np.ndarray] = {}
        self.networks: dict[str, Network] = defaultdict(Network)
        self.posters: dict[int | None, list[float]] = defaultdict(list)  # a location -> its sorted times
        self.last: dict[str, _Last] = {}  # a device -> its last kept response
        self.time_of: dict[
            int, float
        ] = {}  # a response -> the time its features use (a copy: its original's)

    def keys(self, text: str) -> list[tuple[int, bytes]]:
        sig = self.sigs[text]
        return [(b, sig[b * ROWS : (b + 1) * ROWS].tobytes()) for b in range(BANDS)]

    def refresh(self, session: Session, campaign: Campaign) -> None:
        shape = layout(session=session, campaign=campaign)
        items = shape.items
        with self.lock:
            while True:
                query = members_where(*scope(campaign), col(SurveyResponse.id) > self.last_id).limit(CHUNK)
                chunk = [Member(*found) for found in session.exec(query)]
                if not chunk:
                    return
                raw = likert(chunk, shape)
                rec = recode(raw, items)
                shares = np.nansum(rec >= items.scale_max, axis=1) / np.maximum(
                    (~np.isnan(raw)).sum(axis=1), 1
                )
                filled = np.nan_to_num(raw, nan=-1.0)
                for member, share, answers in zip(chunk, shares, filled, strict=True):
                    self._add(member, float(share), answers.tobytes())
                self.last_id = chunk[-1].id

    def _add(self, member: Member, share: float, answers: bytes) -> None:
        at = float(int(member.submitted_at.timestamp()))
        last = self.last.get(member.client_id) if member.client_id else None
        if (
            last is not None
            and last.copies < TAP_COPIES
            and 0 <= at - last.at <= TAP_S
            and last.answers == answers
            and last.comment == member.comment
        ):
            last.copies += 1
            self.time_of[member.id] = last.at
            return
        if member.client_id:
            self.last[member.client_id] = _Last(member.id, at, answers, member.comment)
        self.time_of[member.id] = at
        network = self.networks[member.ip_hash]
        bisect.insort(network.times, at)
        bisect.insort(self.posters[member.location_id], at)
        network.share_sum += share
        network.locations[member.location_id] += 1
        text = normalise(member.comment)
        if len(text) >= MIN_COMMENT:
            self.copies[text] += 1
            if text not in self.sigs:
                self.sigs[text] = self.hasher.signature(shingles(text))
                for key in self.keys(text):
                    self.buckets[key].append(text)

    def comment(self, comment: str) -> tuple[float, float] | None:
        """(copies elsewhere, nearest similarity) of a comment, as `text_features` computes them over the
        whole batch: an exact copy counts 1.0; else the best MinHash agreement with another text sharing a
        band (bands of 2 to 200 distinct texts). None for a comment too short to compare."""
        text = normalise(comment)
        if len(text) < MIN_COMMENT or text not in self.sigs:
            return None
        copies = self.copies[text]
        if copies > 1:
            return float(copies - 1), 1.0
        mine, best = self.sigs[text], 0.0
        for key in self.keys(text):
            members = self.buckets.get(key, [])
            if 2 <= len(members) <= 200:
                for other in members:
                    if other != text:
                        best = max(best, float((self.sigs[other] == mine).mean()))
        return 0.0, best

    def network(
        self, row: SurveyResponse, reference: Reference, names: dict[int | None, str]
    ) -> dict[str, float]:
        """The response's network group: within 10 minutes, a day and the campaign, and its top-box excess."""
        group = self.networks[row.ip_hash]
        at = self.time_of.get(ident(row), float(int(row.submitted_at.timestamp())))

        def within(span: float) -> float:
            return float(
                bisect.bisect_right(group.times, at + span) - bisect.bisect_left(group.times, at - span)
            )

        n = len(group.times)
        fallback = reference.overall[2]
        usual = sum(
            c * reference.loc_topbox.get(names.get(loc, ""), fallback) for loc, c in group.locations.items()
        )
        return {
            "ip_10m": within(600.0),
            "ip_24h": within(86400.0),
            "ip_all": float(n),
            "topbox": group.share_sum / n if n else 0.0,
            "excess": (group.share_sum - usual) / n if n else 0.0,
        }

    def poster(self, row: SurveyResponse) -> tuple[float, float]:
        """(responses at its location within 10 minutes, seconds to the nearest other one there), as the
        batch counts them (7 days when it is alone)."""
        times = self.posters[row.location_id]
        at = self.time_of.get(ident(row), float(int(row.submitted_at.timestamp())))
        count = bisect.bisect_right(times, at + 600.0) - bisect.bisect_left(times, at - 600.0)
        i = bisect.bisect_left(times, at)  # its own time (or its original's) is in the list at i
        gaps = [at - times[i - 1]] if i > 0 else []
        if i + 1 < len(times):
            gaps.append(times[i + 1] - at)
        return float(count), min([7 * 86400.0, *gaps])


_indexes: dict[tuple[str, int, int], CampaignIndex] = {}
_lock = threading.Lock()


def campaign_index(*, session: Session, campaign: Campaign) -> CampaignIndex:
    """This process's index of the campaign's current instrument version, brought up to date."""
    with _lock:
        key = (str(session.get_bind().engine.url), ident(campaign), campaign.survey_instrument_id)
        index = _indexes.setdefault(key, CampaignIndex())
    index.refresh(session, campaign)
    return index


def forget() -> None:
    """Drop every index (a new database, in tests and benchmarks)."""
    with _lock:
        _indexes.clear()
