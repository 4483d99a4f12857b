"""Labels back to the model: used only where they help, never for the worse on the benchmark's draws."""

from __future__ import annotations

import numpy as np

from fraud.bench import run_labels
from fraud.supervised import LabelledReweighting


def test_too_few_labels_leave_the_score_unchanged() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.random((20, 4)), rng.random(20)])  # noqa: N806 - signals, then the base score
    model = LabelledReweighting().fit(X, np.array([0, 1] * 10))
    assert not model.used_ and np.array_equal(model.score(X), X[:, -1])


def test_informative_labels_are_learnt_and_rule_hits_stay_on_top() -> None:
    rng = np.random.default_rng(1)
    n = 400
    fake = rng.random(n) < 0.2
    S = np.column_stack([fake * 2 + rng.normal(0, 0.3, n), rng.random(n)])  # noqa: N806
    base = rng.random(n)  # an unsupervised score that knows nothing
    base[0] += 1.0  # one rule hit
    known = np.where(np.arange(n) < 200, fake.astype(int), -1)  # the first 200 were called back
    X = np.column_stack([S, base])  # noqa: N806
    model = LabelledReweighting(random_state=0).fit(X, known)
    assert model.used_ and model.cv_auc_ > model.base_auc_ and model.labels_ == 200
    final = model.score(X)
    assert final[0] >= 1.0 and np.argmax(final) == 0
    top = np.argsort(-final[200:])[:40]
    assert fake[200:][top].mean() > 0.6, "the re-weighted ranking finds the fakes the labels taught"


def test_labels_never_make_the_benchmark_worse() -> None:
    result = run_labels(label_counts=(200,), replications=2, n_genuine=600)
    assert all(w >= wo - 1e-9 for w, wo in zip(result[200]["with"], result[200]["without"], strict=True))


def test_a_response_scored_alone_gets_its_score_among_the_campaign() -> None:
    """Ranks are taken against the fitted campaign, not within the batch scored later."""
    rng = np.random.default_rng(2)
    n = 300
    fake = rng.random(n) < 0.2
    X = np.column_stack([fake * 2 + rng.normal(0, 0.3, n), rng.random(n), rng.random(n)])  # noqa: N806
    model = LabelledReweighting(random_state=0).fit(X, np.where(np.arange(n) < 150, fake.astype(int), -1))
    assert model.used_
    whole = model.score(X)
    alone = np.array([model.score(X[i : i + 1])[0] for i in range(0, n, 37)])
    assert np.allclose(alone, whole[::37])
