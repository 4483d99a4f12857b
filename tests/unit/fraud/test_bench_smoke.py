"""A small benchmark grid: the detector must beat every single-index baseline."""

from __future__ import annotations

import numpy as np

from fraud.bench import format_table, run_grid, summarise


def test_detector_beats_every_single_index_baseline() -> None:
    results = run_grid(prevalences=(0.05,), item_counts=(10,), replications=2, n_genuine=600)
    cell = results[(0.05, 10)]
    detector = summarise(cell["detector"])
    for name, runs in cell.items():
        if name == "detector":
            continue
        baseline = summarise(runs)
        assert detector["auc"] > baseline["auc"], name
        assert detector["ap"] > baseline["ap"], name
    assert detector["flagged_with_reason"] == 1.0
    assert not np.isnan(detector["recall_burst"])
    table = format_table(results)
    assert table.count("\n") == 1 + len(cell) and "| detector |" in table
