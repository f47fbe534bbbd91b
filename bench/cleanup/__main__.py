"""`make bench-cleanup`: our `todo.cleanup` against the per-user loop and a set-based DELETE.

It starts a throwaway PostgreSQL and Redis, and the Celery workers it needs, and stops them all.
Overrides for a quick run: BENCH_SCALE (e.g. 0.1 scales the user counts), BENCH_ROUNDS (timed runs
per contender, default 3), BENCH_SCENARIOS (any of `A,B,C`). The report goes to `var/bench/`.
"""

from __future__ import annotations

import os
import secrets
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack

from tests.harness.servers import PostgresServer, RedisServer

from bench.common import (
    celery_version,
    machine_facts,
    postgres_version,
    redis_version,
    write_report,
)
from infrastructure.ioc import AutoRegisteringContainer

COMMAND = "uv run python -m bench.cleanup"
# The setting above which the cleanup fans out as subtasks; in-process runs must stay inline.
FAN_OUT_SETTING = "TODO_CLEANUP_FAN_OUT_THRESHOLD"
INLINE_THRESHOLD = "1000000000"
WORKER_THRESHOLD = "1000"
SUBTASKS = 10  # the fanned-out run splits the users into this many id ranges
WORKER_CONCURRENCIES = [1, 2]


def _environment(postgres: PostgresServer, redis: RedisServer) -> dict[str, str]:
    return {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": postgres.create_database("todo_bench"),
        "CELERY_BROKER_URL": redis.url_for(0),
        "CELERY_RESULT_BACKEND": redis.url_for(1),
        "REDIS_URL": redis.url_for(2),
        "LOGGING_LEVEL": "WARNING",
        FAN_OUT_SETTING: INLINE_THRESHOLD,
    }


def _scenario_a(container: AutoRegisteringContainer, rounds: int) -> str:
    from bench.cleanup import report, scenarios

    return report.side_by_side(scenarios.plan_a(), scenarios.side_by_side(container, rounds=rounds))


def _scenario_b(container: AutoRegisteringContainer, rounds: int) -> str:
    from bench.cleanup import report, scenarios

    return report.growth(scenarios.growth(container, rounds=rounds))


def _scenario_c(container: AutoRegisteringContainer, rounds: int) -> str:
    from bench.cleanup import report, scenarios
    from delivery.tasks.registry import TasksRegistry

    per_subtask = str(max(1, scenarios.plan_c().active_users // SUBTASKS))
    worker_env = scenarios.environment_with(
        {FAN_OUT_SETTING: WORKER_THRESHOLD, "TODO_CLEANUP_USERS_PER_SUBTASK": per_subtask}
    )
    plan, runs = scenarios.through_worker(
        container.resolve(TasksRegistry),
        worker_env,
        concurrencies=WORKER_CONCURRENCIES,
        rounds=rounds,
    )
    return report.through_worker(plan, runs)


SCENARIOS: dict[str, Callable[[AutoRegisteringContainer, int], str]] = {
    "A": _scenario_a,
    "B": _scenario_b,
    "C": _scenario_c,
}


def main() -> int:
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    chosen = os.environ.get("BENCH_SCENARIOS", ",".join(SCENARIOS)).upper().split(",")
    started = time.perf_counter()
    sections, failed = [], False
    with ExitStack() as stack:
        postgres = stack.enter_context(PostgresServer())
        redis = stack.enter_context(RedisServer())
        os.environ.update(_environment(postgres, redis))

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
        facts = machine_facts(
            PostgreSQL=postgres_version(), Redis=redis_version(), Celery=celery_version()
        )
    elapsed = time.perf_counter() - started
    note = (
        f"Median of {rounds} timed runs per row, each on fresh data; the run took {elapsed:.0f} s."
    )
    block = "\n\n".join([f"`{COMMAND}`", facts, note, *sections])
    print("\n" + "\n\n".join(sections) + "\n")
    print(f"written to {write_report('cleanup', block)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
