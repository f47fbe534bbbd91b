#!/usr/bin/env python
"""Django's command-line utility, configured like every other entry point."""

import sys

from infrastructure.django.setup import configure_django


def main() -> None:
    configure_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
