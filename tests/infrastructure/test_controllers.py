"""The controller base: public methods reach `handle_exception`; transactions roll back."""

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest

from core.user.models import User
from infrastructure.delivery.controllers import Controller, TransactionController


class DomainError(Exception):
    pass


@dataclass(kw_only=True)
class MappingController(Controller):
    handled: list[Exception]

    def register(self, registry: Any) -> None:
        registry.append(self.fail)

    def handle_exception(self, exc: Exception) -> Any:
        self.handled.append(exc)
        if isinstance(exc, DomainError):
            return "mapped"
        raise exc

    def fail(self, exc: Exception) -> str:
        raise exc

    async def fail_async(self, exc: Exception) -> str:
        raise exc

    def succeed(self) -> str:
        return "ok"

    def _private(self) -> str:
        raise DomainError


def test_public_methods_send_exceptions_to_handle_exception() -> None:
    controller = MappingController(handled=[])
    error = DomainError()

    assert controller.fail(error) == "mapped"
    assert controller.handled == [error]


def test_async_methods_are_wrapped_too() -> None:
    controller = MappingController(handled=[])

    assert asyncio.run(controller.fail_async(DomainError())) == "mapped"
    with pytest.raises(KeyError):
        asyncio.run(controller.fail_async(KeyError("x")))


def test_unmapped_exceptions_propagate_and_successes_pass_through() -> None:
    controller = MappingController(handled=[])

    with pytest.raises(ValueError, match="boom"):
        controller.fail(ValueError("boom"))
    assert controller.succeed() == "ok"


def test_private_methods_and_register_are_not_wrapped() -> None:
    controller = MappingController(handled=[])
    registry: list[Any] = []

    controller.register(registry)

    with pytest.raises(DomainError):
        controller._private()
    assert controller.handled == []
    assert registry[0].__wrapped__.__name__ == "fail"


def test_the_default_handle_exception_reraises() -> None:
    @dataclass(kw_only=True)
    class Plain(Controller):
        def register(self, registry: Any) -> None: ...

        def fail(self) -> None:
            raise DomainError

    with pytest.raises(DomainError):
        Plain().fail()


@dataclass(kw_only=True)
class CreatingController(TransactionController):
    def register(self, registry: Any) -> None: ...

    def create_then_fail(self) -> None:
        User.objects.create(username="ghost")
        raise DomainError


@pytest.mark.django_db(transaction=True)
def test_transaction_controller_rolls_back_a_failed_method() -> None:
    with pytest.raises(DomainError):
        CreatingController().create_then_fail()

    assert not User.objects.filter(username="ghost").exists()


def test_transaction_controller_refuses_async_methods() -> None:
    @dataclass(kw_only=True)
    class AsyncTransactions(TransactionController):
        def register(self, registry: Any) -> None: ...

        async def work(self) -> None: ...

    with pytest.raises(TypeError, match="sync method"):
        AsyncTransactions()
