"""The domain: models, services and their exceptions. Knows nothing of HTTP, Celery or the container."""
