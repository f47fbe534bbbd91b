"""`make bench-cleanup`: our `todo.cleanup` against the per-user loop and a set-based DELETE.

- **A.** 2,000 users x 50 todos: the three contenders side by side, in this process.
- **B.** Ours alone at 10,000 and 100,000 users: time, statements and memory as users grow.
- **C.** `todo_cleanup.delay().get()` through real workers (`-c 1`, `-c 2`) that fan it out.

It starts a throwaway PostgreSQL and Redis and the workers it needs, and stops them all.
Overrides for a quick run: BENCH_SCALE (e.g. 0.1 scales the user counts), BENCH_ROUNDS (timed
runs per contender, default 3), BENCH_SCENARIOS (any of `A,B,C`). The report goes to `var/bench/`.
"""

from __future__ import annotations

import os
import secrets
import statistics
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack

from tests.harness.servers import PostgresServer, RedisServer

from bench.cleanup.measure import Measurement, contenders, measure
from bench.cleanup.seed import SeedPlan, check_outcome, reseed
from bench.common import machine_facts, markdown_table, scaled, verdict, write_report
from bench.tasks.worker import CeleryWorker
from infrastructure.ioc import AutoRegisteringContainer

COMMAND = "uv run python -m bench.cleanup"
FAN_OUT = "TODO_CLEANUP_FAN_OUT_THRESHOLD"  # in-process runs must stay inline
SUBTASKS = 10  # C splits the users into this many id ranges
CHECK_HEADERS = ["check", "measured", "target", "result"]
MEASURE_HEADERS = ["time (median)", "SQL statements", "peak Python memory", "rows deleted"]


def _size(size: int) -> str:
    return f"{size / 2**20:.2f} MiB" if size >= 2**20 else f"{size / 2**10:.0f} KiB"


def _row(label: str, m: Measurement) -> list[object]:
    return [label, f"{m.seconds:.3f} s", m.statements, _size(m.peak_bytes), f"{m.deleted:,}"]


def side_by_side(container: AutoRegisteringContainer, rounds: int) -> str:
    plan = SeedPlan(active_users=scaled(2_000), todos_per_user=50)
    found = {}
    for name, contender in contenders(container).items():
        found[name] = measure(name, contender, plan, rounds=rounds)
        print(f"A {plan.describe()}: {name} {found[name].seconds:.3f} s", flush=True)
    loop, ours, floor = found["per-user loop"], found["ours"], found["set-based DELETE"]
    faster, slower = loop.seconds / ours.seconds, ours.seconds / floor.seconds
    checks = [
        ["ours vs the per-user loop", f"{faster:.1f}x faster", ">= 30x", verdict(faster >= 30)],
        ["ours vs one set-based DELETE", f"{slower:.2f}x its time", "<= 2x", verdict(slower <= 2)],
        ["same rows deleted by all three", f"{ours.deleted:,}", f"{plan.expected_deleted:,}",
         verdict(len({m.deleted for m in found.values()}) == 1)],
    ]  # fmt: skip
    title = f"**A. {plan.describe()}, half completed, plus {plan.inactive_users} inactive users**"
    table = markdown_table(["contender", *MEASURE_HEADERS], [_row(n, m) for n, m in found.items()])
    return "\n\n".join([title, table, markdown_table(CHECK_HEADERS, checks)])


def growth(container: AutoRegisteringContainer, rounds: int) -> str:
    ours = contenders(container)["ours"]
    runs = []
    for users in (10_000, 100_000):
        plan = SeedPlan(active_users=scaled(users), todos_per_user=10)
        runs.append((plan, measure("ours", ours, plan, rounds=rounds)))
        print(f"B {plan.describe()}: {runs[-1][1].seconds:.3f} s", flush=True)
    (_, small), (large_plan, large) = runs
    memory_limit = small.peak_bytes * 1.5 + 256 * 1024  # flat: 10x the users, at most 1.5x
    checks = [
        [f"time at {large_plan.active_users:,} users", f"{large.seconds:.3f} s", "< 5 s",
         verdict(large.seconds < 5)],
        ["peak memory, 10x the users", f"{_size(small.peak_bytes)} -> {_size(large.peak_bytes)}",
         "<= 1.5x + 0.25 MiB", verdict(large.peak_bytes <= memory_limit)],
    ]  # fmt: skip
    table = markdown_table(["ours on", *MEASURE_HEADERS], [_row(p.describe(), m) for p, m in runs])
    title = "**B. Growth (ours only, in-process, no fan-out)**"
    return "\n\n".join([title, table, markdown_table(CHECK_HEADERS, checks)])


