"""The explicit bindings: protocols and objects built by factories. Everything else auto-wires."""

from infrastructure.ioc import AutoRegisteringContainer


def register_explicit_bindings(container: AutoRegisteringContainer) -> None:
    from ioc.http import register_http
    from ioc.tasks import register_tasks

    register_tasks(container)
    register_http(container)
