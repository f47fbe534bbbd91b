"""The API served by a real uvicorn process on the test database, for tests of concurrency.

Starlette's TestClient runs one request at a time in the test's own process; what one request
does to another (a lock, a full pool) shows only with a real server and real connections.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.harness.api_server import SRC_DIR, ApiServer
from tests.harness.databases import database_url_for_processes


@contextmanager
def live_api(**settings: str) -> Iterator[ApiServer]:
    """A server with the tests' environment plus `settings`, stopped on the way out."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "PYTHONPATH": str(SRC_DIR),
        "THROTTLE_ENABLED": "false",
        **settings,
    }
    log_path = Path(os.environ["TEST_SCRATCH_DIR"]) / f"uvicorn-{os.getpid()}.log"
    with ApiServer(env, log_path=log_path) as server:
        yield server


@contextmanager
def live_client(**settings: str) -> Iterator[httpx.Client]:
    """A client of a fresh `live_api(**settings)`, with a timeout no test should reach."""
    with live_api(**settings) as server:
        client = httpx.Client(base_url=server.base_url, timeout=90)
        with client:
            yield client
