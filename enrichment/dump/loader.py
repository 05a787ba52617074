"""Load Open Library dump files into the dump tables: read, check, index, swap.

One kind (editions, works, authors) at a time, each into fresh `*_new` tables that replace the
live ones only when the whole file was read and passed the sanity checks. A load that fails or
is interrupted leaves the live tables as they were; running it again starts that kind afresh,
and `resume` skips the kinds whose file is already loaded (same path, size and mtime).

On PostgreSQL the parsing runs in worker processes (from a fork server: no inherited database
connection), each with its own COPY connections; this process inflates the file and hands out
blocks of lines.
"""

import gc
import logging
import multiprocessing
import os
import queue
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import shared_memory

from enrichment.dump import reader, tables

logger = logging.getLogger(__name__)

#: More bad lines than this share of a file means it is not the dump we think it is.
MAX_BAD_FRACTION = 0.05
#: A new dump with fewer rows than this share of the loaded one is refused (unless allowed).
MIN_SHARE_OF_PREVIOUS = 0.5
#: Seconds a worker may be silent before the load gives up on it.
WORKER_TIMEOUT = 600


class DumpRefused(Exception):
    """A dump file failed a sanity check: nothing was swapped for its kind."""


@dataclass(slots=True)
class KindResult:
    kind: str
    report: reader.FileReport
    status: str = "loaded"  # loaded / skipped (resume) / refused
    reason: str = ""
    seconds: float = 0.0
    parse_seconds: float = 0.0  # reading, parsing and COPY
    index_seconds: float = 0.0  # index build and swap
    cpu_seconds: float = 0.0  # this process's and the parsing processes' (not PostgreSQL's)
    worker_cpu_seconds: float = 0.0  # the parsing processes' share of cpu_seconds
    # Seconds this process waited for a parsing process to take a block: the workers (and
    # PostgreSQL behind them) are the bottleneck when this is most of the reading time.
    feeder_wait_seconds: float = 0.0
    worker_idle_seconds: float = 0.0  # the parsing processes waiting for blocks, summed


@dataclass(slots=True)
class LoadSummary:
    results: list[KindResult] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0

    @property
    def refused(self) -> KindResult | None:
        return next((r for r in self.results if r.status == "refused"), None)


#: progress(kind, uncompressed bytes read, file bytes consumed, file size, lines so far)
LoadProgress = Callable[[str, int, int, int, int], None]


def default_workers() -> int:
    """Parsing is the bottleneck; PostgreSQL's COPY needs a fraction of a core beside it."""
    return max(1, min(os.cpu_count() or 1, 8))


def parsing_workers(requested: int | None) -> int:
    """The parsing processes a load uses: on PostgreSQL `requested` (None: default_workers);
    on SQLite none, the file read in this process (one writer at a time: processes would only
    wait for each other)."""
    if not tables.is_postgres():
        return 0
    return default_workers() if requested is None else requested


def dump_load(
    *,
    files: dict[str, str],
    workers: int | None = None,
    resume: bool = False,
    allow_shrink: bool = False,
    logged: bool = False,
    progress: LoadProgress | None = None,
) -> LoadSummary:
    """Load each dump file given as {kind: path}; stops at the first refused file."""
    started = time.monotonic()
    workers = parsing_workers(workers)
    summary = LoadSummary(workers=workers)
    with tables.load_lock():
        previous = tables.load_records()
        for kind in reader.KINDS:
            path = files.get(kind)
            if not path:
                continue
            result = load_kind(
                kind=kind,
                path=path,
                workers=workers,
                previous=previous.get(kind),
                resume=resume,
                allow_shrink=allow_shrink,
                logged=logged,
                progress=progress,
            )
            summary.results.append(result)
            if result.status == "refused":
                break
    summary.seconds = time.monotonic() - started
    return summary


