"""The composition root wires the HTTP app completely."""

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from infrastructure.django.connections import close_orm_connections
from ioc.container import ContainerFactory


def test_the_app_serves_the_contracted_routes() -> None:
    """Every controller the factory holds must register its routes: each one has a route here."""
    from delivery.http.factories import FastAPIFactory

    app = ContainerFactory()().resolve(FastAPIFactory)()

    routes = {
        (method, route.path_format)
        for route in app.routes
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    assert {
        ("POST", "/v1/users/"),
        ("POST", "/v1/users/me/token"),
        ("POST", "/v1/users/me/token/refresh"),
        ("POST", "/v1/users/me/token/revoke"),
        ("GET", "/v1/users/me"),
        ("GET", "/v1/todos"),
        ("POST", "/v1/todos"),
        ("GET", "/v1/todos/{todo_id}"),
        ("PATCH", "/v1/todos/{todo_id}"),
        ("DELETE", "/v1/todos/{todo_id}"),
        ("GET", "/v1/health"),
        ("POST", "/v1/tasks/todo-cleanup"),
        ("GET", "/v1/tasks/{task_id}"),
    } <= routes
    assert any(getattr(route, "path", None) == "/django" for route in app.routes)


def test_controllers_are_shared_singletons() -> None:
    from delivery.http.auth.dependencies import Authenticator
    from delivery.http.todos.controllers import TodoController
    from delivery.http.users.controllers import UserController

    container = ContainerFactory()()

    todos, users = container.resolve(TodoController), container.resolve(UserController)

    assert todos._authenticator is users._authenticator is container.resolve(Authenticator)


@pytest.mark.django_db(transaction=True)
def test_the_asgi_entry_point_serves_the_api_and_its_docs() -> None:
    from delivery.http.app import app

    try:
        with TestClient(app) as client:
            health = client.get("/v1/health")
            docs = client.get("/docs")
    finally:
        close_orm_connections()

    assert health.json()["status"] == "ok"
    assert "/docs/assets/swagger-ui-bundle.js" in docs.text


@pytest.mark.parametrize("module", ["delivery.http.app"])
def test_the_entry_point_imports_cleanly_in_a_fresh_interpreter(module: str) -> None:
    """Django must be configured before any model import, with nothing set up beforehand."""
    import os
    import subprocess
    import sys

    from configs.paths import ROOT_DIR

    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        cwd=ROOT_DIR / "src",
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
