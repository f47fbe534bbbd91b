"""Drive `wrk` and read its `--latency` report."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True, kw_only=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors: any is a broken run, not a slow one


def ensure_wrk() -> str:
    """wrk from Debian, installed on first use: it is a load generator, not a project dependency."""
    found = shutil.which("wrk")
    if found is None:
        print("wrk not found: installing it from Debian (apt-get install -y wrk)", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is still missing after apt-get install -y wrk")
    return found


def run_wrk(
    url: str,
    *,
    duration_s: int,
    connections: int,
    threads: int,
    headers: dict[str, str] | None = None,
    script: Path | None = None,
) -> WrkResult:
    command = [
        ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration_s}s",
        "--latency", "--timeout", "5s",
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    proc = subprocess.run(
        [*command, url], capture_output=True, text=True, check=False, timeout=duration_s + 60
    )
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return parse_wrk_output(proc.stdout)


def _duration_ms(value: str, unit: str) -> float:
    return float(value) * _UNIT_MS[unit]


def parse_wrk_output(text: str) -> WrkResult:
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"unexpected wrk output (was --latency given?):\n{text}")
    errors = 0
    if status := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text):
        errors += int(status.group(1))
    if sockets := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    ):
        errors += sum(int(count) for count in sockets.groups())
    return WrkResult(
        requests_per_s=float(rate.group(1)),
        p50_ms=_duration_ms(*p50.groups()),
        p99_ms=_duration_ms(*p99.groups()),
        errors=errors,
    )
