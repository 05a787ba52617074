"""An import's rows, read and normalized one batch at a time: in this process, or, for a large
job, in a forked worker process that reads and normalizes the next batch while this one plans
and writes the current one (both cores at work).

Reading and normalizing is pure (no database: `BaseImporter.read_row`), so the worker needs
nothing but the importer and the rows, which it inherits by the fork. It hands over each batch
pickled through a pipe. A pipe holds 64 KB and a batch about 1.2 MB, so the worker's own thread
writes them while the worker reads on, up to `BATCHES_AHEAD` batches ahead of the writer: a
batch the writer takes longer over (a checkpoint, a commit) no longer stops the worker, nor
one the worker takes longer over the writer. Memory stays that of a few batches. Batches come
in the file's order; the writer keeps its transaction per batch and every check.
"""

import contextlib
import dataclasses
import logging
import operator
import os
import pickle
import queue
import signal
import threading
import traceback
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import NoReturn

from django.utils.translation import gettext as _

from catalog.bulk import JsonText
from catalog.importers import BaseImporter, NormalizedRow
from catalog.importers.base import ROW_FIELDS, Credit
from catalog.services.collector import collect_batch_garbage
from catalog.services.import_stops import ImportStopped
from catalog.services.rows import _normalize, _Planned, encode_record

logger = logging.getLogger(__name__)

Lines = Sequence[tuple[int, list[str]]]
#: One batch: its (line number, cells) and each row normalized, in the same order.
Batch = tuple[Lines, list[_Planned]]


class ReadingWorkerFailed(ImportStopped):
    """The reading worker ended without a word (killed: out of memory, a signal)."""

    halfway = True


class ReadingWorkerError(Exception):
    """The reading worker stopped on an error: the message is the error's own (its traceback
    is logged), so the job says it as an unexpected error."""


@contextlib.contextmanager
def normalized_batches(
    importer: BaseImporter, lines: Iterable[tuple[int, list[str]]], size: int, *, worker: bool
) -> Iterator[Iterator[Batch]]:
    """The rows in batches of `size`, each with its rows normalized; read by a forked worker
    when `worker` (and the platform can fork). Leaving the block early stops the worker."""
    if not (worker and hasattr(os, "fork")):
        yield (
            (batch, [_normalize(importer, *line) for line in batch])
            for batch in _batches(lines, size)
        )
        return
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:  # no process to spare: close the pipe, and the job fails with the reason
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the worker: it never returns (no Django teardown, no inherited connection)
        os.close(read_end)
        _work(importer, lines, size, write_end)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as source:
            yield _ReceivedBatches(source)
    finally:
        # Stopped early (a cancel, an error): the worker may be waiting to hand over a batch.
        with contextlib.suppress(ProcessLookupError):  # an ended worker is still ours to reap
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def _batches(lines: Iterable[tuple[int, list[str]]], size: int) -> Iterator[list]:
    lines = iter(lines)
    while batch := list(islice(lines, size)):
        yield batch


#: How many batches the reading worker may have read and not yet handed over.
BATCHES_AHEAD = 3


def _work(importer: BaseImporter, lines: Iterable, size: int, write_end: int) -> NoReturn:
    """The worker's whole life: every batch down the pipe, then the end (or the error)."""
    status = 0
    try:
        with _PipeSender(write_end, BATCHES_AHEAD) as out:
            try:
                for batch in _batches(lines, size):
                    planned = [_packed(_normalize(importer, *line)) for line in batch]
                    pickled = pickle.dumps(batch, pickle.HIGHEST_PROTOCOL)  # _PickledLines
                    out.send(("batch", pickled, planned))
                    del batch, planned, pickled
                    collect_batch_garbage()  # forked inside the writer's collected_between_batches
                out.send(("end",))
            except Exception as exc:
                out.send(("error", str(exc), traceback.format_exc()))
    except BaseException:  # the writer stopped reading (BrokenPipeError): nothing to tell
        status = 1
    finally:
        os._exit(status)