def through_worker(container: AutoRegisteringContainer, rounds: int) -> str:
    from delivery.tasks.registry import TasksRegistry

    registry = container.resolve(TasksRegistry)
    plan = SeedPlan(active_users=scaled(100_000), todos_per_user=10)
    per_subtask, fan_out = max(1, plan.active_users // SUBTASKS), plan.active_users // 2
    env = {**os.environ, FAN_OUT: str(fan_out), "TODO_CLEANUP_USERS_PER_SUBTASK": str(per_subtask)}
    rows, base = [], None
    for concurrency in (1, 2):
        with CeleryWorker(env, concurrency=concurrency) as worker:
            worker.wait_ready(lambda: registry.ping.delay().get(timeout=5))
            times, result = [], None
            for _ in range(rounds):
                reseed(plan)
                started = time.perf_counter()
                result = registry.todo_cleanup.delay().get(timeout=600)
                times.append(time.perf_counter() - started)
                check_outcome(plan, deleted=result["todos_deleted"], contender="worker fan-out")
            if result is None or result["subtasks"] < 2:
                raise AssertionError(f"the cleanup did not fan out: {result}")
            peak = max(worker.peak_rss_kib().values(), default=0)
        seconds = statistics.median(times)
        base = base or seconds
        rows.append([f"-c {concurrency}", result["subtasks"], f"{seconds:.3f} s",
                     f"{base / seconds:.2f}x", f"{peak / 1024:.0f} MiB"])  # fmt: skip
        print(f"C {plan.describe()}: -c {concurrency} {seconds:.3f} s", flush=True)
    headers = ["worker", "subtasks", "`todo_cleanup.delay().get()`", "speed-up",
               "peak RSS of a worker process"]  # fmt: skip
    title = f"**C. Real workers with fan-out, PostgreSQL + Redis, {plan.describe()}**"
    return "\n\n".join([title, markdown_table(headers, rows)])


SCENARIOS: dict[str, Callable[[AutoRegisteringContainer, int], str]] = {
    "A": side_by_side, "B": growth, "C": through_worker,
}  # fmt: skip


def main() -> int:
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    chosen = os.environ.get("BENCH_SCENARIOS", ",".join(SCENARIOS)).upper().split(",")
    started = time.perf_counter()
    sections, failed = [], False
    with ExitStack() as stack:
        postgres = stack.enter_context(PostgresServer())
        redis = stack.enter_context(RedisServer())
        os.environ.update({
            "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": postgres.create_database("todo_bench"),
            "CELERY_BROKER_URL": redis.url_for(0), "CELERY_RESULT_BACKEND": redis.url_for(1),
            "REDIS_URL": redis.url_for(2), "LOGGING_LEVEL": "WARNING", FAN_OUT: "1000000000",
        })  # fmt: skip

        from django.core.management import call_command
        from django.db import connections

        from ioc.container import ContainerFactory

        container = ContainerFactory()()  # Django reads the environment set just above
        call_command("migrate", verbosity=0)
        for name in chosen:
            try:
                sections.append(SCENARIOS[name.strip()](container, rounds))
            except Exception as exc:  # a broken scenario must not hide the others' results
                traceback.print_exc()
                sections.append(f"**{name}. FAILED**: `{type(exc).__name__}: {exc}`")
                failed = True
        connections.close_all()
        facts = machine_facts("PostgreSQL", "Redis", "Celery")
    note = (
        f"Median of {rounds} timed runs per row, each on fresh data; "
        f"the run took {time.perf_counter() - started:.0f} s."
    )
    print("\n" + "\n\n".join(sections) + "\n")
    report = "\n\n".join([f"`{COMMAND}`", facts, note, *sections])
    print(f"written to {write_report('cleanup', report)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
