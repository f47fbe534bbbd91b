"""The test kit: a client on the real app, users, a real Celery worker, the wired task registry.

Each factory takes the test's container, so a binding registered on it before first use (a
setting, a fake collaborator) reaches the app, the services and the worker alike. The fixtures
in `tests/conftest.py` hand them out; the classes are named as the tutorial names them, and
`__test__ = False` keeps pytest from collecting them as test classes.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any

from celery import Celery
from celery.contrib.testing.worker import TestWorkController, test_worker_started
from celery.result import allow_join_result
from celery.worker import WorkController
from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.user.models import User
from core.user.services.access_tokens import AccessTokenService
from delivery.http.factories import FastAPIFactory
from delivery.tasks.registry import TasksRegistry
from infrastructure.django.connections import close_orm_connections
from infrastructure.ioc import AutoRegisteringContainer

DEFAULT_PASSWORD = "correct-horse-battery-9"
WORKER_READY_TIMEOUT_S = 30.0
WORKER_STOP_TIMEOUT_S = 30.0
QUEUE_PREFIX = "tests."


class _ContainerFactory:
    __test__ = False  # named Test*, but not tests

    def __init__(self, container: AutoRegisteringContainer) -> None:
        self._container = container


class TestClientFactory(_ContainerFactory):
    """`with test_client_factory(auth_for_user=user) as client:` a client on the real app.

    With `auth_for_user` every request carries a real access token of that user; without, the
    client is anonymous. Without `with` the client works too (no lifespan events). The app is
    built on the first call, so register overrides on the container before it.
    """

    def __init__(self, container: AutoRegisteringContainer) -> None:
        super().__init__(container)
        self._app: FastAPI | None = None
        self._clients: list[TestClient] = []

    def __call__(
        self,
        auth_for_user: User | None = None,
        headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> TestClient:
        """`options` go to Starlette's TestClient (`base_url`, `follow_redirects`, ...)."""
        if self._app is None:
            self._app = self._container.resolve(FastAPIFactory)()
        all_headers = dict(headers or {})
        if auth_for_user is not None:
            all_headers |= self.auth_headers(auth_for_user)
        client = TestClient(self._app, headers=all_headers, **options)
        self._clients.append(client)
        return client

    def auth_headers(self, user: User) -> dict[str, str]:
        """What a signed-in client sends: a bearer access token issued to `user`."""
        token = self._container.resolve(AccessTokenService).issue(user_id=int(user.pk)).token
        return {"Authorization": f"Bearer {token}"}

    def close(self) -> None:
        """Close every client, and the connections the app's ORM threads hold."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        close_orm_connections()


class TestUserFactory(_ContainerFactory):
    """`user_factory(username=..., password=..., email=...)` stores a user; all have defaults.

    The password is hashed but not held to the sign-up rules, so `password="password"` works.
    Other fields (`is_staff=True`, `is_superuser=True`, `first_name=...`) pass through.
    """

    def __init__(self, container: AutoRegisteringContainer) -> None:
        super().__init__(container)
        self._numbers = itertools.count(1)

    def __call__(
        self,
        username: str | None = None,
        password: str = DEFAULT_PASSWORD,
        email: str | None = None,
        **fields: Any,
    ) -> User:
        username = username or f"user{next(self._numbers)}"
        email = f"{username}@example.com" if email is None else email
        return User.objects.create_user(username=username, email=email, password=password, **fields)


class TestTasksRegistryFactory(_ContainerFactory):
    """`tasks_registry_factory()` is the container's registry, every task controller registered."""

    def __call__(self) -> TasksRegistry:
        registry = self._container.resolve(TasksRegistry)
        use_a_queue_of_its_own(registry.celery_app)
        return registry


