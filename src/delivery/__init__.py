"""Ways in: HTTP (FastAPI), background tasks (Celery) and the command line (Django commands)."""
