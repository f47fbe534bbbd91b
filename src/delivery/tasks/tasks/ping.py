"""The smoke task: proves a worker is consuming and results come back."""

from celery import Celery

from delivery.tasks.names import TaskName
from delivery.tasks.registration import register_task
from infrastructure.delivery.controllers import Controller


class PingTaskController(Controller):
    def register(self, registry: Celery) -> None:
        register_task(registry, TaskName.PING, self.ping)

    def ping(self) -> str:
        return "pong"
