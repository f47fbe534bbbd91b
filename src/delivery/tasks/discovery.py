"""Every task controller, found in `delivery/tasks/tasks/`, so a new one needs no wiring.

A module there that defines a concrete `Controller` is all it takes: the container builds it and
`TasksRegistryFactory` registers it. The start-up check (every `TaskName` registered) catches a
controller put somewhere else.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from delivery.tasks import tasks as task_modules
from infrastructure.delivery.controllers import Controller


class TaskControllers:
    """The task controllers, built; the container binds it with `discover`."""

    def __init__(self, controllers: list[Controller]) -> None:
        self._controllers = controllers

    def __iter__(self) -> Iterator[Controller]:
        return iter(self._controllers)

    @classmethod
    def discover(cls, build: Callable[[type[Controller]], Any]) -> "TaskControllers":
        return cls([build(controller) for controller in controller_classes()])


def controller_classes(package: ModuleType = task_modules) -> list[type[Controller]]:
    """The concrete controllers defined (not merely imported) in the package's modules."""
    found = []
    for module_info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            defined_here = cls.__module__ == module.__name__
            if defined_here and issubclass(cls, Controller) and not inspect.isabstract(cls):
                found.append(cls)
    return found
