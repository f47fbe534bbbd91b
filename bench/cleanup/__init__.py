"""The cleanup benchmark (`make bench-cleanup`); see `__main__` for its scenarios and overrides."""

from bench.common import use_project_sources

use_project_sources()
