"""A punq container that builds any concrete class from its type hints, once.

Explicit registration is needed only for protocols, abstract classes and string keys. Anything
the container cannot build correctly fails loudly at resolve time, naming the chain that needed it,
instead of returning an object with a missing collaborator.
"""

import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import punq
from pydantic_settings import BaseSettings

T = TypeVar("T")

_BUILTIN_VALUES = (str, bytes, int, float, bool, complex, list, dict, set, tuple, frozenset)


class ContainerError(LookupError):
    """A dependency cannot be built without an explicit registration."""


class AutoRegisteringContainer(punq.Container):
    def __init__(self) -> None:
        self._known: set[Any] = set()
        super().__init__()

    def register(self, service: Any, *args: Any, **kwargs: Any) -> "AutoRegisteringContainer":
        """Register like punq, as a singleton unless a scope is given."""
        self._known.add(service)
        if "instance" not in kwargs:
            kwargs.setdefault("scope", punq.Scope.singleton)
        super().register(service, *args, **kwargs)
        return self

    def is_registered(self, service: Any) -> bool:
        return service in self._known

    # Callable, not type[T]: mypy refuses abstract classes and protocols where type[T] is expected.
    def resolve(self, service_key: Callable[..., T], **kwargs: Any) -> T:
        self._ensure_registered(service_key, chain=())
        try:
            return typing.cast(T, super().resolve(service_key, **kwargs))
        except punq.MissingDependencyError as exc:
            raise ContainerError(str(exc)) from exc

    def _ensure_registered(self, service: Any, chain: tuple[Any, ...]) -> None:
        if service in self._known:
            return
        path = " -> ".join(_name(c) for c in (*chain, service))
        if not isinstance(service, type) or service in _BUILTIN_VALUES:
            msg = f"cannot build {_name(service)} ({path}): register it explicitly"
            raise ContainerError(msg)
        if inspect.isabstract(service) or getattr(service, "_is_protocol", False):
            msg = f"cannot build abstract {_name(service)} ({path}): register an implementation"
            raise ContainerError(msg)
        if issubclass(service, BaseSettings):
            self.register(service, factory=_settings_loader(service))
            return
        for dependency in _required_dependencies(service, path):
            self._ensure_registered(dependency, (*chain, service))
        self.register(service)


def _required_dependencies(cls: type, path: str) -> list[Any]:
    """The types of the constructor parameters that have no default."""
    init = cls.__init__  # type: ignore[misc]
    try:
        hints = typing.get_type_hints(init)
    except NameError as exc:
        msg = f"cannot read the type hints of {_name(cls)} ({path}): {exc}"
        raise ContainerError(msg) from exc
    dependencies = []
    for name, parameter in inspect.signature(init).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.default is not parameter.empty:
            continue
        if name not in hints:
            msg = f"{_name(cls)}.{name} has no type hint, so it cannot be injected ({path})"
            raise ContainerError(msg)
        dependencies.append(hints[name])
    return dependencies


def _settings_loader(cls: type[BaseSettings]) -> Any:
    """A factory with no parameters, so punq does not try to inject BaseSettings' own arguments."""

    def load() -> BaseSettings:
        return cls()

    return load


def _name(obj: Any) -> str:
    return getattr(obj, "__qualname__", None) or repr(obj)
