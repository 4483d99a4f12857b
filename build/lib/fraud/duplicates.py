"""Benign double submissions: the same device sending the identical answers again within seconds."""

from __future__ import annotations

import numpy as np

from fraud.data import Responses


def double_submissions(responses: Responses, window_s: float = 20.0, max_copies: int = 2) -> np.ndarray:
    """For each row, the index of the earlier identical submission it repeats, or -1.

    Identical means: same device, same answers (N/A included), same comment, within `window_s` seconds of
    the original. At most `max_copies` copies are merged per original: a phone that keeps sending the same
    answers is a burst, not a double tap. Copies are merged before features, so a tap never looks like one.
    """
    n = len(responses)
    original = np.full(n, -1)
    order = np.lexsort((responses.submitted, responses.client))
    answers = np.nan_to_num(responses.answers, nan=-1.0)
    last_kept: dict[int, int] = {}
    copies: dict[int, int] = {}
    for i in order.tolist():
        client = int(responses.client[i])
        j = last_kept.get(client)
        if (
            j is not None
            and copies.get(j, 0) < max_copies
            and responses.submitted[i] - responses.submitted[j] <= window_s
            and np.array_equal(answers[i], answers[j])
            and responses.comments[i] == responses.comments[j]
        ):
            original[i] = j
            copies[j] = copies.get(j, 0) + 1
            continue
        last_kept[client] = i
    return original


def subset(responses: Responses, keep: np.ndarray) -> Responses:
    """The responses at the `keep` indices (a view for feature extraction)."""
    idx = np.flatnonzero(keep)
    pick = idx.tolist()
    return Responses(
        ids=[responses.ids[i] for i in pick],
        location=responses.location[idx],
        location_names=responses.location_names,
        channel=[responses.channel[i] for i in pick],
        started=responses.started[idx],
        submitted=responses.submitted[idx],
        client=responses.client[idx],
        ip=responses.ip[idx],
        user_agent=[responses.user_agent[i] for i in pick],
        answers=responses.answers[idx],
        item_ms=responses.item_ms[idx],
        comments=[responses.comments[i] for i in pick],
        contact_given=responses.contact_given[idx],
        problems=responses.problems,
    )
