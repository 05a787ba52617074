"""django-q2's Redis broker with delivery receipts (the clusters' broker when REDIS_URL is set).

django-q2's own Redis broker pops a task off its queue's list (BLPOP) into the cluster's memory:
when a cluster is killed, every task it had taken (up to `queue_limit` prefetched, and those
running) is gone, and the database sweep could only guess from the stale time which unclaimed
work was lost and which still waited behind a backlog. This broker follows Redis's reliable
queue pattern instead: a cluster moves each task atomically (BLMOVE) from the queue to a list
of its own, and removes it from there once the task's result is saved (`acknowledge`, called
by django-q2's monitor; `ack_failures` makes that true of failures too). While the cluster
lives, a thread of its pusher process renews a key that expires after
CLUSTER_HEARTBEAT_STALE_SECONDS; once it has expired, `reclaim_stopped` (the sweep) puts that
cluster's tasks back at the head of the queue, in their order. A worker that dies inside a live
cluster (SIGKILL, out of memory) takes its task's receipt nowhere: its cluster goes on, and no
result is ever saved. So, as django-q2's ORM broker hands out again a task not acknowledged
within Q_RETRY, `reclaim_overdue` (the sweep too) puts back a task still taken Q_RETRY after the
sweep first saw it taken (Q_RETRY exceeds Q_TIMEOUT, so no worker still runs it; one prefetched
and still waiting that long in a busy cluster is run twice, harmlessly: every task claims its
work in the database first). The ages are read on Redis's clock, one for every machine. So the
broker can say, for each queue, how many tasks it still holds and how many live clusters work
it (`holding`): what the sweep needs to tell a late task from a lost one
(enrichment/broker_backlog.py).

Needs Redis 6.2 or later (BLMOVE). Each cluster's lists live under its queue's key:
`django_q:<cluster name>:q:taken:<consumer>`, `...:q:consumer:<consumer>` (the live key) and
`...:q:seen:<consumer>` (when the sweep first saw each taken task).
"""

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django_q.brokers.redis_broker import Redis

from bookstore.db_clock import database_now

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueHolding:
    """What a broker with receipts holds for one queue.

    tasks: waiting in the queue, or taken by a cluster and not yet acknowledged;
    consumers: live clusters taking tasks from it;
    since: when the broker began holding them (Redis's start): a task queued earlier was lost
    with a restart, unless the server saved its data (then it is simply sent twice)."""

    tasks: int
    consumers: int
    since: datetime | None


#: Puts back the tasks of one taken list that the sweep first saw there at least ARGV[1] seconds
#: ago, oldest at the queue's head, and notes when it first sees the others; atomic, so a task
#: acknowledged meanwhile is never put back. KEYS: taken list, queue, seen hash.
_RECLAIM_OVERDUE = """
local now = tonumber(redis.call('TIME')[1])
local overdue = {}
for _, task in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local seen = redis.call('HGET', KEYS[3], task)
  if not seen then
    redis.call('HSET', KEYS[3], task, now)
  elseif now - tonumber(seen) >= tonumber(ARGV[1]) then
    table.insert(overdue, task)
  end
end
for i = #overdue, 1, -1 do
  redis.call('LREM', KEYS[1], 1, overdue[i])
  redis.call('LPUSH', KEYS[2], overdue[i])
  redis.call('HDEL', KEYS[3], overdue[i])
end
return #overdue
"""


def consumer_ttl_seconds() -> int:
    """A cluster whose live key is older than this has stopped: the one stale threshold of
    clusters (the dashboard's heartbeats use it too)."""
    return max(int(settings.CLUSTER_HEARTBEAT_STALE_SECONDS), 2)


