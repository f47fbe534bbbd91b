"""kombu's filesystem transport with atomic publishing and messages that survive a dead worker.

kombu's own transport has two faults fixed here:

- **Half-written messages.** It creates a message file under its final name and then writes it,
  so a consumer polling the folder could take an empty file and die on a JSON error. Here each
  message is written under a name no consumer matches and renamed into place when complete.
- **No acknowledgement.** It moves a message out of the queue when it reads it, and keeps
  unacknowledged messages only in the consumer's memory, so a worker killed with SIGKILL (or by
  the kernel, or with its machine) loses the task it was running. Here a consumed message moves
  into its consumer's own `unacked/<consumer>/` folder, and only an acknowledgement moves it on
  to `processed/`. Each consumer holds a POSIX lock on `unacked/<consumer>.lock` for as long as
  its process lives; the kernel drops that lock when the process dies, however it dies. Every
  consumer checks the other consumers' locks at start and then every `sweep_interval` seconds,
  and puts the messages of a consumer that is gone back into the queue, marked `redelivered`, at
  their original place in line. A rejected message (requeue) and a message still unacknowledged
  when its channel closes go back the same way.

Consumers that acknowledge nothing (`no_ack`, such as remote-control replies) skip `unacked/`.
A transient queue (an event receiver's, a remote-control mailbox) stays bound only while the
process that bound it lives (`filesystem_fanout.py`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from amqp.protocol import queue_declare_ok_t
from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.transport.filesystem import exchange_queue_t
from kombu.utils.json import loads

from infrastructure.celery import filesystem_fanout
from infrastructure.celery.filesystem_unacked import (
    Consumer,
    requeue,
    restore_dead_consumers,
    write_atomically,
)

logger = logging.getLogger(__name__)

DEFAULT_SWEEP_INTERVAL_S = 1.0


class QoS(virtual.QoS):
    channel: Channel

    def ack(self, delivery_tag: str) -> None:
        self.channel.settle(delivery_tag)
        super().ack(delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if not requeue:
            self.channel.settle(delivery_tag)
        super().reject(delivery_tag, requeue=requeue)  # requeue: back via Channel._restore


class Channel(filesystem.Channel):
    QoS = QoS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._no_ack_queues: set[str] = set()
        self._getting_without_ack = False
        self._consumer: Consumer | None = None
        self._unacked: dict[str, Path] = {}
        self._next_sweep = 0.0

    # --- publishing ---------------------------------------------------------------------------

    # The override kombu's own stub declares for this method (it adds **kwargs to the base).
    def _put(self, queue: str, payload: dict[str, Any], **kwargs: Any) -> None:  # type: ignore[override]
        # kombu's naming: consumers take files in name order, oldest first.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        try:
            write_atomically(Path(self.data_folder_out) / name, payload)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to {self.data_folder_out}") from exc

    # --- transient queues -------------------------------------------------------------------

    def queue_declare(
        self, queue: str | None = None, passive: bool = False, **kwargs: Any
    ) -> queue_declare_ok_t:
        declared = super().queue_declare(queue, passive, **kwargs)
        filesystem_fanout.declared(
            declared.queue,
            auto_delete=bool(kwargs.get("auto_delete")),
            exclusive=bool(kwargs.get("exclusive")),
        )
        return declared

    def _queue_bind(self, exchange: str, routing_key: str, pattern: str | None, queue: str) -> None:
        filesystem_fanout.hold(self.control_folder, queue)
        super()._queue_bind(exchange, routing_key, pattern, queue)

    def _delete(self, queue: str, *args: Any, **kwargs: Any) -> None:
        super()._delete(queue, *args, **kwargs)
        filesystem_fanout.release(self.control_folder, queue)

    def get_table(self, exchange: str) -> list[exchange_queue_t]:  # type: ignore[override]  # kombu's own stub
        """The exchange's bindings, less those of transient queues whose process is gone."""
        live = []
        for bound in super().get_table(exchange):
            drop = functools.partial(self._drop, exchange, bound)
            if filesystem_fanout.live_or_dropped(self.control_folder, bound.queue, drop):
                live.append(bound)
        return live

    def _drop(self, exchange: str, bound: exchange_queue_t) -> int:
        filesystem.Channel._delete(self, bound.queue, exchange, bound.routing_key, bound.pattern)
        return self._purge(bound.queue)

    # --- consuming ----------------------------------------------------------------------------

    def basic_consume(self, queue: str, no_ack: bool, *args: Any, **kwargs: Any) -> Any:
        if no_ack:
            self._no_ack_queues.add(queue)
        return super().basic_consume(queue, no_ack, *args, **kwargs)

    def basic_get(self, queue: str, no_ack: bool = False, **kwargs: Any) -> Any:
        self._getting_without_ack = no_ack
        try:
            return super().basic_get(queue, no_ack=no_ack, **kwargs)
        finally:
            self._getting_without_ack = False

    def _get(self, queue: str) -> dict[str, Any]:  # type: ignore[override]
        acked = queue not in self._no_ack_queues and not self._getting_without_ack
        if acked:
            self._maybe_sweep()
        wanted = f"{queue}.msg"
        folder = Path(self.data_folder_in)
        for name in sorted(os.listdir(folder)):
            if name.partition(".")[2] != wanted:
                continue
            target = self._own_consumer().folder if acked else self._processed
            try:
                os.rename(folder / name, target / name)
            except OSError:  # another consumer took it first
                continue
            payload = _read_message(target / name, self._processed)
            if payload is None:
                continue
            if acked:
                self._unacked[payload["properties"]["delivery_tag"]] = target / name
            return payload
        raise Empty()

    def settle(self, delivery_tag: str) -> None:
        """Acknowledged (or rejected for good): the message is done with."""
        path = self._unacked.pop(delivery_tag, None)
        if path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.rename(path, self._processed / path.name)

    def _restore(self, message: Any) -> None:
        """Requeued, or unacknowledged when the channel closes: back to its place in the queue."""
        path = self._unacked.pop(message.delivery_tag, None)
        if path is None:
            super()._restore(message)
            return
        requeue(path, Path(self.data_folder_in))

    def close(self) -> None:
        super().close()  # restores what is still unacknowledged
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.retire(queue=Path(self.data_folder_in))

    # --- consumers ----------------------------------------------------------------------------

    def _own_consumer(self) -> Consumer:
        if self._consumer is None:
            self._consumer = Consumer.start(self._unacked_root)
        return self._consumer

    def _maybe_sweep(self) -> None:
        now = monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + float(
            self.transport_options.get("sweep_interval", DEFAULT_SWEEP_INTERVAL_S)
        )
        restore_dead_consumers(self._unacked_root, queue=Path(self.data_folder_in))

    @property
    def _unacked_root(self) -> Path:
        folder = self.transport_options.get("unacked_folder")
        return Path(folder) if folder else Path(self.data_folder_in).parent / "unacked"

    @property
    def _processed(self) -> Path:
        return Path(self.processed_folder)


class Transport(filesystem.Transport):
    Channel = Channel


def _read_message(path: Path, processed: Path) -> dict[str, Any] | None:
    try:
        payload: dict[str, Any] = loads(path.read_bytes())
    except OSError as exc:
        raise ChannelError(f"Cannot read file {str(path)!r} from queue.") from exc
    except ValueError:
        logger.error("embedded broker: %s is not a message; moved to %s", path.name, processed)
        os.replace(path, processed / f"{path.name}.unreadable")
        return None
    return payload
