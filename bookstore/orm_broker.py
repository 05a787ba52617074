"""django-q2's ORM broker on the database's clock (the clusters' broker without REDIS_URL).

django-q2's own stamps each task with the enqueuing process's clock (`lock`, when it may be
taken) and hands out those whose stamp has passed on the taking cluster's clock, which renews
it to its own clock plus Q_RETRY. So machines whose clocks have drifted apart held work back:
every task queued by a web machine two minutes ahead waited two minutes before any worker took
it, and a task taken by a cluster minutes behind looked abandoned to the others at once and ran
twice. Here every stamp and comparison is the database's `now()` (bookstore.db_clock:
PostgreSQL's clock, one for every machine, as the heartbeats, the claims and the providers' rate
limits read it; SQLite lives on one machine, whose clock it keeps). A clock that then goes back
(the database server's, or SQLite's machine's) would still hold back every task stamped before
the jump for as long as it: `orm_tasks_bring_back`, asked at each cluster heartbeat
(enrichment/heartbeats.py), makes those due now.
"""

from time import sleep

from django_q.brokers.orm import ORM
from django_q.conf import Conf, logger

from bookstore.db_clock import database_now_expression

#: A task's stamp lies at most Q_RETRY ahead (taken); past this slack too, a clock that ran ahead
#: set it.
STAMP_SLACK_SECONDS = 60


def _now(seconds: float = 0):
    """The broker's database's now (plus `seconds`), read by the statement itself."""
    return database_now_expression(seconds=seconds, using=Conf.ORM)


class DatabaseClockORM(ORM):
    """The ORM broker with `lock` stamped and compared on the database's clock."""

    def timeout(self, task):
        return _now(Conf.RETRY)

    def queue_size(self) -> int:
        return self.get_connection().filter(key=self.list_key, lock__lte=_now()).count()

    def lock_size(self) -> int:
        return self.get_connection().filter(key=self.list_key, lock__gt=_now()).count()

    def enqueue(self, task):
        key = self.list_key or Conf.CLUSTER_NAME  # OrmQ.key may not be null
        return self.get_connection().create(key=key, payload=task, lock=_now()).pk

    def dequeue(self):
        # django-q2's, but for the clock: a guarded update takes each task, so that of two
        # clusters taking the same one only the first has it.
        tasks = self.get_connection().filter(key=self.list_key, lock__lt=_now())[: Conf.BULK]
        if tasks:
            taken = []
            for task in tasks:
                if (
                    self.get_connection()
                    .filter(id=task.id, lock=task.lock)
                    .update(lock=self.timeout(task))
                ):
                    taken.append((task.pk, task.payload))
            return taken
        sleep(Conf.POLL)  # an empty queue: spare the database
        return None


def orm_tasks_bring_back() -> int:
    """Make due now the tasks stamped further ahead than a taken task's Q_RETRY allows (by a
    clock that has since gone back); returns how many. A task still running somewhere may so be
    handed out again: harmless, as a task lost in a broker is (every task claims its work)."""
    from django_q.models import OrmQ  # needs the app registry: imported when called

    ahead = OrmQ.objects.using(Conf.ORM).filter(lock__gt=_now(Conf.RETRY + STAMP_SLACK_SECONDS))
    brought_back = ahead.update(lock=_now())
    if brought_back:
        logger.warning(
            "Made due %s queued tasks stamped later than Q_RETRY from now (a clock that ran "
            "ahead stamped them)",
            brought_back,
        )
    return brought_back
