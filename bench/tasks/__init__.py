"""The task round-trip benchmark (`make bench-tasks`) and the worker process it and others start."""

from bench.common import use_project_sources

use_project_sources()
