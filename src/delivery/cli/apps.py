from django.apps import AppConfig


class CliConfig(AppConfig):
    """Installed only so Django finds the management commands of this delivery."""

    name = "delivery.cli"
    label = "cli"
