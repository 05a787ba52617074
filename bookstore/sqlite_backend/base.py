"""Django's SQLite backend, whose statements wait for the write lock asking for it every
millisecond.

SQLite's own wait (the `timeout` option, its busy handler) sleeps 1, 2, 5, 10 … up to 100 ms
between two asks for the lock. An import holds the write lock for each batch and takes it again
milliseconds after committing it, so a writer waiting that way kept missing the gap: an admin
save, a cancel, a django-q2 enqueue landed a second or more (batches) late, or failed with
"database is locked". Here SQLite does not wait (busy_timeout 0): a statement refused the lock
(with IMMEDIATE transactions that is the BEGIN, or a statement outside a transaction) is run
again every millisecond until `timeout` seconds have passed, and lands at the first gap.
"""

import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.db.backends.sqlite3 import base

#: How long a statement refused the write lock sleeps before asking again.
LOCK_ASK_SECONDS = 0.001
#: Refusals that waiting cures (not BUSY_SNAPSHOT: a deferred transaction's stale snapshot can
#: never write, and SQLite does not wait for it either).
_LOCK_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_BUSY_RECOVERY, sqlite3.SQLITE_BUSY_TIMEOUT}


class LockWaitingConnection(sqlite3.Connection):
    """A connection that remembers its `timeout`, how long its statements wait for the lock."""

    def __init__(self, database: Any, timeout: float = 5.0, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, timeout, *args, **kwargs)
        self.lock_timeout = timeout

    def commit(self) -> None:
        # A COMMIT refused a lock leaves the transaction open, to be committed again.
        _waiting_for_lock(self, super().commit)


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
    the connection's timeout. Only what the refusal left undone is run again: not a statement
    whose transaction SQLite rolled back, nor an executemany whose earlier rows were written."""
    in_transaction, changes = connection.in_transaction, connection.total_changes
    deadline = None
    while True:
        try:
            return run(*args)
        except sqlite3.OperationalError as exc:
            if (
                exc.sqlite_errorcode not in _LOCK_BUSY
                or connection.in_transaction != in_transaction
                or connection.total_changes != changes
            ):
                raise
            now = time.monotonic()
            deadline = deadline or now + connection.lock_timeout
            if now >= deadline:
                raise
        time.sleep(LOCK_ASK_SECONDS)


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
