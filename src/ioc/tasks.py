"""Bindings the task delivery needs: the app and registry come from their factories, never bare."""

from celery import Celery

from delivery.tasks.discovery import TaskControllers
from delivery.tasks.factories import CeleryAppFactory, ExpiringLockFactory, TasksRegistryFactory
from delivery.tasks.registry import TasksRegistry
from infrastructure.ioc import AutoRegisteringContainer
from infrastructure.locks import ExpiringLock


def register_tasks(container: AutoRegisteringContainer) -> None:
    container.register(Celery, factory=lambda: container.resolve(CeleryAppFactory)())
    container.register(TasksRegistry, factory=lambda: container.resolve(TasksRegistryFactory)())
    container.register(ExpiringLock, factory=lambda: container.resolve(ExpiringLockFactory)())
    # Every controller in delivery/tasks/tasks/, so a new task needs no wiring here.
    container.register(TaskControllers, factory=lambda: TaskControllers.discover(container.resolve))
