"""Two API processes, each started by `bin/web`, share one Redis: one login limit, one cleanup.

Each process counts its rate limits in memory unless `REDIS_URL` is set, and then the limit
multiplies with the processes; with it, they share the counts. A cleanup triggered through both
processes at once runs once: the other run finds the lock its twin holds in the same Redis and is
skipped. The Redis is the session's (PostgreSQL runs) or one started for this test (SQLite runs);
every server is stopped by its pid when the test ends, pass or fail.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from core.user.services.access_tokens import AccessTokenService
from delivery.tasks.tasks.todo_cleanup import SKIPPED_BECAUSE_RUNNING
from ioc.container import ContainerFactory
from tests.delivery.tasks.data import make_user
from tests.delivery.tasks.database import SlowDeletes
from tests.harness.api_server import WebScriptServer
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
