"""Benchmarks: each package is runnable with `uv run python -m bench.<name>`."""
