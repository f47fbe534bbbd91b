"""Drive `wrk`, with a Lua script for requests that vary, and read its `--latency` report."""

from __future__ import annotations

import json
import re
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True, kw_only=True)
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int  # non-2xx/3xx answers plus socket errors: any is a broken run, not a slow one

    @classmethod
    def median_of(cls, runs: list[WrkResult]) -> WrkResult:
        """Medians over rounds; errors add up."""
        return cls(
            requests_per_s=statistics.median(r.requests_per_s for r in runs),
            p50_ms=statistics.median(r.p50_ms for r in runs),
            p99_ms=statistics.median(r.p99_ms for r in runs),
            errors=sum(r.errors for r in runs),
        )

    def line(self) -> str:
        return (f"{self.requests_per_s:,.0f} req/s, p50 {self.p50_ms:.1f} ms, "
                f"p99 {self.p99_ms:.1f} ms, errors {self.errors}")  # fmt: skip


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str | None = None
    body: object = None


@dataclass(frozen=True)
class Load:
    """What one wrk run sends: `requests` in turn, or one `path_prefix + id` per id of a block.

    `ids` hands out a fresh block for each run, for requests that succeed once per id (DELETE).
    """

    requests: Sequence[Request] = ()
    ids: Callable[[], range] | None = None
    path_prefix: str = ""
    token: str | None = None

    def script(self, threads: int) -> str:
        if self.ids is not None:  # each id once: thread k takes first + k, first + k + threads...
            first = self.ids().start
            return _SEQUENCE % (first, threads, _lua(self.path_prefix), _auth(self.token))
        return _CYCLE % ",\n".join(_entry(request) for request in self.requests)


_CYCLE = """
local requests = {
%s
}
slots = 0
function setup(thread) thread:set("slot", slots); slots = slots + 1 end
function init(args) n = slot end
function request()
  n = n + 1
  local r = requests[(n %% #requests) + 1]
  local headers = {["Content-Type"] = "application/json"}
  if r[3] then headers["Authorization"] = r[3] end
  return wrk.format(r[1], r[2], headers, r[4])
end
"""

_SEQUENCE = """
slots = 0
function setup(thread) thread:set("slot", slots); slots = slots + 1 end
function init(args) n = 0 end
function request()
  local id = %d + slot + n * %d
  n = n + 1
  return wrk.format("DELETE", %s .. id, {["Authorization"] = %s})
end
"""


def _entry(request: Request) -> str:
    body = _lua(json.dumps(request.body)) if request.body is not None else "nil"
    return f"{{{_lua(request.method)}, {_lua(request.path)}, {_auth(request.token)}, {body}}}"


def _lua(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here


def _auth(token: str | None) -> str:
    return _lua(f"Bearer {token}") if token else "nil"


def ensure_wrk() -> str:
    """wrk from Debian, installed on first use: it is a load generator, not a project dependency."""
    if shutil.which("wrk") is None:
        print("wrk not found: installing it from Debian (apt-get install -y wrk)", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def wrk_command(base_url: str, script: str, *, duration_s: int, connections: int,
                threads: int) -> list[str]:  # fmt: skip
    return [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency",
            "--timeout", "10s", "-s", script, base_url]  # fmt: skip


def run_wrk(base_url: str, load: Load, *, duration_s: int, connections: int,
            threads: int) -> WrkResult:  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-") as script:
        script.write(load.script(threads))
        script.flush()
        command = wrk_command(base_url, script.name, duration_s=duration_s,
                              connections=connections, threads=threads)  # fmt: skip
        proc = subprocess.run(command, capture_output=True, text=True, timeout=duration_s + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return parse_wrk_output(proc.stdout)


def parse_wrk_output(text: str) -> WrkResult:
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.MULTILINE)
    p50, p99 = (re.search(rf"^\s+{n}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M) for n in (50, 99))
    if rate is None or p50 is None or p99 is None:
        raise RuntimeError(f"unexpected wrk output (was --latency given?):\n{text}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", text))
    if sockets := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                            text):  # fmt: skip
        errors += sum(int(count) for count in sockets.groups())
    return WrkResult(
        requests_per_s=float(rate.group(1)),
        p50_ms=float(p50.group(1)) * _UNIT_MS[p50.group(2)],
        p99_ms=float(p99.group(1)) * _UNIT_MS[p99.group(2)],
        errors=errors,
    )
