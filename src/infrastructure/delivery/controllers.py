"""The one controller pattern shared by HTTP routers, Celery tasks and the CLI.

A controller is a dataclass whose fields the container fills. `register(registry)` attaches its
public methods to a registry (a FastAPI router, a Celery app). Every public method is wrapped so
that an exception reaches `handle_exception`, where a controller maps domain errors to its
delivery's errors (HTTP statuses, task failures) in one place.

With tracing on, each call of a `TransactionController` method is a span "controller transaction"
naming the controller and the method, with how the transaction ended (`db.transaction.outcome`:
commit or rollback) and how long it took.
"""

import functools
import inspect
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from infrastructure.observability import spans

_NOT_WRAPPED = frozenset({"register", "handle_exception"})


@dataclass(kw_only=True)
class Controller(ABC):
    def __post_init__(self) -> None:
        for name, method in inspect.getmembers(self, inspect.ismethod):
            if name.startswith("_") or name in _NOT_WRAPPED:
                continue
            setattr(self, name, self._wrap(method))

    @abstractmethod
    def register(self, registry: Any) -> None:
        """Attach this controller's public methods to `registry`."""

    def handle_exception(self, exc: Exception) -> Any:
        """Map an exception raised by a public method; the default lets it through unchanged."""
        raise exc

    def _wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(method):

            @functools.wraps(method)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await method(*args, **kwargs)
                except Exception as exc:
                    return self.handle_exception(exc)

            return async_wrapper

        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except Exception as exc:
                return self.handle_exception(exc)

        return wrapper


@dataclass(kw_only=True)
class TransactionController(Controller):
    """A controller whose every public method runs in one database transaction."""

    def _wrap(self, method: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(method):
            msg = f"{type(self).__name__}.{method.__name__}: transactions need a sync method"
            raise TypeError(msg)
        return super()._wrap(_traced_transaction(type(self).__name__, method))


def _traced_transaction(controller: str, method: Callable[..., Any]) -> Callable[..., Any]:
    atomic = transaction.atomic(method)

    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        if not spans.enabled():
            return atomic(*args, **kwargs)
        name = method.__name__
        with spans.span("controller transaction", controller=controller, method=name) as current:
            started, outcome = time.perf_counter(), "rollback"
            try:
                result = atomic(*args, **kwargs)
                outcome = "commit"
                return result
            finally:
                current.set("db.transaction.outcome", outcome)
                current.set("duration_ms", round((time.perf_counter() - started) * 1000, 3))

    return run
