"""`make bench-api`: throwaway PostgreSQL, the API and the baseline in uvicorn processes, wrk.

The API and the baseline run one uvicorn worker each, on the same database with the same
environment; wrk loads one of them at a time. Every server and process started here is stopped on
the way out, including on Ctrl+C or SIGTERM. The report is printed and written to `var/bench/`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from types import FrameType

import httpx
from tests.harness.api_server import ROOT_DIR, SRC_DIR, ApiServer
from tests.harness.servers import PostgresServer

from bench.api import observability, report, scenarios, seed
from bench.api.scenarios import Route
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import Load, Request, ensure_wrk, scratch_dir
from bench.common import machine_facts, postgres_version, write_report

WRITERS = 20  # the create load rotates among them, each under the per-user limit
BLOCKS_PER_RUN = 4_000  # ids one delete run may use, per second of its load


def server_environment(database_url: str, scratch: Path) -> dict[str, str]:
    """Production-like: no debug, no throttle (wrk is a single client), quiet logs."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT_DIR), str(SRC_DIR)]),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_ACCESS_TOKEN_TTL_S": str(24 * 3600),  # outlives any run, so no refresh mid-load
        "DATABASE_URL": database_url,
        "THROTTLE_ENABLED": "false",
        "LOGGING_LEVEL": "WARNING",
        "REDIS_URL": "",
        "CELERY_BROKER_URL": "",
        "CELERY_RESULT_BACKEND": "",
        "CELERY_EMBEDDED_DIR": str(scratch / "celery"),
        "METRICS_DIR": str(scratch / "metrics"),
    }


@contextmanager
def served(env: dict[str, str], scratch: Path, name: str, app: str | None = None) -> Iterator[str]:
    """Migrated, then served; yields the base URL."""
    manage = [sys.executable, str(SRC_DIR / "manage.py"), "migrate", "--no-input", "-v", "0"]
    subprocess.run(manage, cwd=ROOT_DIR, env=env, check=True)
    options = {"app": app} if app else {}
    with ApiServer(env, log_path=scratch / f"{name}.log", **options) as server:
        print(f"{name} on {server.base_url} (pid {server.pid})", flush=True)
        yield server.base_url


def _deletes(token: str, ids: range, block: int) -> Load:
    """DELETEs of `ids`, a fresh `block` of them for each run."""
    starts = count(ids.start, block)

    def next_block() -> range:
        start = next(starts)
        if start + block > ids.stop:
            raise RuntimeError("the delete load ran out of seeded todos")
        return range(start, start + block)

    return Load(ids=next_block, method="DELETE", path_prefix="/v1/todos/", token=token)


def _routes(client: httpx.Client, database_url: str, settings: ApiBenchSettings) -> list[Route]:
    reader = seed.sign_up(client, "bench-reader")
    reading = seed.create_todos(client, reader, seed.LIST_SIZE)
    writers = [seed.sign_up(client, f"bench-writer-{n}") for n in range(WRITERS)]
    patcher = seed.sign_up(client, "bench-patcher")
    patched = seed.insert_todos(database_url, patcher.id, 1_000)
    block = BLOCKS_PER_RUN * max(settings.duration, settings.warmup)
    runs = 2 * settings.rounds  # a warm-up and a measured run per round
    deletes = {}
    for contender in ("api", "baseline"):
        deleter = seed.sign_up(client, f"bench-deleter-{contender}")
        ids = seed.insert_todos(database_url, deleter.id, block * runs)
        deletes[contender] = _deletes(deleter.token, ids, block)
    body = {"title": "Benchmark todo", "description": "Created under load by wrk."}
    patches = [Request("PATCH", f"/v1/todos/{todo_id}", patcher.token, {"completed": done})
               for done in (True, False) for todo_id in patched]  # fmt: skip
    return [
        Route("list", "GET /v1/todos (20 todos)",
              lambda _: Load([Request("GET", "/v1/todos", reader.token)])),
        Route("get", "GET /v1/todos/{id}",
              lambda _: Load([Request("GET", f"/v1/todos/{i}", reader.token) for i in reading])),
        Route("create", "POST /v1/todos",
              lambda _: Load([Request("POST", "/v1/todos", w.token, body) for w in writers])),
        Route("patch", "PATCH /v1/todos/{id}", lambda _: Load(patches)),
        Route("delete", "DELETE /v1/todos/{id}", deletes.__getitem__),
        Route("health", "GET /v1/health", lambda _: Load([Request("GET", "/v1/health")])),
    ]  # fmt: skip


def _scale_users(client: httpx.Client, database_url: str, sizes: list[int]) -> dict[int, str]:
    tokens = {}
    for size in sizes:
        user = seed.sign_up(client, f"bench-scale-{size}")
        seed.insert_todos(database_url, user.id, size)
        tokens[size] = user.token
    seed.analyze(database_url)
    return tokens