class TestCeleryWorkerFactory(_ContainerFactory):
    """`with celery_worker_factory():` a real worker consumes the configured broker for the block.

    The worker runs in a thread of the test process on the container's Celery app, so it calls
    the container's controllers (with any overrides) and reads the test database. Rows must be
    committed for it: mark the test `@pytest.mark.django_db(transaction=True)`.
    """

    def __init__(self, container: AutoRegisteringContainer) -> None:
        super().__init__(container)
        self._running: list[_ThreadWorker] = []

    def __call__(self) -> AbstractContextManager[WorkController]:
        app = self._container.resolve(TasksRegistry).celery_app  # registers every task on it
        use_a_queue_of_its_own(app)
        return self._run(_ThreadWorker(app))

    @contextmanager
    def _run(self, worker: _ThreadWorker) -> Iterator[WorkController]:
        self._running.append(worker)
        try:
            with worker as controller:
                yield controller
        finally:
            self._running.remove(worker)

    def stop_all(self) -> None:
        """Stop what a test started and never left (a `with` block always stops its own)."""
        while self._running:
            self._running.pop().stop()


def use_a_queue_of_its_own(app: Celery) -> None:
    """Route the app's tasks to a queue of its own, unless it has already sent some.

    Another test's worker on the same broker would otherwise take this test's tasks, and this
    test's worker could run messages left over by others.
    """
    if app.conf.task_default_queue.startswith(QUEUE_PREFIX):
        return
    if {"queues", "default_queue", "router"} & vars(app.amqp).keys():
        return  # routing is fixed once the app has sent a task: keep the queue it uses
    app.conf.task_default_queue = f"{QUEUE_PREFIX}{uuid.uuid4().hex[:12]}"


class _ThreadWorker:
    """A solo-pool worker in a daemon thread, stopped by a remote-control shutdown.

    The shutdown message wakes the worker at once; waiting for it to notice a flag takes seconds
    on the embedded broker.
    """

    def __init__(self, app: Celery) -> None:
        self._app = app
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._controller: TestWorkController | None = None
        self._hostname = f"tests-{uuid.uuid4().hex[:8]}@localhost"
        self._restore = ExitStack()

    def __enter__(self) -> WorkController:
        app = self._app
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1)  # fail fast on an unreachable broker
        app.finalize()
        app.set_current()
        app.set_default()  # the worker thread's current app: threads start with the default
        test_worker_started.connect(self._on_started, sender=app, weak=False)
        self._restore.callback(test_worker_started.disconnect, self._on_started, sender=app)
        # A worker forbids waiting on results in its process, for its tasks' sake, but the test
        # waits in a thread of its own. Entered before the worker sets that rule, this restores
        # the test's rule on stop; entered again once it is set, the block may wait.
        self._restore.enter_context(allow_join_result())
        controller = self._controller = TestWorkController(
            app=app,
            hostname=self._hostname,
            pool="solo",
            concurrency=1,
            loglevel="WARNING",
            ready_callback=None,
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
        )
        self._thread = threading.Thread(target=controller.start, name="celery-worker", daemon=True)
        self._thread.start()
        if not self._ready.wait(WORKER_READY_TIMEOUT_S):
            self.stop()
            msg = f"the Celery worker was not ready after {WORKER_READY_TIMEOUT_S:.0f} s"
            raise RuntimeError(msg)
        self._restore.enter_context(allow_join_result())
        return controller

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _on_started(self, sender: Celery, **kwargs: Any) -> None:
        self._ready.set()

    def stop(self) -> None:
        thread, controller = self._thread, self._controller
        self._thread = self._controller = None
        with self._restore:
            if thread is None or controller is None:
                return
            self._app.control.shutdown(destination=[self._hostname])
            thread.join(WORKER_STOP_TIMEOUT_S)
            if thread.is_alive():  # the message went astray: stop it from here (slower)
                controller.stop(in_sighandler=False)
                thread.join(WORKER_STOP_TIMEOUT_S)
            if thread.is_alive():
                msg = f"the Celery worker did not stop within {2 * WORKER_STOP_TIMEOUT_S:.0f} s"
                raise RuntimeError(msg)
