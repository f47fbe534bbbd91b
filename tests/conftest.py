"""Test-wide set-up: choose the backend before Django reads its settings.

`TEST_BACKEND=sqlite` (default) runs on SQLite with the embedded broker: what a newcomer runs.
`TEST_BACKEND=postgres` starts a throwaway PostgreSQL and Redis and runs the same tests on them.
`TEST_BACKEND=rabbitmq` is PostgreSQL with RabbitMQ as the broker and Redis for results and locks.

The test kit's fixtures (`container`, `user_factory`, `test_client_factory`,
`celery_worker_factory`, `tasks_registry_factory`) are here too; docs/testing.md shows their use.
"""

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
from pytest_django.fixtures import Settings

from tests.harness.servers import PostgresServer, RabbitMQServer, RedisServer

if TYPE_CHECKING:  # the kit imports models: Django is set up only in pytest_configure
    from infrastructure.ioc import AutoRegisteringContainer
    from tests.integration.factories import (
        TestCeleryWorkerFactory,
        TestClientFactory,
        TestTasksRegistryFactory,
        TestUserFactory,
    )

_servers: list[PostgresServer | RedisServer | RabbitMQServer] = []
_passed: list[bool] = []  # whether the session passed, once it has finished


def backend() -> str:
    return os.environ.get("TEST_BACKEND", "sqlite")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="todo-tests-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "configs.django",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(48),
        "DJANGO_ALLOWED_HOSTS": '["testserver", "localhost", "127.0.0.1"]',
        "JWT_SECRET_KEY": secrets.token_urlsafe(48),
        "TEST_SCRATCH_DIR": str(scratch),
        "CELERY_EMBEDDED_DIR": str(scratch / "celery"),
        "METRICS_DIR": str(scratch / "metrics"),
        "METRICS_WORKER_PORT": "0",  # a test that scrapes a worker gives it a free port
    }
    if backend() in ("postgres", "rabbitmq"):
        postgres = PostgresServer().start()
        redis = RedisServer().start()
        _servers.extend([postgres, redis])
        env |= {
            "DATABASE_URL": postgres.url_for("todo"),
            "CELERY_BROKER_URL": redis.url_for(0),
            "CELERY_RESULT_BACKEND": redis.url_for(1),
            "REDIS_URL": redis.url_for(2),
        }
        if backend() == "rabbitmq":
            rabbitmq = RabbitMQServer().start()
            _servers.append(rabbitmq)
            env["CELERY_BROKER_URL"] = rabbitmq.url
    else:
        # A file, not memory, so a worker in another process sees the test database.
        env |= {
            "DATABASE_URL": f"sqlite:///{scratch / 'db.sqlite3'}",
            "DATABASE_TEST_NAME": str(scratch / "test.sqlite3"),
            "CELERY_BROKER_URL": "",
            "CELERY_RESULT_BACKEND": "",
            "REDIS_URL": "",
        }
    os.environ.update(env)
    # pytest-django only sets Django up if it was imported already; test modules import models.
    from infrastructure.django.setup import configure_django

    configure_django()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A helper imported into a test module under a test's name would run as a test: refuse it."""
    strays = [
        item.nodeid
        for item in items
        if isinstance(item, pytest.Function) and item.function.__module__ != item.module.__name__
    ]
    if strays:
        raise pytest.UsageError(
            "tests defined outside the module that collects them (rename the helpers, which "
            "pytest collects by their test-like names): " + ", ".join(strays)
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _passed.append(exitstatus == pytest.ExitCode.OK)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _servers:
        _servers.pop().stop()
    if all(_passed):  # a failed run keeps its scratch folder (server and worker logs) to read
        shutil.rmtree(os.environ["TEST_SCRATCH_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Settings) -> None:
    """Real hashing costs ~0.5 s a call; tests only need hashing to be correct, not slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer | None:
    """The throwaway PostgreSQL in postgres mode (to restart it, say); None on SQLite."""
    return next((s for s in _servers if isinstance(s, PostgresServer)), None)


@pytest.fixture(scope="session")
def redis_server() -> RedisServer | None:
    return next((s for s in _servers if isinstance(s, RedisServer)), None)


@pytest.fixture(scope="session")
def rabbitmq_server() -> RabbitMQServer | None:
    """The throwaway RabbitMQ with `TEST_BACKEND=rabbitmq`; None otherwise."""
    return next((s for s in _servers if isinstance(s, RabbitMQServer)), None)


@pytest.fixture
def container() -> "AutoRegisteringContainer":
    """A fresh container for each test: bindings registered on it stay in this test."""
    from delivery.tasks.factories import TasksRegistryFactory
    from delivery.tasks.registry import TasksRegistry
    from ioc.container import ContainerFactory
    from tests.integration.factories import use_a_queue_of_its_own

    container = ContainerFactory()()

    def registry() -> TasksRegistry:
        tasks = container.resolve(TasksRegistryFactory)()
        use_a_queue_of_its_own(tasks.celery_app)
        return tasks

    container.register(TasksRegistry, factory=registry)
    return container


@pytest.fixture
def user_factory(
    transactional_db: None, container: "AutoRegisteringContainer"
) -> "TestUserFactory":
    from tests.integration.factories import TestUserFactory

    return TestUserFactory(container)


@pytest.fixture
def test_client_factory(
    transactional_db: None, container: "AutoRegisteringContainer"
) -> Iterator["TestClientFactory"]:
    """The app's ORM work runs on its own threads, which see only committed rows.

    Rate-limit counters start from zero: in postgres mode they live in Redis, beyond one test.
    """
    from tests.integration.factories import TestClientFactory

    if os.environ.get("REDIS_URL"):
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    factory = TestClientFactory(container)
    yield factory
    factory.close()


@pytest.fixture
def celery_worker_factory(
    transactional_db: None, container: "AutoRegisteringContainer"
) -> Iterator["TestCeleryWorkerFactory"]:
    from tests.integration.factories import TestCeleryWorkerFactory

    factory = TestCeleryWorkerFactory(container)
    yield factory
    factory.stop_all()


@pytest.fixture
def tasks_registry_factory(container: "AutoRegisteringContainer") -> "TestTasksRegistryFactory":
    from tests.integration.factories import TestTasksRegistryFactory

    return TestTasksRegistryFactory(container)
