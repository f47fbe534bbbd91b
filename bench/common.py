"""What every benchmark shares: scale, percentiles, tables, machine facts and the results file."""

from __future__ import annotations

import datetime as dt
import math
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT_DIR / "var" / "bench"


def scaled(count: int, *, minimum: int = 1) -> int:
    """`BENCH_SCALE=0.1` shrinks the workloads for a quick development run; 1 is full size."""
    return max(minimum, round(count * float(os.environ.get("BENCH_SCALE", "1"))))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: p99 of 200 samples is an observed sample, not an interpolation."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    return found.group(1).strip() if found else platform.processor() or "unknown"


def _command_version(*command: str) -> str:
    """The first dotted version number a `--version` command prints."""
    if shutil.which(command[0]) is None:
        return "not found"
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"\d+\.\d+(?:\.\d+)?", proc.stdout + proc.stderr)
    return found.group(0) if found else "?"


def _tool_version(tool: str) -> str:
    if tool == "Celery":
        from celery import __version__

        return __version__
    from tests.harness.servers import _pg_bin

    return _command_version(_pg_bin("postgres") if tool == "PostgreSQL" else "redis-server",
                            "--version")  # fmt: skip


def machine_facts(*tools: str) -> str:
    """One line to tell which machine and versions (of PostgreSQL, Redis, Celery) ran a result."""
    facts = {"nproc": str(len(os.sched_getaffinity(0))), "CPU": _cpu_model()}
    facts |= {"Python": platform.python_version()} | {tool: _tool_version(tool) for tool in tools}
    return "; ".join(f"{name}: {value}" for name, value in facts.items())


def write_report(name: str, document: str) -> Path:
    """The run's report in `var/bench/`, stamped, and as `<name>-latest.md`.

    `docs/benchmarks.md` quotes chosen runs by hand; a run never edits the docs.
    """
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    stamped = RESULTS_DIR / f"{name}-{stamp}.md"
    stamped.write_text(f"# {name}, {stamp} UTC\n\n{document.strip()}\n")
    shutil.copyfile(stamped, RESULTS_DIR / f"{name}-latest.md")
    return stamped
