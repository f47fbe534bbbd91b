"""A Celery app with the broker configuration alone, for remote control from the command line.

`celery -A delivery.tasks.control inspect ping -d worker@host` asks a running worker whether it
answers, the worker's liveness check. This app builds no container and sets up no Django, so
the check costs a fraction of a worker's start; it registers no task and must never run one.
"""

from celery import Celery

from configs.tasks import CelerySettings
from delivery.tasks.celery_config import celery_config

app = Celery("todo_service")
app.conf.update(celery_config(CelerySettings()))
