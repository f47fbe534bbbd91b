"""Bindings the task delivery needs."""

from infrastructure.ioc import AutoRegisteringContainer


def register_tasks(container: AutoRegisteringContainer) -> None:
    """Nothing yet."""
