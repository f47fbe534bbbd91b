"""The domain: models, services and exceptions. It knows nothing of HTTP, Celery or the IoC."""
