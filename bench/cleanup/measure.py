"""The contenders, and the time, statements and Python peak memory of one run on fresh data.

Memory is measured in a separate run: tracemalloc slows Python-heavy code several-fold, which would
flatter the set-based contenders in the timing.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection

from bench.cleanup.seed import SeedPlan, check_outcome, reseed
from infrastructure.ioc import AutoRegisteringContainer

Contender = Callable[[], int]  # runs one cleanup, returns how many todos it deleted

SET_BASED_DELETE = """
    DELETE FROM todo_todo AS t USING user_user AS u
    WHERE t.user_id = u.id AND t.completed AND u.is_active
"""


def contenders(container: AutoRegisteringContainer) -> dict[str, Contender]:
    """The per-user loop as the specification writes it, ours, and one set-based DELETE."""
    from core.todo.services import TodoService  # models load once Django is set up
    from core.user.services.user import UserService
    from delivery.tasks.tasks.todo_cleanup import TodoCleanupTaskController

    users, todos = container.resolve(UserService), container.resolve(TodoService)
    ours = container.resolve(TodoCleanupTaskController)

    def loop() -> int:
        return sum(todos.delete_completed_todos(user) for user in users.list_all_users())

    def set_based() -> int:  # the floor: no batches, progress, error isolation or lock
        with connection.cursor() as cursor:
            cursor.execute(SET_BASED_DELETE)
            return int(cursor.rowcount)

    return {
        "per-user loop": loop,
        "ours": lambda: ours.cleanup_completed_todos()["todos_deleted"],  # inline: no fan-out
        "set-based DELETE": set_based,
    }


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    statements: int
    peak_bytes: int
    deleted: int


def measure(name: str, contender: Contender, plan: SeedPlan, *, rounds: int) -> Measurement:
    """Median time over `rounds` runs, then one traced run for memory; each run on fresh data."""
    times: list[float] = []
    statements = [0]

    def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, ctx)

    deleted = 0
    for _ in range(rounds):
        reseed(plan)
        statements[0] = 0
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            deleted = contender()
            times.append(time.perf_counter() - started)
        check_outcome(plan, deleted=deleted, contender=name)
    reseed(plan)
    tracemalloc.start()
    try:
        contender()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    check_outcome(plan, deleted=deleted, contender=name)
    return Measurement(name, statistics.median(times), statements[0], peak, deleted)
