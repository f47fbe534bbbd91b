"""What `make bench-api` measures: every route against the baseline, then the worst cases.

- **routes**: each route of the API and of the baseline, interleaved within each round, so a slow
  minute on this shared machine touches every route a little; medians across rounds.
- **lock stall**: a reader's list, quiet, then while two PATCHes keep waiting on row locks that a
  second connection holds (each waits out the lock timeout, answers 503, and is sent again).
- **noisy neighbour**: the same list, quiet, then while a user with a million todos polls their
  first page, their completed ones and the deepest offset allowed, on two connections.
- **scale**: first-page latency, one request at a time, for users with 20 to 1,000,000 todos.
- **observability** (`observability.py`): the list with observability off, with metrics, with the
  request log too, and with tracing exporting to a local OTLP receiver.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import httpx
import psycopg

from bench.api.settings import ApiBenchSettings
from bench.api.wrk import Load, Request, WrkResult, run_wrk

MAX_OFFSET = 10_000  # the deepest offset the API serves; the noisy neighbour asks for it


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """Medians over the rounds."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int

    @classmethod
    def median_of(cls, runs: list[WrkResult]) -> Measurement:
        return cls(
            requests_per_s=statistics.median(r.requests_per_s for r in runs),
            p50_ms=statistics.median(r.p50_ms for r in runs),
            p99_ms=statistics.median(r.p99_ms for r in runs),
            errors=sum(r.errors for r in runs),
        )


@dataclass(frozen=True)
class Route:
    key: str
    label: str
    load: Callable[[str], Load]  # from the contender ("api" or "baseline") to what wrk sends


def measure(base_url: str, load: Load, settings: ApiBenchSettings) -> WrkResult:
    """A warm-up, then the measured run."""
    shape = {"connections": settings.connections, "threads": settings.threads}
    if settings.warmup:
        run_wrk(base_url, load, duration_s=settings.warmup, **shape)
    return run_wrk(base_url, load, duration_s=settings.duration, **shape)


def routes(
    urls: dict[str, str], routes: list[Route], settings: ApiBenchSettings
) -> dict[tuple[str, str], Measurement]:
    runs: dict[tuple[str, str], list[WrkResult]] = {}
    for number in range(1, settings.rounds + 1):
        for route in routes:
            for contender, url in urls.items():
                result = measure(url, route.load(contender), settings)
                runs.setdefault((route.key, contender), []).append(result)
                print(f"round {number} {route.label} {contender}: {_line(result)}", flush=True)
    return {key: Measurement.median_of(results) for key, results in runs.items()}


def quiet_and_loaded(
    name: str,
    base_url: str,
    load: Load,
    settings: ApiBenchSettings,
    neighbour: Callable[[], AbstractContextManager[None]],
) -> tuple[Measurement, Measurement]:
    """`load` alone, then beside `neighbour` (a context manager), in pairs over the rounds."""
    quiet, loaded = [], []
    for number in range(1, settings.rounds + 1):
        quiet.append(measure(base_url, load, settings))
        with neighbour():
            loaded.append(measure(base_url, load, settings))
        print(f"round {number} {name}: quiet {_line(quiet[-1])}; loaded {_line(loaded[-1])}",
              flush=True)  # fmt: skip
    return Measurement.median_of(quiet), Measurement.median_of(loaded)


@contextmanager
def rows_locked_with_waiters(
    base_url: str, database_url: str, token: str, todo_ids: list[int]
) -> Iterator[None]:
    """Another session locks the rows; one client per row keeps PATCHing it meanwhile."""
    stop = threading.Event()

    def keep_patching(todo_id: int) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while not stop.is_set():
                client.patch(f"/v1/todos/{todo_id}", json={"title": "blocked"},
                             headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    url = database_url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM todo_todo WHERE id = ANY(%s) FOR UPDATE", (todo_ids,))
        waiters = [threading.Thread(target=keep_patching, args=(i,)) for i in todo_ids]
        for waiter in waiters:
            waiter.start()
        try:
            yield
        finally:
            stop.set()
            holder.rollback()
            for waiter in waiters:
                waiter.join()


@contextmanager
def polling(base_url: str, load: Load, settings: ApiBenchSettings) -> Iterator[None]:
    """A second wrk with two connections runs `load` for as long as the block lasts."""
    seconds = settings.duration + settings.warmup + 60
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-poller-") as script:
        script.write(load.script(threads=1))
        script.flush()
        command = ["wrk", "-t1", "-c2", f"-d{seconds}s", "-s", script.name, base_url]
        with subprocess.Popen(command, stdout=subprocess.DEVNULL) as poller:
            try:
                yield
            finally:
                poller.terminate()


def heavy_polls(token: str) -> Load:
    return Load(
        requests=[
            Request("GET", "/v1/todos", token),
            Request("GET", "/v1/todos?completed=true", token),
            Request("GET", f"/v1/todos?offset={MAX_OFFSET}", token),
        ]
    )


def first_page_latency(base_url: str, token: str, settings: ApiBenchSettings) -> WrkResult:
    """One request at a time: the latency a user sees, not the server's throughput."""
    load = Load(requests=[Request("GET", "/v1/todos?limit=20", token)])
    run_wrk(base_url, load, duration_s=1, connections=1, threads=1)
    return run_wrk(base_url, load, duration_s=settings.scale_duration, connections=1, threads=1)


def _line(result: WrkResult) -> str:
    return (
        f"{result.requests_per_s:,.0f} req/s, p50 {result.p50_ms:.1f} ms, "
        f"p99 {result.p99_ms:.1f} ms, errors {result.errors}"
    )
