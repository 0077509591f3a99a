"""`make bench`: every benchmark in bench/ in turn, then one summary of the figures vs targets.

Runs the token benchmarks (verify_cost, me_throughput, jwks_fetches), cold_start.py when it
is there, and any other bench/*.py that has a main(); each main() prints its own rounds and
returns its figures. Exits 0 unless --strict is given and a target is missed (benchmarks on a
shared machine are noisy: the figures are for people, not a gate).
Run: python bench/run_all.py [--only verify_cost,jwks_fetches] [--strict]
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

if __package__ in (None, ""):  # run as `python bench/run_all.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT


class Target(NamedTuple):
    """One figure a benchmark returns, its target, and what it means."""

    key: str
    label: str
    op: str  # "<=", ">=" or "==" ("" for a figure printed for information)
    goal: float
    meaning: str


# The known benchmarks first, in this order; any other bench/*.py with a main() runs after them.
TARGETS: dict[str, list[Target]] = {
    "verify_cost": [
        Target("new_ratio", "new-token verify ÷ bare RS256 verify", "<=", 1.5,
               "cost of a first-seen token over the crypto floor"),
        Target("warm_us", "warm (cached) verify, µs", "<=", 3.0,
               "every later request with that token"),
        Target("jose_ratio", "python-jose (JWK per call) ÷ floor", "", 0.0,
               "the naive baseline, for comparison"),
    ],
    "me_throughput": [
        Target("ratio", "GET /me ÷ bare endpoint, req/s", ">=", 0.9,
               "share of a bare route's throughput kept by auth"),
    ],
    "jwks_fetches": [
        Target("burst_fetches", "JWKS fetches, 500 concurrent first requests", "==", 1,
               "single flight on a cold cache"),
        Target("random_kid_extra_fetches", "extra fetches, 1,000 random kids in 10 s", "<=", 1,
               "cool-down against kid floods"),
    ],
    "cold_start": [
        Target("import_ratio", "Lambda handler import ÷ import fastapi, mangum", "<=", 1.3,
               "cold-start cost of the service"),
    ],
}  # fmt: skip
_NOT_BENCHMARKS = {"run_all", "me_app"}


def _discover() -> list[str]:
    found = sorted(
        path.stem
        for path in (ROOT / "bench").glob("*.py")
        if not path.stem.startswith("_") and path.stem not in _NOT_BENCHMARKS
    )
    return [name for name in TARGETS if name in found] + [n for n in found if n not in TARGETS]


def _verdict(target: Target, value: float) -> str:
    checks: dict[str, Callable[[float, float], bool]] = {
        "<=": lambda a, b: a <= b,
        ">=": lambda a, b: a >= b,
        "==": lambda a, b: a == b,
    }
    if not target.op:
        return "info"
    return "PASS" if checks[target.op](value, target.goal) else "MISS"


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main(only: list[str] | None = None, strict: bool = False) -> dict[str, dict[str, Any]]:
    """Run the benchmarks, print a summary of their figures against targets, return them all."""
    names = [name for name in _discover() if not only or name in only]
    started = time.monotonic()
    print(f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {_machine()}")
    results: dict[str, dict[str, Any]] = {}
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "main", None)
        if not callable(run):
            continue
        print(f"\n=== bench/{name}.py", flush=True)
        figures = run()
        results[name] = figures if isinstance(figures, dict) else {}
    print(f"\n=== summary ({time.monotonic() - started:.0f} s)")
    missed = []
    for name, figures in results.items():
        known = TARGETS.get(name, [])
        for target in known:
            if target.key not in figures:
                continue
            value = float(figures[target.key])
            verdict = _verdict(target, value)
            goal = f"{target.op} {target.goal:g}" if target.op else ""
            print(f"  {name:14s} {target.label:48s} {value:9.3f}  {goal:8s} {verdict:4s}  "
                  f"{target.meaning}")  # fmt: skip
            if verdict == "MISS":
                missed.append(f"{name}: {target.label}")
        others = {k: v for k, v in figures.items() if k not in {t.key for t in known}}
        if others and not known:
            print(f"  {name:14s} " + ", ".join(f"{k}={v:.3g}" for k, v in others.items()))
    if missed:
        print("missed: " + "; ".join(missed))
    if strict and missed:
        raise SystemExit(1)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma list of benchmark names (file stems)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    arguments = parser.parse_args()
    main(arguments.only.split(",") if arguments.only else None, arguments.strict)
