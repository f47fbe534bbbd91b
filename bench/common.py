"""What every benchmark shares: scale, percentiles, tables, machine facts and the results file."""

from __future__ import annotations

import datetime as dt
import fcntl
import math
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[1]
SRC_DIR = ROOT_DIR / "src"
BENCHMARKS_FILE = ROOT_DIR / "docs" / "benchmarks.md"


def use_project_sources() -> None:
    """Make `src/` importable, as `manage.py` does, for benchmarks run as `python -m bench.x`."""
    if str(SRC_DIR) not in sys.path:
        sys.path.insert(0, str(SRC_DIR))


def docs_enabled() -> bool:
    """`BENCH_DOCS=false` keeps a development run out of docs/benchmarks.md."""
    return os.environ.get("BENCH_DOCS", "true").lower() not in {"0", "false", "no"}


def bench_scale() -> float:
    """`BENCH_SCALE=0.1` shrinks the workloads for a quick development run; 1 is full size."""
    return float(os.environ.get("BENCH_SCALE", "1"))


def scaled(count: int, *, minimum: int = 1) -> int:
    return max(minimum, round(count * bench_scale()))


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
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _command_version(*command: str) -> str:
    """The first dotted version number a `--version` command prints."""
    if shutil.which(command[0]) is None:
        return "not found"
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"\d+\.\d+(?:\.\d+)?", proc.stdout + proc.stderr)
    return found.group(0) if found else "?"


def postgres_version() -> str:
    from tests.harness.servers import _pg_bin

    return _command_version(_pg_bin("postgres"), "--version")


def redis_version() -> str:
    return _command_version("redis-server", "--version")


def celery_version() -> str:
    import celery

    return str(celery.__version__)


def machine_facts(**extra: str) -> str:
    """One line to tell which machine and versions a result came from."""
    facts = {
        "nproc": str(len(os.sched_getaffinity(0))),
        "CPU": _cpu_model(),
        "Python": platform.python_version(),
        **extra,
    }
    return "; ".join(f"{name}: {value}" for name, value in facts.items())


def run_heading(command: str) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"### {stamp}: `{command}`"


def append_to_benchmarks(section: str, block: str) -> Path:
    """Add `block` at the end of `## {section}` in docs/benchmarks.md, creating what is missing.

    Several benchmarks write the same file; an exclusive lock keeps their read-modify-write apart.
    """
    BENCHMARKS_FILE.parent.mkdir(parents=True, exist_ok=True)
    heading = f"## {section}"
    with BENCHMARKS_FILE.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        lines = handle.read().splitlines()
        if not lines:
            lines = ["# Benchmarks", ""]
        if heading not in lines:
            lines += ["", heading, ""]
        start = lines.index(heading) + 1
        end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
        while end > start and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = ["", *block.strip("\n").splitlines(), ""]
        text = "\n".join(lines).rstrip("\n") + "\n"
        handle.seek(0)
        handle.truncate()
        handle.write(text)
    return BENCHMARKS_FILE
