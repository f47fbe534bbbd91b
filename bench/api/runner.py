"""`make bench-api`: throwaway PostgreSQL, one uvicorn worker, wrk rounds, a table, a profile.

The straightforward baseline (`bench.api.baseline`) runs beside the API in a uvicorn process of its
own, one worker, on the same database with the same environment; wrk loads one server at a time.

Every server and process it starts is stopped on the way out, including on Ctrl+C or SIGTERM.
"""

from __future__ import annotations

import shutil
import signal
import sys
import time
from contextlib import ExitStack
from importlib.metadata import version
from pathlib import Path
from types import FrameType

import psycopg
from tests.harness.servers import PostgresServer

from bench.api.cpu import postmaster_pid
from bench.api.profile import profile_list_endpoint
from bench.api.report import issue_targets, results_table, targets_table
from bench.api.rounds import APP, BASELINE, endpoints, measure_all
from bench.api.seed import check_baseline, check_probes, seed
from bench.api.server import ApiServer, migrate, scratch_dir, server_environment
from bench.api.settings import ApiBenchSettings
from bench.api.wrk import ensure_wrk
from bench.common import append_to_benchmarks, machine_facts, run_heading

DATABASE = "todo_bench"
BASELINE_APP = "bench.api.baseline:app"  # not imported here: importing it sets Django up
BASELINE_READY_PATH = "/openapi.json"  # FastAPI's own route: the baseline has no health check


def _interrupt_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def _postgres_version(url: str) -> str:
    with psycopg.connect(url, connect_timeout=10) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def _facts(database_url: str) -> str:
    load = Path("/proc/loadavg").read_text().split()[:3]
    if float(load[0]) > 0.5:
        print(f"warning: the machine is busy (load average {load[0]}); figures will be low")
    return machine_facts(
        PostgreSQL=_postgres_version(database_url),
        uvicorn=version("uvicorn"),
        fastapi=version("fastapi"),
        django=version("django"),
        **{"load average at start": " ".join(load)},
    )


def _command(settings: ApiBenchSettings) -> str:
    overrides = " ".join(f"{name}={value}" for name, value in settings.overrides().items())
    return f"{overrides} make bench-api".strip()


def _protocol(settings: ApiBenchSettings) -> str:
    return (
        f"Load: wrk -t{settings.threads} -c{settings.connections} --latency, {settings.duration} s "
        f"per endpoint after a {settings.warmup} s warm-up, {settings.rounds} round(s) with "
        "endpoints interleaved; medians across rounds. One uvicorn worker (uvloop, httptools, "
        "no access log), DJANGO_DEBUG=false, throttling off, PostgreSQL on the same machine. "
        "wrk and PostgreSQL share the 2 cores with the server. The baseline "
        "(`bench/api/baseline.py`: sync endpoints, a sync user lookup, a transaction per request) "
        "runs in its own uvicorn process with the same options, environment and database, idle "
        "while the API is loaded and the other way round."
    )


def run(settings: ApiBenchSettings) -> str:
    ensure_wrk()
    with ExitStack() as stack:
        scratch = scratch_dir()
        stack.callback(shutil.rmtree, scratch, ignore_errors=True)
        postgres = stack.enter_context(PostgresServer())
        database_url = postgres.create_database(DATABASE)
        facts = _facts(database_url)  # before our own load raises the load average
        env = server_environment(database_url, scratch)
        migrate(env)
        server = stack.enter_context(ApiServer(app=settings.app, env=env, scratch=scratch))
        baseline = stack.enter_context(
            ApiServer(
                app=BASELINE_APP, env=env, scratch=scratch, name="uvicorn-baseline",
                ready_path=BASELINE_READY_PATH,
            )
        )  # fmt: skip
        print(
            f"API on {server.base_url} (pid {server.pid}), baseline on {baseline.base_url} "
            f"(pid {baseline.pid}); seeding through the API",
            flush=True,
        )
        seeded = seed(server.base_url)
        check_baseline(server.base_url, baseline.base_url, seeded)
        if settings.probes:
            check_probes(server.base_url, seeded)
        targets = endpoints(seeded, probes=settings.probes)
        postgres_pid = postmaster_pid(database_url)
        servers = {APP: server, BASELINE: baseline}
        results = measure_all(servers, postgres_pid, targets, settings)
        measured = issue_targets(results)
        sections = [
            run_heading(_command(settings)),
            f"Machine: {facts}.",
            _protocol(settings),
            results_table(targets, results),
            targets_table(measured),
        ]
        if settings.profile:
            print("profiling the list endpoint under load with py-spy", flush=True)
            sections.append(profile_list_endpoint(server.base_url, server.pid, targets, settings))
        report = "\n\n".join(sections)
        print("\n" + report + "\n")
        if settings.docs:
            print(f"appended to {append_to_benchmarks('API', report)}")
        return report


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    started = time.monotonic()
    try:
        run(ApiBenchSettings())
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    print(f"bench-api took {time.monotonic() - started:.0f} s")
    return 0
