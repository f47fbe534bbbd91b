"""`ContainerFactory()()` is how every entry point gets a fully wired container."""

from configs.core import LoggingSettings
from infrastructure.django.setup import configure_django
from infrastructure.ioc import AutoRegisteringContainer
from infrastructure.logging import configure_logging


class ContainerFactory:
    def __call__(self) -> AutoRegisteringContainer:
        configure_django()
        logging = LoggingSettings()
        configure_logging(level=logging.level, format=logging.format)

        from ioc.registrations import register_explicit_bindings  # needs Django configured

        container = AutoRegisteringContainer()
        register_explicit_bindings(container)
        return container
