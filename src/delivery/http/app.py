"""The ASGI entry point: `uvicorn --app-dir src delivery.http.app:app`."""

from typing import TYPE_CHECKING

from infrastructure.observability.tracing import configure_tracing
from ioc.container import ContainerFactory

if TYPE_CHECKING:  # FastAPI defines pydantic models: the settings package must load first
    from fastapi import FastAPI


def create_app() -> "FastAPI":
    container = ContainerFactory()()  # configures Django before any model is imported
    configure_tracing(service_name="fastapi")
    from delivery.http.factories import FastAPIFactory

    return container.resolve(FastAPIFactory)()


app = create_app()
