"""Time, statement count and Python peak memory of one cleanup run, on freshly seeded data.

Memory is measured in a separate run: tracemalloc slows Python-heavy code several-fold, which would
flatter the set-based contenders in the timing.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection

from bench.cleanup.seed import SeedPlan, check_outcome, reseed

Contender = Callable[[], int]  # runs one cleanup, returns how many todos it deleted


@dataclass(frozen=True)
class Measurement:
    name: str
    seconds: float
    statements: int
    peak_bytes: int
    deleted: int


class StatementCounter:
    """Counts every SQL statement sent through Django's default connection."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting_statements() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    with connection.execute_wrapper(counter):
        yield counter


def _timed_run(contender: Contender) -> tuple[float, int, int]:
    with counting_statements() as counter:
        started = time.perf_counter()
        deleted = contender()
        seconds = time.perf_counter() - started
    return seconds, counter.count, deleted


def _peak_memory(contender: Contender) -> int:
    tracemalloc.start()
    try:
        contender()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(name: str, contender: Contender, plan: SeedPlan, *, rounds: int) -> Measurement:
    """Median time over `rounds` runs, then one traced run for memory; each run on fresh data."""
    times: list[float] = []
    counted = deleted = 0
    for _ in range(rounds):
        reseed(plan)
        seconds, counted, deleted = _timed_run(contender)
        check_outcome(plan, deleted=deleted, contender=name)
        times.append(seconds)
    reseed(plan)
    peak = _peak_memory(contender)
    check_outcome(plan, deleted=deleted, contender=name)
    return Measurement(
        name=name,
        seconds=statistics.median(times),
        statements=counted,
        peak_bytes=peak,
        deleted=deleted,
    )
