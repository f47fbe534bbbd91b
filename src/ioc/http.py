"""Bindings the HTTP delivery needs."""

from infrastructure.ioc import AutoRegisteringContainer


def register_http(container: AutoRegisteringContainer) -> None:
    """Nothing yet."""
