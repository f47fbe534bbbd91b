"""`user.sessions.cleanup`: delete refresh sessions that finished before the retention window.

Every token rotation adds a `RefreshSession` row, so without this the table only grows. Finished
sessions are kept for `SESSION_CLEANUP_RETENTION_S` for audit; the service decides which rows are
safe to delete without weakening reuse detection. A second run deletes nothing more, so
redelivery is safe and no overlap guard is needed.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery import Celery
from django.utils import timezone

from configs.tasks import SessionCleanupSettings
from core.user.services.refresh_tokens import RefreshTokenService
from delivery.tasks.names import TaskName
from delivery.tasks.registration import register_task
from delivery.tasks.results import SessionCleanupResult
from infrastructure.delivery.controllers import Controller

__all__ = ["RefreshSessionCleanupTaskController", "SessionCleanupResult"]

logger = logging.getLogger(__name__)


@dataclass(kw_only=True)
class RefreshSessionCleanupTaskController(Controller):
    _refresh_token_service: RefreshTokenService
    _settings: SessionCleanupSettings

    def register(self, registry: Celery) -> None:
        register_task(
            registry,
            TaskName.USER_SESSIONS_CLEANUP,
            self.delete_finished_sessions,
            limits=self._settings,
        )

    def delete_finished_sessions(self) -> SessionCleanupResult:
        finished_before = timezone.now() - timedelta(seconds=self._settings.retention_s)
        deleted = self._refresh_token_service.delete_finished_sessions(
            finished_before=finished_before, batch_size=self._settings.batch_size
        )
        logger.info("refresh-session cleanup deleted %s sessions", deleted)
        return SessionCleanupResult(sessions_deleted=deleted)
