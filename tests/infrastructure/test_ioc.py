"""The auto-registering container: singletons, settings from the environment, loud failures."""

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Protocol

import pytest

from configs.base import PrefixedSettings, env_config
from infrastructure.ioc import AutoRegisteringContainer, ContainerError


class ExampleSettings(PrefixedSettings):
    model_config = env_config("IOC_EXAMPLE_")

    greeting: str = "hello"


@dataclass(kw_only=True)
class Repository:
    _settings: ExampleSettings


@dataclass(kw_only=True)
class Service:
    _repository: Repository
    _settings: ExampleSettings


class Clock(Protocol):
    def now(self) -> float: ...


@dataclass(kw_only=True)
class NeedsClock:
    _clock: Clock


@dataclass(kw_only=True)
class NeedsClockDeeply:
    _needs_clock: NeedsClock


class Store(ABC):
    @abstractmethod
    def get(self) -> str: ...


class MemoryStore(Store):
    def get(self) -> str:
        return "memory"


@dataclass(kw_only=True)
class NeedsStore:
    _store: Store


@dataclass(kw_only=True)
class NeedsNumber:
    _count: int


class Untyped:
    def __init__(self, thing) -> None:  # type: ignore[no-untyped-def]
        self.thing = thing


def test_resolve_builds_the_whole_graph_from_dataclass_fields() -> None:
    service = AutoRegisteringContainer().resolve(Service)

    assert isinstance(service._repository, Repository)
    assert isinstance(service._settings, ExampleSettings)


def test_everything_is_a_singleton() -> None:
    container = AutoRegisteringContainer()

    service = container.resolve(Service)

    assert container.resolve(Service) is service
    assert container.resolve(Repository) is service._repository
    assert service._repository._settings is service._settings


def test_settings_load_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOC_EXAMPLE_GREETING", "from the environment")

    settings = AutoRegisteringContainer().resolve(ExampleSettings)

    assert settings.greeting == "from the environment"


def test_a_registration_before_resolve_overrides_auto_wiring() -> None:
    container = AutoRegisteringContainer()
    container.register(ExampleSettings, instance=ExampleSettings(greeting="override"))

    assert container.resolve(Service)._settings.greeting == "override"
    assert container.is_registered(ExampleSettings)


def test_protocols_need_an_explicit_binding_and_the_error_names_the_chain() -> None:
    with pytest.raises(ContainerError) as caught:
        AutoRegisteringContainer().resolve(NeedsClockDeeply)

    message = str(caught.value)
    assert "Clock" in message
    assert "NeedsClockDeeply -> NeedsClock -> Clock" in message


def test_abstract_classes_need_an_implementation() -> None:
    container = AutoRegisteringContainer()
    with pytest.raises(ContainerError, match="abstract"):
        container.resolve(NeedsStore)

    container.register(Store, MemoryStore)
    assert container.resolve(NeedsStore)._store.get() == "memory"


def test_builtin_values_are_never_guessed() -> None:
    with pytest.raises(ContainerError, match="int"):
        AutoRegisteringContainer().resolve(NeedsNumber)


def test_parameters_without_type_hints_are_an_error() -> None:
    with pytest.raises(ContainerError, match="no type hint"):
        AutoRegisteringContainer().resolve(Untyped)


def test_a_failed_resolve_registers_nothing_half_built() -> None:
    container = AutoRegisteringContainer()
    with pytest.raises(ContainerError):
        container.resolve(NeedsClock)

    assert not container.is_registered(NeedsClock)
