"""The cleanup benchmark's scenarios: contenders side by side, growth, and a real worker."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass

from bench.cleanup.contenders import our_cleanup, per_user_loop, set_based_delete
from bench.cleanup.measure import Measurement, measure
from bench.cleanup.seed import SeedPlan, check_outcome, reseed
from bench.common import scaled
from bench.tasks.worker import CeleryWorker
from core.todo.services import TodoService
from core.user.services.user import UserService
from delivery.tasks.registry import TasksRegistry
from delivery.tasks.tasks.todo_cleanup import TodoCleanupTaskController
from infrastructure.ioc import AutoRegisteringContainer

CLEANUP_TIMEOUT_S = 600.0


def plan_a() -> SeedPlan:
    return SeedPlan(active_users=scaled(2_000), todos_per_user=50)


def plans_b() -> list[SeedPlan]:
    return [SeedPlan(active_users=scaled(n), todos_per_user=10) for n in (10_000, 100_000)]


def plan_c() -> SeedPlan:
    return SeedPlan(active_users=scaled(100_000), todos_per_user=10)


def side_by_side(container: AutoRegisteringContainer, *, rounds: int) -> list[Measurement]:
    """Scenario A: the per-user loop, ours, and one set-based DELETE on identical data."""
    plan = plan_a()
    loop = per_user_loop(container.resolve(UserService), container.resolve(TodoService))
    ours = our_cleanup(container.resolve(TodoCleanupTaskController))
    contenders = [
        ("per-user loop", loop),
        ("ours", ours),
        ("set-based DELETE", set_based_delete()),
    ]
    results = []
    for name, contender in contenders:
        results.append(measure(name, contender, plan, rounds=rounds))
        print(f"A {plan.describe()}: {name} {results[-1].seconds:.3f} s", flush=True)
    return results


def growth(
    container: AutoRegisteringContainer, *, rounds: int
) -> list[tuple[SeedPlan, Measurement]]:
    """Scenario B: ours alone at 10k and 100k users, for time and for memory that must stay flat."""
    ours = our_cleanup(container.resolve(TodoCleanupTaskController))
    results = []
    for plan in plans_b():
        results.append((plan, measure("ours", ours, plan, rounds=rounds)))
        print(f"B {plan.describe()}: {results[-1][1].seconds:.3f} s", flush=True)
    return results


@dataclass(frozen=True)
class WorkerRun:
    concurrency: int
    seconds: float
    peak_rss_kib: int  # the largest of the worker's processes
    subtasks: int


def through_worker(
    registry: TasksRegistry, worker_env: Mapping[str, str], *, concurrencies: list[int], rounds: int
) -> tuple[SeedPlan, list[WorkerRun]]:
    """Scenario C: `todo_cleanup.delay().get()` through a real worker that fans the work out."""
    plan = plan_c()
    runs = []
    for concurrency in concurrencies:
        with CeleryWorker(worker_env, concurrency=concurrency) as worker:
            worker.wait_ready(lambda: registry.ping.delay().get(timeout=5))
            times, subtasks = [], 0
            for _ in range(rounds):
                reseed(plan)
                started = time.perf_counter()
                result = registry.todo_cleanup.delay().get(timeout=CLEANUP_TIMEOUT_S)
                times.append(time.perf_counter() - started)
                check_outcome(plan, deleted=result["todos_deleted"], contender="worker fan-out")
                subtasks = result["subtasks"]
                if subtasks < 2:
                    raise AssertionError(f"the cleanup did not fan out: {result}")
            peak = max(worker.peak_rss_kib().values(), default=0)
        runs.append(WorkerRun(concurrency, statistics.median(times), peak, subtasks))
        print(f"C {plan.describe()}: -c {concurrency} {runs[-1].seconds:.3f} s", flush=True)
    return plan, runs


def environment_with(overrides: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, **overrides}