def load_kind(
    *,
    kind: str,
    path: str,
    workers: int,
    previous: dict | None,
    resume: bool,
    allow_shrink: bool,
    logged: bool,
    progress: LoadProgress | None,
) -> KindResult:
    started = time.monotonic()
    stat = os.stat(path)
    report = reader.new_report(path, kind)
    result = KindResult(kind=kind, report=report)
    if resume and previous and _same_file(previous, path, stat):
        result.status, result.reason = "skipped", "already loaded from this file"
        return result

    def report_progress(bytes_read: int, file_position: int, lines: int) -> None:
        if progress:
            progress(kind, bytes_read, file_position, report.file_bytes, lines)

    tables.create_new_tables(kind)
    cpu_started = time.process_time()
    try:
        if workers:
            (
                result.worker_cpu_seconds,
                result.feeder_wait_seconds,
                result.worker_idle_seconds,
            ) = _read_in_workers(report, workers=workers, progress=report_progress)
            result.cpu_seconds = result.worker_cpu_seconds
        else:
            _read_here(report, progress=report_progress)
        result.cpu_seconds += time.process_time() - cpu_started
        result.parse_seconds = time.monotonic() - started
        refusal = sanity_problem(report, previous=previous, allow_shrink=allow_shrink)
        if refusal:
            raise DumpRefused(refusal)
        index_started = time.monotonic()
        tables.build_indexes(kind, logged=logged)
        tables.swap_in(
            tables.LoadRecord(
                kind=kind,
                source_path=os.path.abspath(path),
                file_bytes=stat.st_size,
                file_mtime=stat.st_mtime,
                bytes_read=report.bytes_read,
                lines=report.lines,
                rows=dict(report.rows),
                bad=dict(report.bad),
                seconds=round(time.monotonic() - started, 3),
            )
        )
        result.index_seconds = time.monotonic() - index_started
    except DumpRefused as exc:
        tables.drop_new_tables(kind)
        result.status, result.reason = "refused", str(exc)
        logger.warning("Open Library dump refused, nothing replaced: %s", exc)
    except BaseException:
        tables.drop_new_tables(kind)
        raise
    result.seconds = time.monotonic() - started
    if result.status == "loaded":
        logger.debug(
            "Loaded %s: %s lines, rows %s, bad lines %s, in %.1f s",
            path,
            report.lines,
            dict(report.rows),
            dict(report.bad),
            result.seconds,
        )
    return result


def _same_file(previous: dict, path: str, stat: os.stat_result) -> bool:
    return (
        previous["source_path"] == os.path.abspath(path)
        and previous["file_bytes"] == stat.st_size
        and abs(previous["file_mtime"] - stat.st_mtime) < 1e-3
    )


def sanity_problem(report: reader.FileReport, *, previous: dict | None, allow_shrink: bool) -> str:
    """Why this file must not replace the loaded data, or "" when it may."""
    rows = report.rows[tables.TABLES_BY_KIND[report.kind][0]]
    if report.truncated:
        return f"{report.path} is cut short: {report.truncated}"
    if rows == 0:
        if report.other_types and not report.bad_lines:
            return (
                f"{report.path} holds no {report.kind} records"
                f" ({report.other_types:,} lines of another type: the wrong file?)"
            )
        if report.bad_lines:  # a CSV export, a web page: no line a dump's
            return (
                f"{report.path} holds no {report.kind} record: none of its {report.lines:,}"
                " lines is an Open Library dump's (type, key, revision, date and JSON,"
                " tab-separated): the wrong file?"
            )
        return f"{report.path} is empty: no {report.kind} record in {report.lines:,} lines"
    if report.lines and report.bad_lines > MAX_BAD_FRACTION * report.lines:
        return (
            f"{report.path}: {report.bad_lines:,} of {report.lines:,} lines are unreadable"
            f" (more than {MAX_BAD_FRACTION:.0%}): {dict(report.bad)}"
        )
    previous_rows = (previous or {}).get("rows", {}).get(tables.TABLES_BY_KIND[report.kind][0])
    if previous_rows and rows < MIN_SHARE_OF_PREVIOUS * previous_rows and not allow_shrink:
        return (
            f"{report.path} has {rows:,} {report.kind} records, under"
            f" {MIN_SHARE_OF_PREVIOUS:.0%} of the {previous_rows:,} loaded now"
            " (allow it with --allow-shrink)"
        )
    return ""


# --- reading in this process (SQLite, or PostgreSQL with workers=0) ---------------------------


def _read_here(report: reader.FileReport, *, progress: reader.Progress) -> None:
    # Millions of short-lived objects and no reference cycles: nothing for the cyclic collector
    # to find, only objects to rescan.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _write_blocks_here(report, progress=progress)
    finally:
        if collecting:
            gc.enable()


