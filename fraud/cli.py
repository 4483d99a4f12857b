"""Command line: score a file, simulate a labelled campaign, run the benchmark grid."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path

from fraud.data import ContractError, load_items, load_responses


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m fraud`."""
    parser = argparse.ArgumentParser(prog="python -m fraud", description="Mingcha response-quality scorer")
    sub = parser.add_subparsers(dest="command", required=True)
    score = sub.add_parser("score", help="score responses.jsonl and write scores.csv")
    score.add_argument("--items", required=True, type=Path)
    score.add_argument("--responses", required=True, type=Path)
    score.add_argument("--out", required=True, type=Path)
    score.add_argument("--budget", type=float, default=0.10, help="share proposed for priority callback")
    score.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the reasons")
    score.add_argument("--utc-offset", type=float, default=8.0, help="local time offset for time of day")
    score.add_argument("--seed", type=int, default=0)
    sim = sub.add_parser("simulate", help="write a labelled synthetic campaign in the contract format")
    sim.add_argument("--out", type=Path, default=Path("var/simulated"))
    sim.add_argument("--n-genuine", type=int, default=1500)
    sim.add_argument("--items", type=int, default=10, dest="n_items")
    sim.add_argument("--prevalence", type=float, default=0.05)
    sim.add_argument("--seed", type=int, default=0)
    bench = sub.add_parser("bench", help="run the benchmark grid and print the table")
    bench.add_argument("--replications", type=int, default=20)
    bench.add_argument("--n-genuine", type=int, default=1500)
    bench.add_argument("--quick", action="store_true", help="5%% prevalence, 10 items, 3 replications")
    bench.add_argument(
        "--design-seeds", action="store_true", help="the seeds used while designing (default: held-out seeds)"
    )
    bench.add_argument("--out", type=Path, default=None, help="also write the Markdown table here")
    bench.add_argument(
        "--labels", action="store_true", help="also: precision@10%% without and with 50/200 callback labels"
    )
    evaluate = sub.add_parser("evaluate", help="precision and recall of the flags against callback labels")
    evaluate.add_argument("--scores", required=True, type=Path, help="scores.csv from `score`")
    evaluate.add_argument("--labels", required=True, type=Path, help="labels.csv: id,label[,source]")
    args = parser.parse_args(argv)
    commands = {"score": _score, "simulate": _simulate, "bench": _bench, "evaluate": _evaluate}
    return commands[args.command](args)


def _score(args: argparse.Namespace) -> int:
    from fraud.features import FeatureParams
    from fraud.model import ResponseScreen

    if not 0 < args.budget <= 0.5:
        print("error: --budget must be in (0, 0.5]", file=sys.stderr)
        return 2
    try:
        items = load_items(args.items)
        responses = load_responses(args.responses, items)
    except ContractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    for problem in responses.problems:
        print(problem, file=sys.stderr)
    started = time.perf_counter()
    screen = ResponseScreen(
        items,
        contamination=args.budget,
        feature_params=FeatureParams(utc_offset_h=args.utc_offset),
        random_state=args.seed,
    )
    verdicts = screen.fit(responses).verdicts(responses)
    reasons = verdicts.reasons_en if args.lang == "en" else verdicts.reasons_zh
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "score", "flagged", "reasons"])
        for i, rid in enumerate(verdicts.ids):
            text = ";".join(r.replace(";", ",") for r in reasons[i])
            writer.writerow([rid, f"{verdicts.score[i]:.6f}", int(verdicts.flagged[i]), text])
    elapsed = time.perf_counter() - started
    print(
        f"scored {len(verdicts.ids)} responses ({len(responses.problems)} malformed lines skipped), "
        f"flagged {int(verdicts.flagged.sum())}, in {elapsed:.1f} s -> {args.out}",
        file=sys.stderr,
    )
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from fraud.simulate import SimConfig, simulate

    cfg = SimConfig(
        n_genuine=args.n_genuine, n_items=args.n_items, prevalence=args.prevalence, seed=args.seed
    )
    items, records, labels = simulate(cfg)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "items.json").write_text(
        json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with (args.out / "responses.jsonl").open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    with (args.out / "labels.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "label", "kind"])
        writer.writerows(labels)
    fraud = sum(label for _, label, _ in labels)
    print(f"wrote {len(records)} responses ({fraud} fraudulent) to {args.out}/")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from fraud.bench import DESIGN, HELD_OUT, format_careless, format_table, run_grid

    started = time.perf_counter()
    seeds = DESIGN if args.design_seeds else HELD_OUT
    progress = lambda m: print(m, file=sys.stderr)  # noqa: E731
    if args.quick:
        results = run_grid(
            n_genuine=args.n_genuine,
            progress=progress,
            prevalences=(0.05,),
            item_counts=(10,),
            replications=3,
            seed_base=seeds,
        )
    else:
        results = run_grid(
            n_genuine=args.n_genuine, progress=progress, replications=args.replications, seed_base=seeds
        )
    table = format_table(results) + "\n\nThe detector on careless responding:\n\n" + format_careless(results)
    if args.labels:
        from fraud.bench import format_labels, run_labels

        reps = 3 if args.quick else args.replications
        table += "\n\nCallback labels (5% prevalence, 10 items, held-out seeds):\n\n"
        table += format_labels(run_labels(replications=reps, n_genuine=args.n_genuine))
    print(table)
    print(f"\n({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from fraud.evaluate import EvaluationError, evaluate, read_labels, read_scores

    try:
        scores = read_scores(args.scores)
        labels = read_labels(args.labels)
        report = evaluate(scores, labels)
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    print(report.text())
    return 0
