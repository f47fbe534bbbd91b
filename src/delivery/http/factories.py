"""Builds the FastAPI app: each controller registers its routes, and the Django admin is mounted."""

from dataclasses import dataclass
from typing import cast

from django.core.asgi import get_asgi_application
from fastapi import FastAPI
from starlette.types import ASGIApp

from configs.core import DatabaseSettings
from delivery.http.admin_login import AdminLoginLimit
from delivery.http.docs import fastapi_with_offline_docs
from delivery.http.errors import install_error_handlers
from delivery.http.health.controllers import HealthController
from delivery.http.health.probes import ProbesController
from delivery.http.protections import HttpProtections
from delivery.http.tasks.controllers import TaskController
from delivery.http.todos.controllers import TodoController
from delivery.http.users.controllers import UserController
from infrastructure.django.timeouts import StatementLimits, limit_statements
from infrastructure.observability.http import HttpObservability

DJANGO_MOUNT = "/django"


@dataclass(kw_only=True)
class FastAPIFactory:
    _health_controller: HealthController
    _probes_controller: ProbesController
    _user_controller: UserController
    _todo_controller: TodoController
    _task_controller: TaskController
    _admin_login_limit: AdminLoginLimit
    _database_settings: DatabaseSettings
    _http_protections: HttpProtections
    _http_observability: HttpObservability

    def __call__(self) -> FastAPI:
        database = self._database_settings
        limit_statements(StatementLimits(database.statement_timeout_s, database.lock_timeout_s))
        app = fastapi_with_offline_docs(
            title="todo-service",
            summary="Users, their todos, and background clean-up.",
            # Observability is opt-in; left on, FastAPI probes for OpenTelemetry on every request.
            telemetry={"tracing": False, "metrics": False, "logs": False},
        )
        install_error_handlers(app)
        self._http_protections.install(app)
        self._http_observability.install(app)  # request ids, request logs, metrics, spans
        self._health_controller.register(app)
        self._probes_controller.register(app)
        self._user_controller.register(app)
        self._todo_controller.register(app)
        self._task_controller.register(app)
        # Last, so the API's routes are matched first; the admin lives at /django/admin/.
        # Django's handler is a plain ASGI app; its stubs type `scope` more narrowly than Starlette.
        # Its login form shares the API's login limit.
        admin = cast(ASGIApp, get_asgi_application())
        app.mount(DJANGO_MOUNT, self._admin_login_limit(admin))
        return app
