"""Markdown tables, with targets and PASS/FAIL, for the cleanup benchmark."""

from __future__ import annotations

from bench.cleanup.measure import Measurement
from bench.cleanup.scenarios import WorkerRun
from bench.cleanup.seed import SeedPlan
from bench.common import markdown_table, verdict

MIN_SPEED_UP_OVER_LOOP = 30.0
MAX_SLOWDOWN_OVER_SET_BASED = 2.0
MAX_SECONDS_AT_100K = 5.0
# Flat memory: 10x the users may cost at most half as much again, plus a little constant slack.
MAX_MEMORY_GROWTH = 1.5
MEMORY_SLACK_BYTES = 256 * 1024


def _mib(size: int) -> str:
    return f"{size / 2**20:.2f} MiB" if size >= 2**20 else f"{size / 2**10:.0f} KiB"


def _contenders_table(results: list[Measurement]) -> str:
    rows = [
        (m.name, f"{m.seconds:.3f} s", m.statements, _mib(m.peak_bytes), f"{m.deleted:,}")
        for m in results
    ]
    return markdown_table(["contender", "time (median)", "SQL statements", "peak Python memory",
                           "rows deleted"], rows)  # fmt: skip


def side_by_side(plan: SeedPlan, results: list[Measurement]) -> str:
    by_name = {m.name: m for m in results}
    loop, ours, floor = by_name["per-user loop"], by_name["ours"], by_name["set-based DELETE"]
    speed_up = loop.seconds / ours.seconds
    slowdown = ours.seconds / floor.seconds
    checks = markdown_table(
        ["check", "measured", "target", "result"],
        [
            ("ours vs per-user loop", f"{speed_up:.1f}x faster",
             f">= {MIN_SPEED_UP_OVER_LOOP:g}x", verdict(speed_up >= MIN_SPEED_UP_OVER_LOOP)),
            ("ours vs set-based DELETE", f"{slowdown:.2f}x its time",
             f"<= {MAX_SLOWDOWN_OVER_SET_BASED:g}x",
             verdict(slowdown <= MAX_SLOWDOWN_OVER_SET_BASED)),
            ("same rows deleted by all three", f"{ours.deleted:,}", f"{plan.expected_deleted:,}",
             verdict(len({m.deleted for m in results}) == 1)),
        ],
    )  # fmt: skip
    title = f"**A. {plan.describe()}, half completed, plus {plan.inactive_users} inactive users**"
    return "\n\n".join([title, _contenders_table(results), checks])


def growth(results: list[tuple[SeedPlan, Measurement]]) -> str:
    rows = [
        (plan.describe(), f"{m.seconds:.3f} s", m.statements, _mib(m.peak_bytes), f"{m.deleted:,}")
        for plan, m in results
    ]
    table = markdown_table(["ours on", "time (median)", "SQL statements", "peak Python memory",
                            "rows deleted"], rows)  # fmt: skip
    (_, small), (large_plan, large) = results[0], results[-1]
    memory_limit = small.peak_bytes * MAX_MEMORY_GROWTH + MEMORY_SLACK_BYTES
    checks = markdown_table(
        ["check", "measured", "target", "result"],
        [
            (f"time at {large_plan.active_users:,} users", f"{large.seconds:.3f} s",
             f"< {MAX_SECONDS_AT_100K:g} s", verdict(large.seconds < MAX_SECONDS_AT_100K)),
            ("peak memory, 10x the users", f"{_mib(small.peak_bytes)} -> {_mib(large.peak_bytes)}",
             f"<= {MAX_MEMORY_GROWTH:g}x + 0.25 MiB", verdict(large.peak_bytes <= memory_limit)),
        ],
    )  # fmt: skip
    return "\n\n".join(["**B. Growth (ours only, in-process, no fan-out)**", table, checks])


def through_worker(plan: SeedPlan, runs: list[WorkerRun]) -> str:
    base = runs[0].seconds
    rows = [
        (f"-c {run.concurrency}", run.subtasks, f"{run.seconds:.3f} s",
         f"{base / run.seconds:.2f}x", f"{run.peak_rss_kib / 1024:.0f} MiB")
        for run in runs
    ]  # fmt: skip
    table = markdown_table(["worker", "subtasks", "`todo_cleanup.delay().get()`", "speed-up",
                            "peak RSS of a worker process"], rows)  # fmt: skip
    title = f"**C. Real worker with fan-out, PostgreSQL + Redis, {plan.describe()}**"
    return "\n\n".join([title, table])
