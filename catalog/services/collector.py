"""The garbage collector during an import: run between batches, not during them.

A batch builds tens of thousands of objects (rows, models, their states) that live until the
batch is written and are then freed by reference counting. The collector's automatic runs
scanned them again and again while the batch was built (about 7 % of the writer's time at
100,000 rows, and none of it garbage). Run once a batch, after the batch's objects are gone, it
scans almost nothing, and still frees any cycle the batch left (an exception's traceback), so
memory stays that of a batch.
"""

import contextlib
import gc
import threading
from collections.abc import Iterator

# The collector is one per process and imports may overlap in a threaded web server (small
# ones run in the request): the first to start turns it off, the last to end puts it back.
_lock = threading.Lock()
_running = 0
_was_enabled = True


@contextlib.contextmanager
def collected_between_batches() -> Iterator[None]:
    """For the block: the objects alive before it (Django, the app, the file's text) stay out
    of the scans, and the collector runs only when `collect_batch_garbage` says so. As it was
    once the last such block in the process ends."""
    global _running, _was_enabled
    with _lock:
        if not _running:
            _was_enabled = gc.isenabled()
            gc.freeze()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if not _running:
                if _was_enabled:
                    gc.enable()
                gc.unfreeze()


def collect_batch_garbage() -> None:
    """Collect what a finished batch left in cycles: the youngest generation holds everything
    made since the last call (automatic runs are off)."""
    gc.collect(0)