def _write_blocks_here(report: reader.FileReport, *, progress: reader.Progress) -> None:
    writer: tables.PostgresCopyWriter | tables.SqliteWriter
    if tables.is_postgres():
        writer = tables.PostgresCopyWriter(tables.copy_params(), report.kind)
    else:
        writer = tables.SqliteWriter(report.kind)
    try:
        for block in reader.parse_file(report, progress=progress):
            writer.write(block.rows)
    except BaseException:
        writer.abort()
        raise
    writer.finish()


# --- reading in worker processes (PostgreSQL) --------------------------------------------------


def _worker(kind: str, params: dict, tasks, results, slot_names: list[str], free_slots) -> None:
    """Parse blocks and COPY their rows; send back each block's counts (not its rows)."""
    gc.disable()  # millions of short-lived rows, no cycles: the collector would only cost time
    writer = None
    idle = 0.0  # waiting for a block: this process (the feeding one) is the bottleneck then
    slots: list[shared_memory.SharedMemory] = []
    try:
        slots = [shared_memory.SharedMemory(name=name) for name in slot_names]
        writer = tables.PostgresCopyWriter(params, kind)
        while True:
            started = time.monotonic()
            task = tasks.get()
            idle += time.monotonic() - started
            if task is None:
                break
            if task[0] == "slot":  # the block is in a slot, this long
                _kind, slot, length, unterminated = task
                data = bytes(slots[slot].buf[:length])
                free_slots.put(slot)  # copied out: the slot takes the next block
            else:
                _kind, data, unterminated = task
            block = reader.parse_block(kind, data, unterminated=unterminated)
            writer.write(block.rows)
            # Only the counts cross the pipe: the rows went to COPY.
            row_counts = {table: len(rows) for table, rows in block.rows.items()}
            block.rows = {}
            results.put(("block", (block, row_counts)))
        writer.finish()
        results.put(("done", (time.process_time(), idle)))
    except BaseException:
        if writer is not None:
            writer.abort()
        results.put(("error", traceback.format_exc()))
    finally:
        for shm in slots:
            shm.close()


class _BlockSlots:
    """Shared memory the blocks cross to the workers in: a slot is filled here, handed out by
    its number, and given back by the worker that copied it out. Pickled through a pipe, each
    block was copied four times: 1.7 CPU-s per GB on the two sides, a seventh of the load's
    CPU. Without shared memory (no /dev/shm), every block goes through the pipe."""

    #: A block and the start of a line it cut (a longer one goes through the pipe).
    size = reader.BLOCK_BYTES + (1 << 20)

    def __init__(self, *, count: int, free_slots):
        self.free_slots = free_slots
        self.segments: list[shared_memory.SharedMemory] = []
        try:
            for number in range(count):
                segment = shared_memory.SharedMemory(create=True, size=self.size)
                self.segments.append(segment)
                # /dev/shm grants pages only when written: when it is full (a container's
                # 64 MB, shared with PostgreSQL), the first write would kill this process with
                # SIGBUS. Reserved now, a full one is an OSError here, and blocks take the pipe.
                if hasattr(os, "posix_fallocate"):
                    os.posix_fallocate(segment._fd, 0, self.size)  # type: ignore[attr-defined]
                free_slots.put(number)
        except OSError as exc:
            logger.info("No shared memory for the dump's blocks (%s): through pipes", exc)
            self.release()
        self.names = [segment.name for segment in self.segments]

    def take(self, timeout: float | None) -> int:
        """A free slot's number (waiting up to `timeout`, None: not at all); raises
        queue.Empty when every slot still holds a block."""
        return self.free_slots.get(block=timeout is not None, timeout=timeout)

    def fill(self, slot: int, block: reader.RawBlock) -> None:
        buffer = self.segments[slot].buf
        assert buffer is not None  # mapped until release()
        head, body = block.buffers()
        buffer[: len(head)] = head
        buffer[len(head) : len(block)] = body

    def release(self) -> None:
        for segment in self.segments:
            segment.close()
            segment.unlink()
        self.segments = []


