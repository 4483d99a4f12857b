"""Labels back to the model: used only where they help, never for the worse on the benchmark's draws."""

from __future__ import annotations

import numpy as np

from fraud.bench import run_labels
from fraud.supervised import LabelledReweighting


def test_too_few_labels_leave_the_score_unchanged() -> None:
    rng = np.random.default_rng(0)
    S, base = rng.random((20, 4)), rng.random(20)  # noqa: N806
    model = LabelledReweighting().fit(S, base, np.array([0, 1] * 10))
    assert not model.used_ and np.array_equal(model.score(S, base), base)


def test_informative_labels_are_learnt_and_rule_hits_stay_on_top() -> None:
    rng = np.random.default_rng(1)
    n = 400
    fake = rng.random(n) < 0.2
    S = np.column_stack([fake * 2 + rng.normal(0, 0.3, n), rng.random(n)])  # noqa: N806
    base = rng.random(n)  # an unsupervised score that knows nothing
    base[0] += 1.0  # one rule hit
    model = LabelledReweighting(random_state=0).fit(S[:200], base[:200], fake[:200].astype(int))
    assert model.used_ and model.cv_auc_ > model.base_auc_
    final = model.score(S, base)
    assert final[0] >= 1.0 and np.argmax(final) == 0
    top = np.argsort(-final[200:])[:40]
    assert fake[200:][top].mean() > 0.6, "the re-weighted ranking finds the fakes the labels taught"


def test_labels_never_make_the_benchmark_worse() -> None:
    result = run_labels(label_counts=(200,), replications=2, n_genuine=600)
    assert all(w >= wo - 1e-9 for w, wo in zip(result[200]["with"], result[200]["without"], strict=True))
