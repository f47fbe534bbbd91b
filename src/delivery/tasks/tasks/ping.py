"""The smoke task: proves a worker is consuming and results come back."""

from celery import Celery

from delivery.tasks.registry import TaskName
from infrastructure.delivery.controllers import Controller


class PingTaskController(Controller):
    def register(self, registry: Celery) -> None:
        # Not shared: a shared task would be copied into every later app, bound to this controller.
        registry.task(name=TaskName.PING, shared=False)(self.ping)

    def ping(self) -> str:
        return "pong"