def _process_context():
    """A fork server where there is one: workers start in milliseconds and inherit no database
    connection or thread from this process (a plain fork would); else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["enrichment.dump.loader"])
        return context
    return multiprocessing.get_context("spawn")


def _read_in_workers(
    report: reader.FileReport, *, workers: int, progress: reader.Progress
) -> tuple[float, float, float]:
    """Hand the file's blocks to `workers` processes; returns the CPU seconds they used, the
    seconds this process waited for one of them to take a block, and the seconds they waited
    for blocks (summed over the workers)."""
    context = _process_context()
    slots = _BlockSlots(count=workers * 2 + 1, free_slots=context.Queue())
    tasks = context.Queue(maxsize=workers * 2 + 1)
    results = context.Queue()
    params = tables.copy_params()
    processes = [
        context.Process(
            target=_worker,
            args=(report.kind, params, tasks, results, slots.names, slots.free_slots),
            daemon=True,
        )
        for _ in range(workers)
    ]
    try:
        for process in processes:
            process.start()
        return _feed_workers(report, processes, tasks, results, slots, progress=progress)
    finally:
        slots.release()


def _feed_workers(
    report: reader.FileReport,
    processes: list,
    tasks,
    results,
    slots: _BlockSlots,
    *,
    progress: reader.Progress,
) -> tuple[float, float, float]:
    """Inflate the file and hand its blocks out (in slots, or through the pipe); what
    `_read_in_workers` returns."""
    workers = len(processes)
    finished = 0
    worker_cpu = 0.0
    waited = 0.0
    idle = 0.0

    def collect(block_until_done: bool) -> None:
        nonlocal finished, worker_cpu, idle
        while True:
            try:
                message, value = results.get(timeout=WORKER_TIMEOUT if block_until_done else 0)
            except queue.Empty:
                if block_until_done:
                    raise RuntimeError("a dump worker stopped answering") from None
                return
            if message == "error":
                raise RuntimeError(f"a dump worker failed:\n{value}")
            if message == "done":
                finished += 1
                worker_cpu += value[0]
                idle += value[1]
                if block_until_done and finished == workers:
                    return
                continue
            _count_counts(report, *value)

    def wait_for(step: Callable[[float | None], object]):
        """What `step(timeout)` gives (a place in the queue, a free slot), waiting while it
        raises queue.Full / queue.Empty: the time waited is the workers' (they are behind),
        and a worker that died or failed meanwhile stops the load."""
        nonlocal waited
        try:
            return step(None)
        except (queue.Full, queue.Empty):
            pass
        while True:
            started = time.monotonic()
            try:
                return step(1.0)
            except (queue.Full, queue.Empty):
                pass
            finally:
                waited += time.monotonic() - started
            collect(block_until_done=False)
            if not all(process.is_alive() for process in processes):
                collect(block_until_done=False)
                raise RuntimeError("a dump worker died") from None

    def hand_out(task) -> None:
        wait_for(lambda timeout: tasks.put(task, block=timeout is not None, timeout=timeout))

    def hand_out_block(block: reader.RawBlock) -> None:
        if not slots.segments or len(block) > slots.size:  # no slots, a line of megabytes
            hand_out(("data", block.tobytes(), block.unterminated))
            return
        slot = wait_for(slots.take)
        slots.fill(slot, block)
        hand_out(("slot", slot, len(block), block.unterminated))

    try:
        # The progress's lines are those the workers have parsed (`collect` counts them): a
        # count of each block's lines here cost this process a scan of every block.
        for block in reader.read_blocks(report.path, report, progress=progress):
            hand_out_block(block)
            collect(block_until_done=False)
        for _ in processes:
            hand_out(None)
        collect(block_until_done=True)
        progress(report.bytes_read, report.file_bytes, report.lines)  # every line parsed
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in processes:
            process.join(timeout=30)
        tasks.close()
        results.close()
    return worker_cpu, waited, idle


def _count_counts(
    report: reader.FileReport, block: reader.ParsedBlock, row_counts: dict[str, int]
) -> None:
    """A worker's block (without its rows) and how many rows each table got."""
    report.lines += block.lines
    report.bad.update(block.bad)
    report.odd_fields.update(block.odd_fields)
    report.other_types += block.other_types
    for table, count in row_counts.items():
        report.rows[table] += count
    if block.bad[reader.BAD_UNFINISHED]:
        report.truncated = report.truncated or "the last line is cut short"
