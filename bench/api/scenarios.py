"""What `make bench-api` measures: every route against the baseline, then the worst cases.

- **routes**: each route of the API and of the baseline, interleaved within each round, so a slow
  minute on this shared machine touches every route a little; medians across rounds.
- **lock-stall**: a user's list, quiet, then while two PATCHes keep waiting on row locks that a
  second connection holds (each waits out the lock timeout, answers 503, and is sent again).
- **noisy-neighbour**: the same, beside a user with a million todos polling their first page,
  their completed ones and the deepest offset allowed, on two connections.
- **scale**: first-page latency, one request at a time, for users with 20 to 1,000,000 todos, on
  PostgreSQL and on SQLite.
- **observability**: the list with observability off, then with metrics, the request log and
  tracing to an OTLP receiver in this process (on the same cores, as a local collector would be).
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path

import httpx
import psycopg
from tests.harness.otlp_receiver import OtlpReceiver

from bench.api import report, seed
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import Load, Request, WrkResult, run_wrk, wrk_command

MAX_OFFSET = 10_000  # the deepest offset the API serves; the noisy neighbour asks for it
WRITERS = 20  # the create load rotates among them, each under the per-user limit
IDS_PER_SECOND = 4_000  # ids one delete run may use, per second of its load
Section = tuple[str, list[report.Target]]
_listers = count()  # each scenario's list belongs to a user of its own


@dataclass
class Bench:
    """What the scenarios share: the API on PostgreSQL and what was seeded in it."""

    settings: ApiBenchSettings
    stack: ExitStack
    scratch: Path
    database_url: str
    api: str
    client: httpx.Client
    serve: Callable[..., AbstractContextManager[str]]  # (database URL, name, app, **env)
    large: dict[int, str] = field(default_factory=dict)  # todos: token

    def measure(self, load: Load, base_url: str | None = None) -> WrkResult:
        """A warm-up, then the measured run."""
        shape = {"connections": self.settings.connections, "threads": self.settings.threads}
        if self.settings.warmup:
            run_wrk(base_url or self.api, load, duration_s=self.settings.warmup, **shape)
        return run_wrk(base_url or self.api, load, duration_s=self.settings.duration, **shape)

    def listing(self) -> Load:
        reader = seed.sign_up(self.client, f"bench-lister-{next(_listers)}")
        seed.create_todos(self.client, reader, seed.LIST_SIZE)
        return Load([Request("GET", "/v1/todos", reader.token)])

    def large_users(self) -> dict[int, str]:
        if not self.large:
            self.large = _users_with(self.client, self.database_url, self.settings.sizes())
        return self.large


def _users_with(client: httpx.Client, database_url: str, sizes: list[int]) -> dict[int, str]:
    tokens = {}
    for size in sizes:
        user = seed.sign_up(client, f"bench-scale-{size}")
        seed.insert_todos(database_url, user.id, size)
        tokens[size] = user.token
    seed.analyze(database_url)
    return tokens


def _blocks(ids: range, block: int) -> Callable[[], range]:
    """A fresh `block` of `ids` for each run: a DELETE succeeds once per id."""
    starts = count(ids.start, block)
    return lambda: range(next(starts), ids.stop)


def every_route(bench: Bench) -> Section:
    baseline = bench.stack.enter_context(
        bench.serve(bench.database_url, "baseline", "bench.api.baseline:app")
    )
    client, settings = bench.client, bench.settings
    reader = seed.sign_up(client, "bench-reader")
    reading = seed.create_todos(client, reader, seed.LIST_SIZE)
    writers = [seed.sign_up(client, f"bench-writer-{n}").token for n in range(WRITERS)]
    patcher = seed.sign_up(client, "bench-patcher")
    patched, deletes = seed.insert_todos(bench.database_url, patcher.id, 1_000), {}
    block = IDS_PER_SECOND * max(settings.duration, settings.warmup)
    for contender in ("api", "baseline"):  # a warm-up and a measured run per round each
        deleter = seed.sign_up(client, f"bench-deleter-{contender}")
        ids = seed.insert_todos(bench.database_url, deleter.id, block * 2 * settings.rounds)
        deletes[contender] = Load(ids=_blocks(ids, block), path_prefix="/v1/todos/",
                                  token=deleter.token)  # fmt: skip
    body = {"title": "Benchmark todo", "description": "Created under load by wrk."}
    loads = {
        "list": Load([Request("GET", "/v1/todos", reader.token)]),
        "get": Load([Request("GET", f"/v1/todos/{i}", reader.token) for i in reading]),
        "create": Load([Request("POST", "/v1/todos", token, body) for token in writers]),
        "patch": Load([Request("PATCH", f"/v1/todos/{i}", patcher.token, {"completed": done})
                       for done in (True, False) for i in patched]),
        "health": Load([Request("GET", "/v1/health")]),
    }  # fmt: skip
    report.check_baseline(baseline, client, reader.token, reading[0])
    measured: dict[tuple[str, str], list[WrkResult]] = {}
    for number in range(1, settings.rounds + 1):
        for route in report.ROUTES:
            for contender, url in (("api", bench.api), ("baseline", baseline)):
                load = deletes[contender] if route == "delete" else loads[route]
                result = bench.measure(load, url)
                measured.setdefault((route, contender), []).append(result)
                print(f"round {number} {route} {contender}: {result.line()}", flush=True)
    medians = {key: WrkResult.median_of(runs) for key, runs in measured.items()}
    return report.routes_table(medians), report.route_targets(medians)


def _quiet_and_loaded(
    bench: Bench, beside: str, neighbour: Callable[[], AbstractContextManager[None]]
) -> Section:
    """A user's list alone, then beside `neighbour`, in pairs over the rounds."""
    listing, quiet, loaded = bench.listing(), [], []
    for number in range(1, bench.settings.rounds + 1):
        quiet.append(bench.measure(listing))
        with neighbour():
            loaded.append(bench.measure(listing))
        print(f"round {number} {beside}: quiet {quiet[-1].line()}; loaded {loaded[-1].line()}")
    rows = [(beside, WrkResult.median_of(quiet), WrkResult.median_of(loaded))]
    return report.isolation_table(rows), report.isolation_targets(rows)


