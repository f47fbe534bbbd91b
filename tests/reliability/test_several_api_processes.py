"""Two API processes, each started by `bin/web`, share one Redis: one login limit, one cleanup.

Each process counts its rate limits in memory unless `REDIS_URL` is set, and then the limit
multiplies with the processes; with it, they share the counts. A cleanup triggered through both
processes at once runs once: the other run finds the lock its twin holds in the same Redis and is
skipped. The Redis is the session's (PostgreSQL runs) or one started for this test (SQLite runs);
every server is stopped by its pid when the test ends, pass or fail.

One `bin/web` with `WEB_CONCURRENCY=2` also answers `/metrics` for both its processes at once:
each writes its counts to the multiprocess folder, and a scrape adds them up.
"""

import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.user.services.access_tokens import AccessTokenService
from delivery.tasks.tasks.todo_cleanup import SKIPPED_BECAUSE_RUNNING
from ioc.container import ContainerFactory
from tests.delivery.tasks.data import make_user
from tests.delivery.tasks.database import SlowDeletes
from tests.harness.api_server import SRC_DIR, WebScriptServer
from tests.harness.servers import RedisServer
from tests.reliability.cases import seed_cleanup_case
from tests.reliability.conftest import LOCKS_DB, Cluster, wait_until

LOGIN_LIMIT = 4


@pytest.fixture
def shared_redis(redis_server: RedisServer | None) -> Iterator[str]:
    """The URL both API processes and the worker count limits and hold the lock in."""
    if redis_server is not None:
        yield redis_server.url_for(LOCKS_DB)  # the cluster fixture flushed it
        return
    with RedisServer() as own:
        yield own.url_for(2)


@pytest.fixture
def two_api_processes(cluster: Cluster, shared_redis: str) -> Iterator[list[httpx.Client]]:
    """Clients of two `bin/web` servers of one process each, so each request's process is known."""
    cluster.use(REDIS_URL=shared_redis, THROTTLE_LOGIN=f"{LOGIN_LIMIT}/m")
    with ExitStack() as stack:
        clients = []
        for name in ("web-a", "web-b"):
            log = cluster.scratch / f"{name}.log"
            server = stack.enter_context(WebScriptServer(cluster.env, log_path=log))
            clients.append(stack.enter_context(httpx.Client(base_url=server.base_url, timeout=30)))
        yield clients


def test_one_login_limit_counts_the_attempts_made_on_both_processes(
    two_api_processes: list[httpx.Client],
) -> None:
    make_user("ada")
    attempt = {"username": "ada", "password": "wrong-password"}
    statuses = [
        two_api_processes[i % 2].post("/v1/users/me/token", json=attempt).status_code
        for i in range(LOGIN_LIMIT + 2)
    ]

    # In-process counts would allow LOGIN_LIMIT attempts on each, twice LOGIN_LIMIT in all.
    assert statuses == [401] * LOGIN_LIMIT + [429, 429]


def test_a_cleanup_triggered_through_both_processes_at_once_runs_once(
    cluster: Cluster, two_api_processes: list[httpx.Client], slow_deletes: SlowDeletes
) -> None:
    case = seed_cleanup_case()
    staff = make_user("operator")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    token = ContainerFactory()().resolve(AccessTokenService).issue(user_id=int(staff.pk)).token
    headers = {"Authorization": f"Bearer {token}"}
    cluster.ready(cluster.worker("cleaner", concurrency=2))

    with slow_deletes():
        task_ids = [
            client.post("/v1/tasks/todo-cleanup", headers=headers).json()["task_id"]
            for client in two_api_processes
        ]
        results = [
            _result(client, task_id, headers)
            for client, task_id in zip(two_api_processes, task_ids, strict=True)
        ]

    ran = [r for r in results if r["skipped"] is None]
    skipped = [r for r in results if r["skipped"] is not None]
    assert len(ran) == 1, results
    assert ran[0]["todos_deleted"] == case.old_todos_at_start
    assert skipped[0]["skipped"] == SKIPPED_BECAUSE_RUNNING
    assert skipped[0]["blocked_by"] == task_ids[results.index(ran[0])]
    assert skipped[0]["todos_deleted"] == 0
    case.assert_exactly_the_right_rows_are_gone()


def _result(client: httpx.Client, task_id: str, headers: dict[str, str]) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        status = client.get(f"/v1/tasks/{task_id}", headers=headers).json()
        return status if status["ready"] else None

    status = wait_until(finished, timeout_s=60, what=f"cleanup {task_id}", interval_s=0.2)
    assert status["state"] == "SUCCESS", status
    return dict(status["result"])


def _serving_pids(metrics_dir: Path) -> set[int]:
    """The processes that counted a request: prometheus-client names its files by pid."""
    return {int(p.stem.rsplit("_", 1)[1]) for p in (metrics_dir / "api").glob("counter_*.db")}


def test_one_bin_web_with_two_processes_reports_both_in_every_scrape(tmp_path: Path) -> None:
    metrics_dir = tmp_path / "metrics"
    env = {**os.environ, "PYTHONPATH": str(SRC_DIR), "METRICS_DIR": str(metrics_dir)}
    log = tmp_path / "web.log"
    with WebScriptServer(env, log_path=log, processes=2, ready_path="/v1/health/live") as server:
        url, sent = f"{server.base_url}/v1/health/live", 0
        before = _live_requests(httpx.get(f"{server.base_url}/metrics", timeout=10).text)
        deadline = time.monotonic() + 60
        with ThreadPoolExecutor(max_workers=8) as pool:  # a fresh connection per request
            while len(_serving_pids(metrics_dir)) < 2 and time.monotonic() < deadline:
                answers = list(pool.map(lambda _: httpx.get(url, timeout=10), range(40)))
                assert {a.status_code for a in answers} == {200}
                sent += len(answers)
        scrapes = [httpx.get(f"{server.base_url}/metrics", timeout=10).text for _ in range(6)]

    assert len(_serving_pids(metrics_dir)) == 2, f"one process served all {sent} requests"
    assert {_live_requests(text) - before for text in scrapes} == {sent}


def _live_requests(scrape: str) -> int:
    """`http_requests_total` of `GET /v1/health/live` (its start-up polls included)."""
    line = re.compile(r'^http_requests_total\{[^}]*route="/v1/health/live"[^}]*\} (\S+)$', re.M)
    return int(float(line.findall(scrape)[0]))
