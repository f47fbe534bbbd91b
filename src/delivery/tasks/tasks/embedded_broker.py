"""`maintenance.prune_embedded_broker`: the embedded broker keeps consumed messages; drop old ones.

Beat sends it only in the embedded mode (see `schedule.py`); elsewhere there is nothing to prune.
"""

from dataclasses import dataclass

from celery import Celery

from configs.tasks import CelerySettings
from delivery.tasks.names import TaskName
from delivery.tasks.registration import register_task
from infrastructure.celery.embedded import EmbeddedFolders, prune_older_than
from infrastructure.delivery.controllers import Controller


@dataclass(kw_only=True)
class EmbeddedBrokerTaskController(Controller):
    _settings: CelerySettings

    def register(self, registry: Celery) -> None:
        register_task(registry, TaskName.PRUNE_EMBEDDED_BROKER, self.prune_embedded_broker)

    def prune_embedded_broker(self) -> int:
        """Consumed messages older than the results they produced; returns how many went."""
        folders = EmbeddedFolders(self._settings.embedded_dir)
        age_s = self._settings.result_expires_s
        pruned = prune_older_than(folders.processed, age_s=age_s)
        return pruned + prune_older_than(folders.redeliveries, age_s=age_s)
