"""Celery plumbing that knows nothing of our tasks: broker modes, delivery limits."""
