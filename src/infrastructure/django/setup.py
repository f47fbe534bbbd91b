"""Configure Django before anything imports a model: every entry point calls this first."""

import os

import django

SETTINGS_MODULE = "configs.django"


def configure_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    django.setup(set_prefix=False)
