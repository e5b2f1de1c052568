#!/usr/bin/env python3
"""Markdown tables of criterion results: autodiff vs hand-written, and gradient vs value.

Usage:
    scripts/bench_table.py [CRITERION_DIR] [--check]

Reads every benchmark under CRITERION_DIR (default: target/criterion of the repository this
script lives in) from its `new/benchmark.json` (the id) and `new/estimates.json` (the time: the
median's point estimate, in nanoseconds), as left by the last `cargo bench` run, and prints:

(a) every pair `<prefix>/autodiff` + `<prefix>/hand` (the mlp and tape benches): columns group,
    measurement, autodiff time, hand time, ratio autodiff/hand. The group is criterion's group
    id, the measurement the rest of the prefix (`faer/grad/autodiff` is group `faer`,
    measurement `grad`). Rows are sorted by group, then measurement in the order grad,
    grad_batch, run, descent, then any other alphabetically.

(b) every pair `<prefix>/grad` + `<prefix>/value` with prefix `<backend>/<op>/<n>` (the ops
    bench): columns backend, op, n, value time, grad time, ratio grad/value. Rows are sorted by
    backend, operation (inv, det, chol, eigensystem, svd_, then others alphabetically), n.

A benchmark whose partner is missing is skipped. Times are printed with 3 significant digits in
ns, µs, ms or s.

(c) the paired ratios of the MLP benchmark (`benches/paired.rs`), if PAIRED_DIR (default:
    `paired` beside CRITERION_DIR) holds any: columns group, measurement, autodiff and hand time
    per pass, the autodiff/hand ratio (the median over the measuring processes of each
    process's median ratio of the rounds), the quartiles of the rounds (medians over the
    processes), the number of processes with the lowest and highest of their ratios, and the
    number of rounds in all.

--check: exit with status 1 if an autodiff/hand ratio of a `grad`, `grad_batch` or `run` row of
the MLP benchmark (groups faer, nalgebra, ndarray) exceeds its target (grad ≤ 1.10,
grad_batch ≤ 1.03, run ≤ 1.02), naming each such row on stderr; status 0 otherwise. A row's
paired ratio is checked where there is one (it is the measurement load cannot tilt), criterion's
ratio otherwise. The tape bench has no target: its ratio is the tape's cost per scalar
operation.

Examples:
    cargo bench -p backprop-linalg --all-features --bench mlp
    cargo bench -p backprop-linalg --all-features --bench paired
    scripts/bench_table.py --check
    scripts/bench_table.py /tmp/other-target/criterion > tables.md
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

# Targets of the autodiff/hand ratio, checked by --check.
TARGETS = {"grad": 1.10, "grad_batch": 1.03, "run": 1.02,
           # Run-time sizes against static sizes, both through autodiff (issue: ≤ 1.03).
           "dyn_grad": 1.03, "dyn_grad_batch": 1.03, "dyn_run": 1.03}
# The groups the targets apply to: the MLP benchmark, one group per backend.
CHECKED_GROUPS = {"faer", "nalgebra", "ndarray"}
# Row order of table (a); other measurements follow alphabetically.
MEASUREMENT_ORDER = ["grad", "grad_batch", "run", "descent", "dyn_grad", "dyn_grad_batch", "dyn_run"]
# Row order of the operations in table (b); others follow alphabetically.
OP_ORDER = ["inv", "det", "chol", "eigensystem", "svd_"]


def default_dir() -> Path:
    """`target/criterion` of the repository holding this script (its parent's parent)."""
    return Path(__file__).resolve().parent.parent / "target" / "criterion"


def load(criterion_dir: Path) -> dict[str, tuple[str, float]]:
    """Maps each benchmark's full id to (group id, median time in ns)."""
    results: dict[str, tuple[str, float, float]] = {}
    for bench in criterion_dir.rglob("benchmark.json"):
        if bench.parent.name != "new":
            continue
        estimates = bench.parent / "estimates.json"
        if not estimates.is_file():
            continue
        try:
            meta = json.loads(bench.read_text(encoding="utf-8"))
            median = json.loads(estimates.read_text(encoding="utf-8"))["median"]["point_estimate"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"bench_table: skipping {bench.parent}: {e}", file=sys.stderr)
            continue
        full_id = meta.get("full_id") or meta.get("title")
        if not full_id:
            continue
        mtime = estimates.stat().st_mtime
        # Should two directories claim one id, the newer result wins.
        if full_id not in results or results[full_id][2] < mtime:
            results[full_id] = (meta.get("group_id") or "", float(median), mtime)
    return {k: (g, t) for k, (g, t, _) in results.items()}


def load_paired(paired_dir: Path) -> dict[tuple[str, str], dict]:
    """Maps (group, measurement) to the summary `benches/paired.rs` wrote for it."""
    results: dict[tuple[str, str], dict] = {}
    if not paired_dir.is_dir():
        return results
    for path in sorted(paired_dir.glob("*.json")):
        try:
            summary = json.loads(path.read_text(encoding="utf-8"))
            key = (str(summary["group"]), str(summary["measurement"]))
            for field in ("median", "q1", "q3", "autodiff_ns", "hand_ns"):
                summary[field] = float(summary[field])
            summary["rounds"] = int(summary["rounds"])
            # Results written before the bench measured in several processes: one process.
            summary["processes"] = int(summary.get("processes", 1))
            summary["low"] = float(summary.get("low", summary["median"]))
            summary["high"] = float(summary.get("high", summary["median"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"bench_table: skipping {path}: {e}", file=sys.stderr)
            continue
        results[key] = summary
    return results


def paired_table(paired: dict[tuple[str, str], dict]) -> str:
    keys = sorted(paired, key=lambda k: (k[0], ordered(k[1], MEASUREMENT_ORDER)))
    rows = []
    for g, m in keys:
        p = paired[(g, m)]
        rows.append(
            [
                g,
                m,
                fmt_time(p["autodiff_ns"]),
                fmt_time(p["hand_ns"]),
                f"{p['median']:.3f}×",
                f"{p['q1']:.3f}–{p['q3']:.3f}",
                f"{p['processes']}: {p['low']:.3f}–{p['high']:.3f}",
                str(p["rounds"]),
            ]
        )
    return table(
        ["group", "measurement", "autodiff", "hand", "ratio", "quartiles", "processes", "rounds"],
        rows,
        {2, 3, 4, 5, 6, 7},
    )


def fmt_time(ns: float) -> str:
    """`ns` nanoseconds with 3 significant digits in the largest unit it is at least 1 of."""
    if not math.isfinite(ns) or ns <= 0:
        return f"{ns} ns"
    # Round to 3 significant digits first, so 999.7 ns prints as 1.00 µs, not 1000 ns.
    digits = 2 - math.floor(math.log10(ns))
    ns = round(ns, digits)
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3), ("ns", 1.0)):
        if ns >= scale or unit == "ns":
            v = ns / scale
            decimals = max(0, 2 - math.floor(math.log10(v))) if v > 0 else 0
            return f"{v:.{decimals}f} {unit}"
    raise AssertionError("unreachable")


def fmt_ratio(r: float) -> str:
    return f"{r:.2f}×"


def pairs(results: dict[str, tuple[str, float]], num: str, den: str):
    """Yields (prefix, group id, time of `<prefix>/<num>`, time of `<prefix>/<den>`)."""
    for full_id, (group, t_num) in results.items():
        suffix = "/" + num
        if not full_id.endswith(suffix):
            continue
        prefix = full_id[: -len(suffix)]
        partner = results.get(prefix + "/" + den)
        if partner is not None:
            yield prefix, group, t_num, partner[1]


def split_group(prefix: str, group: str) -> tuple[str, str]:
    """(group, measurement) of a prefix: criterion's group id and the rest."""
    if group and prefix.startswith(group + "/"):
        return group, prefix[len(group) + 1 :]
    if group == prefix:
        return group, ""
    head, _, tail = prefix.rpartition("/")
    return head, tail


def ordered(value: str, order: list[str]) -> tuple[int, str]:
    return (order.index(value), "") if value in order else (len(order), value)


def table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A markdown table; the columns in `right` are right-aligned."""
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def autodiff_table(results) -> tuple[list[tuple[str, str, float, float]], str]:
    rows = []
    for prefix, group, t_ad, t_hand in pairs(results, "autodiff", "hand"):
        g, m = split_group(prefix, group)
        rows.append((g, m, t_ad, t_hand))
    rows.sort(key=lambda r: (r[0], ordered(r[1], MEASUREMENT_ORDER)))
    text = table(
        ["group", "measurement", "autodiff", "hand", "ratio"],
        [[g, m, fmt_time(a), fmt_time(h), fmt_ratio(a / h)] for g, m, a, h in rows],
        {2, 3, 4},
    )
    return rows, text


def grad_value_table(results) -> str:
    rows = []
    for prefix, _, t_grad, t_value in pairs(results, "grad", "value"):
        parts = prefix.split("/")
        if len(parts) >= 3:
            backend, op, n = parts[0], "/".join(parts[1:-1]), parts[-1]
        else:
            backend, op, n = prefix, "", ""
        rows.append((backend, op, n, t_value, t_grad))

    def n_key(n: str):
        return (0, int(n), "") if n.isdigit() else (1, 0, n)

    rows.sort(key=lambda r: (r[0], ordered(r[1], OP_ORDER), n_key(r[2])))
    return table(
        ["backend", "op", "n", "value", "grad", "grad/value"],
        [[b, o, n, fmt_time(v), fmt_time(g), fmt_ratio(g / v)] for b, o, n, v, g in rows],
        {2, 3, 4, 5},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "criterion_dir",
        nargs="?",
        type=Path,
        default=default_dir(),
        help="criterion's output directory (default: %(default)s)",
    )
    parser.add_argument(
        "--paired-dir",
        type=Path,
        default=None,
        help="where benches/paired.rs wrote its results (default: `paired` beside CRITERION_DIR)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if an autodiff/hand ratio of grad, grad_batch or run exceeds its target",
    )
    args = parser.parse_args(argv)

    paired_dir = args.paired_dir or args.criterion_dir.parent / "paired"
    paired = load_paired(paired_dir)
    results = load(args.criterion_dir) if args.criterion_dir.is_dir() else {}
    if not results and not paired:
        print(
            f"bench_table: no criterion results under {args.criterion_dir} "
            f"and no paired results under {paired_dir}",
            file=sys.stderr,
        )
        return 2

    ad_rows, ad_text = autodiff_table(results)
    gv_text = grad_value_table(results)
    printed = False
    if ad_rows:
        print("## autodiff / hand-written\n")
        print(ad_text)
        printed = True
    if gv_text.count("\n") > 1:
        if printed:
            print()
        print("## gradient / value\n")
        print(gv_text)
        printed = True
    if paired:
        if printed:
            print()
        print("## autodiff / hand-written, paired\n")
        print(paired_table(paired))
        printed = True
    if not printed:
        print("bench_table: no autodiff/hand or grad/value pairs found", file=sys.stderr)

    if args.check:
        # The ratio of each checked row: the paired one where there is one.
        ratios = {(g, m): a / h for g, m, a, h in ad_rows}
        ratios.update({key: p["median"] for key, p in paired.items()})
        failures = [
            (g, m, r, TARGETS[m])
            for (g, m), r in sorted(ratios.items())
            if g in CHECKED_GROUPS and m in TARGETS and r > TARGETS[m]
        ]
        for g, m, r, target in failures:
            print(
                f"bench_table: {g}/{m}: autodiff/hand = {r:.3f} exceeds the target {target:.2f}",
                file=sys.stderr,
            )
        if failures:
            return 1
        checked = sum(1 for g, m in ratios if g in CHECKED_GROUPS and m in TARGETS)
        if checked:
            print(f"bench_table: all {checked} checked ratios within target", file=sys.stderr)
        else:
            print("bench_table: no grad, grad_batch or run rows to check", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
