"""The ASGI entry point: `uvicorn --app-dir src delivery.http.app:app`."""

from fastapi import FastAPI

from infrastructure.observability.tracing import configure_tracing
from ioc.container import ContainerFactory


def create_app() -> FastAPI:
    container = ContainerFactory()()  # configures Django before any model is imported
    configure_tracing(service_name="fastapi")
    from delivery.http.factories import FastAPIFactory

    return container.resolve(FastAPIFactory)()


app = create_app()
