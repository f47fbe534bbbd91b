"""The explicit bindings: protocols and objects built by factories. Everything else auto-wires."""

from infrastructure.ioc import AutoRegisteringContainer


def register_explicit_bindings(container: AutoRegisteringContainer) -> None:
    """Bindings are added here by each delivery as it grows."""
