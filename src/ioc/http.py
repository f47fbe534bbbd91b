"""Bindings the HTTP delivery needs.

Controllers, services, the authenticator and the rate limiter all auto-wire from their dataclass
fields and settings classes; only a protocol or an object built by a factory would be bound here.
"""

from infrastructure.ioc import AutoRegisteringContainer


def register_http(container: AutoRegisteringContainer) -> None:
    """Nothing to bind explicitly today."""
