"""The orchestrator's probes: liveness does no I/O, readiness is the database's answer.

The outage is real: an API process started on a database that cannot be reached.
"""

import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
from django.db import connection
from fastapi.testclient import TestClient

from tests.harness.api_server import ROOT_DIR, SRC_DIR, WebScriptServer
from tests.harness.databases import database_url_for_processes


def test_live_and_ready_answer_200_while_the_database_answers(client: TestClient) -> None:
    live, ready = client.get("/v1/health/live"), client.get("/v1/health/ready")

    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})


def test_the_document_states_each_probe_answer(client: TestClient) -> None:
    paths: dict[str, Any] = client.get("/openapi.json").json()["paths"]
    live = paths["/v1/health/live"]["get"]["responses"]
    ready = paths["/v1/health/ready"]["get"]["responses"]

    assert set(live) == {"200"}
    assert set(ready) == {"200", "503"}
    assert ready["503"]["content"]["application/json"]["schema"]["$ref"].endswith("UnavailableOut")
    assert "Retry-After" in ready["503"]["headers"]


def _unreachable_database(scratch: Path) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite:///{scratch / 'missing-folder' / 'db.sqlite3'}"
    return "postgres://todo:secret-that-must-not-leak@127.0.0.1:1/todo"


def _check_web(server: WebScriptServer) -> tuple[int, str]:
    """`bin/check-web`, compose's health check of the API, against `server`'s port."""
    env = {**os.environ, "HTTP_HOST": "127.0.0.1", "HTTP_PORT": str(server.port)}
    done = subprocess.run(
        [str(ROOT_DIR / "bin" / "check-web")], env=env, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout.strip()


def test_a_process_whose_database_is_down_is_alive_but_not_ready(tmp_path: Path) -> None:
    """Started by `bin/web`, as the Procfile and compose start it."""
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC_DIR),
        "DATABASE_URL": _unreachable_database(tmp_path),
        "LOGGING_LEVEL": "WARNING",
    }
    server = WebScriptServer(env, log_path=tmp_path / "api.log", ready_path="/v1/health/live")
    with server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        live = client.get("/v1/health/live")
        ready = client.get("/v1/health/ready")
        checked = _check_web(server)

    assert (live.status_code, live.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()) == (503, {"detail": "database unavailable"})
    assert ready.headers["Retry-After"] == "1"
    assert "secret-that-must-not-leak" not in ready.text
    assert checked == (1, "not ready: HTTP Error 503: Service Unavailable")


def test_bin_check_web_passes_while_the_database_answers(
    transactional_db: None, tmp_path: Path
) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC_DIR), "DATABASE_URL": database_url_for_processes()}
    with WebScriptServer(env, log_path=tmp_path / "api.log") as server:
        checked = _check_web(server)

    assert checked == (0, '200 {"status":"ready"}')