def lock_stall(bench: Bench) -> Section:
    blocked = seed.sign_up(bench.client, "bench-blocked")
    held = seed.create_todos(bench.client, blocked, 2)

    @contextmanager
    def rows_locked_with_waiters() -> Iterator[None]:
        """Another session locks the rows; one client per row keeps PATCHing it meanwhile."""
        stop = threading.Event()

        def keep_patching(todo_id: int) -> None:
            with httpx.Client(base_url=bench.api, timeout=30) as client:
                while not stop.is_set():
                    client.patch(f"/v1/todos/{todo_id}", json={"title": "blocked"},
                                 headers={"Authorization": f"Bearer {blocked.token}"})  # fmt: skip

        url = bench.database_url.replace("postgres://", "postgresql://", 1)
        waiters = [threading.Thread(target=keep_patching, args=(i,)) for i in held]
        with psycopg.connect(url) as holder:
            holder.execute("SELECT id FROM todo_todo WHERE id = ANY(%s) FOR UPDATE", (held,))
            for waiter in waiters:
                waiter.start()
            try:
                yield
            finally:
                stop.set()
                holder.rollback()
                for waiter in waiters:
                    waiter.join()

    return _quiet_and_loaded(bench, "two PATCHes waiting on row locks", rows_locked_with_waiters)


def noisy_neighbour(bench: Bench) -> Section:
    size, token = max(bench.large_users().items())
    paths = ("/v1/todos", "/v1/todos?completed=true", f"/v1/todos?offset={MAX_OFFSET}")
    heavy = Load([Request("GET", path, token) for path in paths])

    @contextmanager
    def polling() -> Iterator[None]:
        """A second wrk, on two connections, for as long as the block lasts."""
        seconds = bench.settings.duration + bench.settings.warmup + 60
        with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-poller-") as script:
            script.write(heavy.script(threads=1))
            script.flush()
            command = wrk_command(bench.api, script.name, duration_s=seconds, connections=2,
                                  threads=1)  # fmt: skip
            with subprocess.Popen(command, stdout=subprocess.DEVNULL) as poller:
                try:
                    yield
                finally:
                    poller.terminate()

    return _quiet_and_loaded(bench, f"a {size:,}-todo user polling on 2 connections", polling)


def scale(bench: Bench) -> Section:
    def first_page(base_url: str, token: str) -> WrkResult:
        """One request at a time: the latency a user sees, not the server's throughput."""
        load = Load([Request("GET", "/v1/todos?limit=20", token)])
        run_wrk(base_url, load, duration_s=1, connections=1, threads=1)
        seconds = bench.settings.scale_duration
        return run_wrk(base_url, load, duration_s=seconds, connections=1, threads=1)

    found = {("PostgreSQL", n): first_page(bench.api, t) for n, t in bench.large_users().items()}
    lite_url = f"sqlite:///{bench.scratch / 'scale.sqlite3'}"
    lite = bench.stack.enter_context(bench.serve(lite_url, "api-sqlite", None))
    with httpx.Client(base_url=lite, timeout=120) as client:
        for size, token in _users_with(client, lite_url, bench.settings.sizes()).items():
            found["SQLite", size] = first_page(lite, token)
    return report.scale_table(found), report.scale_targets(found)


def observability(bench: Bench) -> Section:
    with ExitStack() as stack:
        receiver = stack.enter_context(OtlpReceiver(keep=False))
        on = {"METRICS_ENABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": ""}
        configurations = {
            "off": {**on, "METRICS_ENABLED": "false"}, "metrics": on,
            "metrics, request log": {**on, "LOGGING_LEVEL": "INFO"},
            "metrics, tracing": {**on, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url},
            "metrics, tracing 10 %": {**on, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url,
                                      "TRACING_SAMPLE_RATE": "0.1"},
        }  # fmt: skip
        urls = {label: stack.enter_context(bench.serve(bench.database_url, f"api-obs-{n}", None,
                                                       **env))
                for n, (label, env) in enumerate(configurations.items())}  # fmt: skip
        listing = bench.listing()
        measured: dict[str, list[WrkResult]] = {label: [] for label in urls}
        for number in range(1, bench.settings.rounds + 1):
            for label, url in urls.items():
                measured[label].append(bench.measure(listing, url))
                print(f"round {number} list, {label}: {measured[label][-1].line()}", flush=True)
        spans = receiver.span_count
    medians = {label: WrkResult.median_of(runs) for label, runs in measured.items()}
    return report.observability_table(medians, spans), report.observability_targets(medians)


SCENARIOS: dict[str, Callable[[Bench], Section]] = {
    "routes": every_route,
    "lock-stall": lock_stall,
    "noisy-neighbour": noisy_neighbour,
    "scale": scale,
    "observability": observability,
}
