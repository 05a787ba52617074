"""Django's SQLite backend, whose writers wait for the write lock asking for it every
millisecond, and whose transactions let a waiting writer go first.

SQLite's own wait (the `timeout` option, its busy handler) sleeps 1, 2, 5, 10 … up to 100 ms
between two asks for the lock. An import holds the write lock for each batch and takes it again
milliseconds after committing it, so a writer waiting that way kept missing the gap: an admin
save, a cancel, a django-q2 enqueue landed a second or more (batches) late. Here SQLite does
not wait (busy_timeout 0): a statement refused the lock (with IMMEDIATE transactions that is
the BEGIN, or a statement outside a transaction) is run again every millisecond until `timeout`
seconds have passed. While it waits it holds a shared lock on the database's `-waiters` file,
and a connection beginning a transaction first waits (WAITERS_FIRST_SECONDS at most) until no
one holds it: however busy the machine, a writer that waited lands at the next gap.
"""

import fcntl
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db.backends.sqlite3 import base

#: How long a statement refused the write lock sleeps before asking again.
LOCK_ASK_SECONDS = 0.001
#: How long a transaction's BEGIN lets writers already waiting for the lock go first, at most.
WAITERS_FIRST_SECONDS = 0.5
#: Refusals that waiting cures (not BUSY_SNAPSHOT: a deferred transaction's stale snapshot can
#: never write, and SQLite does not wait for it either).
_LOCK_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY, sqlite3.SQLITE_BUSY_TIMEOUT}


class LockWaitingConnection(sqlite3.Connection):
    """A connection that remembers its `timeout`, how long its statements wait for the lock,
    and says when it waits (`waiters`: None for a database in memory, which no one else uses)."""

    def __init__(self, database: Any, timeout: float = 5.0, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self.lock_timeout = timeout
        self.waiters = None
        # The database's file ("" in memory), whatever the name or URI that opened it.
        path = next(row[2] for row in self.execute("PRAGMA database_list") if row[1] == "main")
        if path:
            self.waiters = open(f"{path}-waiters", "ab")  # noqa: SIM115 (closed with the connection)

    def commit(self) -> None:
        # A COMMIT refused a lock leaves the transaction open, to be committed again.
        _waiting_for_lock(self, super().commit)

    def close(self) -> None:
        if self.waiters is not None:
            self.waiters.close()
        super().close()

    def let_waiters_go_first(self) -> None:
        """Return once no writer waits for the lock, or after WAITERS_FIRST_SECONDS."""
        if self.waiters is None:
            return
        deadline = time.monotonic() + WAITERS_FIRST_SECONDS
        while True:
            try:
                fcntl.flock(self.waiters, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return
                time.sleep(LOCK_ASK_SECONDS)
            else:
                fcntl.flock(self.waiters, fcntl.LOCK_UN)
                return


class LockWaitingCursor(base.SQLiteCursorWrapper):
    connection: LockWaitingConnection

    def execute(self, query, params=None):
        return _waiting_for_lock(self.connection, super().execute, query, params)

    def executemany(self, query, param_list):
        # Listed first: a statement run again needs the rows the refused one had taken.
        rows = param_list if isinstance(param_list, Sequence) else list(param_list)
        return _waiting_for_lock(self.connection, super().executemany, query, rows)


def _waiting_for_lock(connection: LockWaitingConnection, run: Callable[..., Any], *args: Any):
    """`run(*args)`, again every LOCK_ASK_SECONDS while the database refuses it the lock, up to
    the connection's timeout, saying meanwhile that it waits. Only what the refusal left undone
    is run again: not a statement whose transaction SQLite rolled back, nor an executemany
    whose earlier rows were written."""
    in_transaction, changes = connection.in_transaction, connection.total_changes
    deadline = None
    try:
        while True:
            try:
                return run(*args)
            except sqlite3.OperationalError as exc:
                if (
                    getattr(exc, "sqlite_errorcode", None) not in _LOCK_BUSY
                    or connection.in_transaction != in_transaction
                    or connection.total_changes != changes
                ):
                    raise
                now = time.monotonic()
                if deadline is None:
                    deadline = now + connection.lock_timeout
                    if connection.waiters is not None:
                        fcntl.flock(connection.waiters, fcntl.LOCK_SH)
                elif now >= deadline:
                    raise
            time.sleep(LOCK_ASK_SECONDS)
    finally:
        if deadline is not None and connection.waiters is not None:
            fcntl.flock(connection.waiters, fcntl.LOCK_UN)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        return {**super().get_connection_params(), "factory": LockWaitingConnection}

    def get_new_connection(self, conn_params):
        # The connection's own set-up (journal mode, pragmas) waits with SQLite's handler.
        conn = super().get_new_connection(conn_params)
        conn.execute("PRAGMA busy_timeout = 0")
        return conn

    def create_cursor(self, name=None):
        return self.connection.cursor(factory=LockWaitingCursor)

    def _start_transaction_under_autocommit(self):
        # A connection that has just committed takes the lock back within milliseconds: a
        # writer waiting meanwhile would miss that gap on a busy machine.
        self.connection.let_waiters_go_first()
        super()._start_transaction_under_autocommit()  # type: ignore[misc]
