#!/usr/bin/env python3
"""Compile time of the benchmark crate, from a clean target directory.

Usage: scripts/compile_times.py [--target-dir DIR]

Runs `cargo build --release -p backprop-linalg --all-features --benches --timings` in a fresh
target directory (default: a temporary one, deleted afterwards), then prints the wall time and,
from cargo's timing report, how long each workspace crate and the slowest dependencies took.
Quote the numbers in BENCHMARKS.md when code changes; a workspace unit that grows without a
reason is a regression. Uses all cores, like `cargo build`; run it on an idle machine.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COMMAND = [
    "cargo", "build", "--release", "-p", "backprop-linalg", "--all-features", "--benches",
    "--timings",
]


def units(timings_html: Path) -> list[dict]:
    """The per-unit records cargo embeds in its timing report."""
    text = timings_html.read_text()
    match = re.search(r"const UNIT_DATA = (\[.*?\]);\n", text, re.S)
    if not match:
        sys.exit(f"no unit data in {timings_html}: has cargo's report format changed?")
    return json.loads(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-dir", type=Path, help="build here (must not exist yet)")
    args = parser.parse_args()

    temp = None
    target = args.target_dir
    if target is None:
        temp = tempfile.mkdtemp(prefix="backprop-compile-")
        target = Path(temp) / "target"
    elif target.exists():
        sys.exit(f"{target} exists: the measurement needs a clean target directory")
    try:
        start = time.monotonic()
        subprocess.run(COMMAND + ["--target-dir", str(target)], cwd=REPO, check=True)
        wall = time.monotonic() - start
        reports = sorted((target / "cargo-timings").glob("cargo-timing-*.html"))
        data = units(reports[-1])
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)

    ours = [u for u in data if u["name"].startswith("backprop")]
    theirs = sorted((u for u in data if not u["name"].startswith("backprop")),
                    key=lambda u: -u["duration"])
    print(f"`{' '.join(COMMAND)}` from a clean target directory: {wall:.0f} s wall\n")
    print("| unit | target | time |")
    print("|---|---|---:|")
    for u in ours:
        print(f"| {u['name']} | {u['target'].strip() or 'lib'} | {u['duration']:.1f} s |")
    print(f"| all workspace units | | {sum(u['duration'] for u in ours):.1f} s |")
    for u in theirs[:5]:
        print(f"| {u['name']} (dependency) | {u['target'].strip() or 'lib'} | {u['duration']:.1f} s |")
    print(f"| all {len(theirs)} dependency units | | {sum(u['duration'] for u in theirs):.1f} s |")


if __name__ == "__main__":
    main()