@dataclass
class Bench:
    """What the scenarios share: the served API on PostgreSQL, and what was seeded in it."""

    settings: ApiBenchSettings
    stack: ExitStack
    scratch: Path
    database_url: str
    env: dict[str, str]
    api: str
    client: httpx.Client
    scale_tokens: dict[int, str] = field(default_factory=dict)

    def listing(self) -> Load:
        reader = seed.sign_up(self.client, f"bench-neighbour-{len(self.scale_tokens)}")
        seed.create_todos(self.client, reader, seed.LIST_SIZE)
        return Load([Request("GET", "/v1/todos", reader.token)])

    def large_users(self) -> dict[int, str]:
        if not self.scale_tokens:
            sizes = self.settings.sizes()
            self.scale_tokens = _scale_users(self.client, self.database_url, sizes)
        return self.scale_tokens


Section = tuple[str, list[report.Target]]


def _every_route(bench: Bench) -> Section:
    app = "bench.api.baseline:app"
    baseline = bench.stack.enter_context(served(bench.env, bench.scratch, "baseline", app))
    routes = _routes(bench.client, bench.database_url, bench.settings)
    report.check_baseline(bench.api, baseline, bench.client)
    urls = {"api": bench.api, "baseline": baseline}
    measured = scenarios.routes(urls, routes, bench.settings)
    return report.routes_table(routes, measured), report.route_targets(measured)


def _lock_stall(bench: Bench) -> Section:
    blocked = seed.sign_up(bench.client, "bench-blocked")
    held = seed.create_todos(bench.client, blocked, 2)
    quiet, loaded = scenarios.quiet_and_loaded(
        "lock stall", bench.api, bench.listing(), bench.settings,
        lambda: scenarios.rows_locked_with_waiters(
            bench.api, bench.database_url, blocked.token, held
        ),
    )  # fmt: skip
    rows = [("two PATCHes waiting on row locks", quiet, loaded)]
    return report.isolation_table(rows), report.isolation_targets(rows)


def _noisy_neighbour(bench: Bench) -> Section:
    size, token = max(bench.large_users().items())
    heavy = scenarios.heavy_polls(token)
    quiet, loaded = scenarios.quiet_and_loaded(
        "noisy neighbour", bench.api, bench.listing(), bench.settings,
        lambda: scenarios.polling(bench.api, heavy, bench.settings),
    )  # fmt: skip
    rows = [(f"a {size:,}-todo user polling on 2 connections", quiet, loaded)]
    return report.isolation_table(rows), report.isolation_targets(rows)


def _scale(bench: Bench) -> Section:
    latencies = {
        ("PostgreSQL", size): scenarios.first_page_latency(bench.api, token, bench.settings)
        for size, token in bench.large_users().items()
    }
    lite_url = f"sqlite:///{bench.scratch / 'scale.sqlite3'}"
    env = server_environment(lite_url, bench.scratch)
    with served(env, bench.scratch, "api-sqlite") as lite:
        client = httpx.Client(base_url=lite, timeout=120)
        with client:
            for size, token in _scale_users(client, lite_url, bench.settings.sizes()).items():
                latencies["SQLite", size] = scenarios.first_page_latency(
                    lite, token, bench.settings
                )
    return report.scale_table(latencies), report.scale_targets(latencies)


def _observability(bench: Bench) -> Section:
    def serve(env: dict[str, str], name: str) -> AbstractContextManager[str]:
        return served(env, bench.scratch, name)

    observed = observability.run(serve, bench.env, bench.scratch, bench.listing(), bench.settings)
    return report.observability_table(observed), report.observability_targets(observed)


SCENARIOS = {
    "routes": _every_route,
    "lock-stall": _lock_stall,
    "noisy-neighbour": _noisy_neighbour,
    "scale": _scale,
    "observability": _observability,
}


def run(settings: ApiBenchSettings) -> str:
    ensure_wrk()
    sections, targets = [], []
    with ExitStack() as stack:
        scratch = scratch_dir()
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        postgres = stack.enter_context(PostgresServer())
        database_url = postgres.create_database("todo_bench")
        env = server_environment(database_url, scratch)  # one secret key for both servers
        api = stack.enter_context(served(env, scratch, "api"))
        client = stack.enter_context(httpx.Client(base_url=api, timeout=120))
        bench = Bench(settings, stack, scratch, database_url, env, api, client)
        for name in settings.chosen():
            section, found = SCENARIOS[name](bench)
            sections.append(section)
            targets += found
    facts = machine_facts(PostgreSQL=postgres_version())
    return report.document(settings, facts, sections, targets)


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    started = time.monotonic()
    try:
        document = run(ApiBenchSettings())
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    document += f"\n\nThe run took {time.monotonic() - started:.0f} s.\n"
    print("\n" + document)
    print(f"written to {write_report('api', document)}")
    return 0