class ReceiptRedis(Redis):
    """A queue on Redis whose taken tasks stay recorded until done (see the module)."""

    def __init__(self, list_key: str | None = None):
        super().__init__(list_key=list_key)
        # Made in the cluster's sentinel process; its pusher and monitor are started from it
        # and share this id, so the monitor acknowledges in the list the pusher fills.
        self.consumer_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._renewing_in_pid: int | None = None
        self._stopped = threading.Event()

    def __getstate__(self):
        return (*super().__getstate__(), self.consumer_id)

    def __setstate__(self, state):
        *base, self.consumer_id = state
        super().__setstate__(tuple(base))
        self._renewing_in_pid = None
        self._stopped = threading.Event()

    # --- keys -----

    def taken_key(self, consumer_id: str | None = None) -> str:
        return f"{self.list_key}:taken:{consumer_id or self.consumer_id}"

    def live_key(self, consumer_id: str | None = None) -> str:
        return f"{self.list_key}:consumer:{consumer_id or self.consumer_id}"

    def seen_key(self, consumer_id: str | None = None) -> str:
        return f"{self.list_key}:seen:{consumer_id or self.consumer_id}"

    @property
    def reclaimed_key(self) -> str:
        return f"{self.list_key}:reclaimed"

    @property
    def overdue_key(self) -> str:
        return f"{self.list_key}:reclaimed_overdue"

    def _consumer_ids(self, kind: str) -> list[str]:
        prefix = f"{self.list_key}:{kind}:"
        return [
            key.decode()[len(prefix) :]
            for key in self.connection.scan_iter(match=f"{prefix}*", count=500)
        ]

    # --- django-q2's broker interface -----

    def dequeue(self):
        self._keep_alive()
        task = self.connection.blmove(self.list_key, self.taken_key(), 1, "LEFT", "RIGHT")
        if task:
            # The payload is its own receipt: acknowledge removes it from the taken list.
            return [(task, task)]

    def acknowledge(self, task_id):
        if task_id:
            with self.connection.pipeline() as both:  # MULTI: no sighting outlives its task
                both.lrem(self.taken_key(), 1, task_id)
                both.hdel(self.seen_key(), task_id)
                both.execute()

    def fail(self, task_id):
        # A payload that does not unpack (a bad signature) is dropped, not taken again.
        self.acknowledge(task_id)

    def lock_size(self) -> int:
        """Tasks taken by clusters and not yet acknowledged."""
        return sum(self.connection.llen(self.taken_key(c)) for c in self._consumer_ids("taken"))

    # --- liveness -----

    def _renew(self) -> None:
        self.connection.set(self.live_key(), os.getpid(), ex=consumer_ttl_seconds())

    def _keep_alive(self) -> None:
        """The first dequeue in a process sets the live key, then a thread renews it, so that
        a pusher blocked on a full task queue still counts as alive."""
        if self._renewing_in_pid == os.getpid():
            return
        self._renewing_in_pid = os.getpid()
        self._renew()
        threading.Thread(target=self._renew_forever, name="receipt-renewal", daemon=True).start()

    def _renew_forever(self) -> None:
        while not self._stopped.wait(consumer_ttl_seconds() / 4):
            try:
                self._renew()
            except Exception:  # Redis away for a moment: the next renewal tries again
                logger.warning("Could not renew the cluster's live key", exc_info=True)

    def stop_consuming(self) -> None:
        """Stop renewing the live key and drop it: this process takes no more tasks, and what
        it still holds is reclaimed by the next sweep."""
        self._stopped.set()
        self.connection.delete(self.live_key())

    # --- what the sweep asks -----

    def reclaim_stopped(self) -> int:
        """Put the tasks of every stopped cluster back at the head of the queue, oldest first;
        returns how many. A cluster that only seemed stopped may still run its copy: every
        task claims its work in the database first, so none is applied twice."""
        moved = 0
        for consumer_id in self._consumer_ids("taken"):
            if self.connection.exists(self.live_key(consumer_id)):
                continue
            taken = self.taken_key(consumer_id)
            # Newest first to the head, so the oldest ends at the head, as it was queued.
            while self.connection.lmove(taken, self.list_key, "RIGHT", "LEFT") is not None:
                moved += 1
            self.connection.delete(self.seen_key(consumer_id))
        if moved:
            self.connection.incrby(self.reclaimed_key, moved)
            logger.warning(
                "Put %s tasks of stopped clusters back on the %r queue", moved, self.list_key
            )
        return moved

    def reclaim_overdue(self, retry_seconds: float) -> int:
        """Put back every task a cluster, live or not, has held unacknowledged for
        `retry_seconds` since the sweep first saw it (its worker died); returns how many."""
        script = self.connection.register_script(_RECLAIM_OVERDUE)
        moved = 0
        for consumer_id in self._consumer_ids("taken"):
            keys = [self.taken_key(consumer_id), self.list_key, self.seen_key(consumer_id)]
            moved += int(script(keys=keys, args=[max(int(retry_seconds), 1)]))
        if moved:
            self.connection.incrby(self.overdue_key, moved)
            logger.warning(
                "Put %s tasks taken more than %s s ago and never done back on the %r queue",
                moved,
                int(retry_seconds),
                self.list_key,
            )
        return moved

    def reclaimed_total(self) -> int:
        """Tasks put back since Redis started, from stopped clusters and overdue (counters of
        their own)."""
        return int(self.connection.get(self.reclaimed_key) or 0) + self.reclaimed_overdue_total()

    def reclaimed_overdue_total(self) -> int:
        """Of those, the tasks put back as overdue (a worker died inside a live cluster)."""
        return int(self.connection.get(self.overdue_key) or 0)

    def holding(self) -> QueueHolding:
        uptime = self.connection.info("server")["uptime_in_seconds"]
        return QueueHolding(
            tasks=(self.queue_size() or 0) + self.lock_size(),
            consumers=len(self._consumer_ids("consumer")),
            # Redis counts whole seconds from a whole-second start: off by up to a second either
            # way. A second earlier, so as never to be after the start (up to 2 s before it).
            # On the clock the queued marks it is compared with were stamped on.
            since=database_now() - timedelta(seconds=int(uptime) + 1),
        )