class _PipeSender:
    """Messages down the pipe from a thread of their own, so the worker reads on while a batch
    waits for the writer to take it: up to `ahead` pickled messages wait in memory. The thread
    writes each message in one call, with the GIL released while the pipe is full. A pipe the
    writer closed (it stopped early) stops the sending with its error at the next message."""

    def __init__(self, fd: int, ahead: int):
        self._out = os.fdopen(fd, "wb", buffering=0)
        self._waiting: queue.Queue[bytes | None] = queue.Queue(maxsize=ahead)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._write_all, daemon=True)

    def __enter__(self) -> "_PipeSender":
        self._thread.start()
        return self

    def send(self, message: tuple) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        while self._error is None:
            try:
                self._waiting.put(data, timeout=0.5)
                return
            except queue.Full:
                continue
        raise self._error

    def _write_all(self) -> None:
        try:
            while (data := self._waiting.get()) is not None:
                view = memoryview(data)
                while view:  # a pipe takes a large write whole, unless a signal cuts it short
                    view = view[self._out.write(view) :]
        except BaseException as exc:
            self._error = exc

    def __exit__(self, *exc_info) -> None:
        # What was sent goes down the pipe before the worker ends (unless the pipe is gone).
        while self._thread.is_alive():
            try:
                self._waiting.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self._thread.join()
        self._out.close()
        if self._error is not None:
            raise self._error


class _ReceivedBatches:
    """The worker's batches as they arrive. An iterator object, not a generator: a generator
    suspended at its `yield` would keep the batch it handed out alive while the writer works on
    the next, and the collection between batches (`collector`) would scan it."""

    def __init__(self, source):
        self.source = source

    def __iter__(self) -> Iterator[Batch]:
        return self

    def __next__(self) -> Batch:
        try:
            message = pickle.load(self.source)
        except EOFError:  # killed, or crashed before it could say why
            raise ReadingWorkerFailed(
                _(
                    "The import stopped: the process reading the file ended unexpectedly (out "
                    "of memory, or stopped by the system)."
                )
            ) from None
        if message[0] == "end":
            raise StopIteration
        if message[0] == "error":
            logger.error("The import's reading worker failed:\n%s", message[2])
            raise ReadingWorkerError(message[1])
        return _PickledLines(message[1]), [_unpacked(item) for item in message[2]]


class _PickledLines(Sequence):
    """A batch's lines as the worker pickled them, unpickled only when read. The writer reads
    them only when the database refuses the batch (its halves are normalized again from
    them); every other batch's cells arrive as each row's record, and unpickling them as well
    was about a tenth of the writer's time taking a batch in (1-2 ms of 11-15 a batch)."""

    def __init__(self, pickled: bytes):
        self._pickled = pickled
        self._lines: list | None = None

    def _read(self) -> list:
        if self._lines is None:
            self._lines = pickle.loads(self._pickled)
        return self._lines

    def __len__(self) -> int:
        return len(self._read())

    def __getitem__(self, index):
        return self._read()[index]

    def __iter__(self):
        return iter(self._read())


# A batch crosses the pipe as plain tuples and lists: pickle reads those at C speed, where each
# dataclass would cost a Python call per object (the writer's time is what limits the import).
_CREDITS = ROW_FIELDS.index("credits")
_credit_values = operator.attrgetter(*(f.name for f in dataclasses.fields(Credit)))
_PackedRow = list | None


def _packed(item: _Planned) -> tuple:
    """The row's record is encoded here, on the worker's core; its cells cross the pipe as
    that text only (the batch's lines carry them too, for a batch the database refuses)."""
    values = encode_record(item)
    row: _PackedRow = None
    if values is not None:
        row = list(values)
        row[_CREDITS] = list(map(_credit_values, row[_CREDITS]))
    return (
        item.line,
        str(item.raw_json),  # a plain str pickles at C speed, a subclass by its class
        row,
        item.error,
        item.status,
        item.messages,
        item.matched_by,
        item.title_key,
        str(item.normalized_json),
        item.read_mark,
    )


def _unpacked(packed: tuple) -> _Planned:
    line, raw_json, row, error, status, messages, matched_by, title_key, *record = packed
    normalized = None
    if row is not None:
        row[_CREDITS] = [Credit(*credit) for credit in row[_CREDITS]]
        normalized = NormalizedRow(*row)
    return _Planned(
        line=line,
        raw=[],
        raw_json=JsonText(raw_json),
        row=normalized,
        error=error,
        status=status,
        messages=messages,
        matched_by=matched_by,
        title_key=title_key,
        normalized_json=JsonText(record[0]),
        read_mark=record[1],
    )
