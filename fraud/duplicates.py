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
    return repeated(
        responses.client, responses.submitted, responses.answers, responses.comments, window_s, max_copies
    )


def repeated(
    client: np.ndarray,
    submitted: np.ndarray,
    answers: np.ndarray,
    comments: list[str],
    window_s: float = 20.0,
    max_copies: int = 2,
) -> np.ndarray:
    """`double_submissions` on plain arrays (client as integer codes, rows in their stored order)."""
    n = len(client)
    original = np.full(n, -1)
    order = np.lexsort((submitted, client))
    filled = np.nan_to_num(answers, nan=-1.0)
    last_kept: dict[int, int] = {}
    copies: dict[int, int] = {}
    for i in order.tolist():
        device = int(client[i])
        j = last_kept.get(device)
        if (
            j is not None
            and copies.get(j, 0) < max_copies
            and submitted[i] - submitted[j] <= window_s
            and np.array_equal(filled[i], filled[j])
            and comments[i] == comments[j]
        ):
            original[i] = j
            copies[j] = copies.get(j, 0) + 1
            continue
        last_kept[device] = i
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
