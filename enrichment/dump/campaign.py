"""The cover campaign: the catalog's editions without a cover, mapped to covers through the
loaded dump's ISBN -> edition -> work -> sibling chain, in batches (`manage.py dump_campaign`).

The product has no table of "a cover candidate per edition": a cover a provider offers for a
book is a proposal of an enrichment request. So each cover found is written the way the engine
writes one: an `EnrichmentRequest` of the edition's work (and that edition), waiting for review
(`needs_review`), whose proposal offers the Open Library cover ids (`ProposedCover`, large and
medium) and whose match details list the dump's record with the chain step that gave the cover
("cover from the work OL…W"). Nothing is downloaded: approving the request (or its safe
proposal) downloads and verifies the cover, as for any other request. The confidence is left
blank: the ISBN is the only thing compared (no title or author score).

Which editions: those with an ISBN-13, without a cover of their own or of their work, and with
no request pending, in progress or waiting for review (a second run skips what the first wrote,
and an enrichment in flight is left alone). One transaction per batch; keyset paging by edition
id, so a batch costs the same at the end of a 4-million-row catalog as at its start.
"""

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone

from catalog.models import Edition, Work
from enrichment.dump import lookup, tables
from enrichment.models import EnrichmentRequest
from enrichment.proposals import CandidateSeen, MatchDetails, Proposal, ProposedCover
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.openlibrary_dump import (
    MAX_COVERS,
    OpenLibraryDumpProvider,
    chain_note,
    cover_refs,
)

DEFAULT_BATCH_SIZE = 1000
#: Requests in these statuses hold an edition: the campaign does not write another beside them.
HOLDING_STATUSES = (
    EnrichmentRequest.Status.PENDING,
    EnrichmentRequest.Status.IN_PROGRESS,
    EnrichmentRequest.Status.NEEDS_REVIEW,
)
STEPS = (lookup.COVER_FROM_EDITION, lookup.COVER_FROM_WORK, lookup.COVER_FROM_SIBLING)


@dataclass(slots=True)
class CampaignSummary:
    editions: int = 0  # catalog editions examined (an ISBN, no cover, no request holding them)
    found: int = 0  # held by the dump
    covers: int = 0  # a cover found: a request written
    by_step: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    no_cover: int = 0  # in the dump, but no step of the chain has a cover
    not_in_dump: int = 0
    batches: int = 0
    seconds: float = 0.0
    # Where the time went: reading the catalog, the dump's SQL, building the rows, writing them.
    select_seconds: float = 0.0
    lookup_seconds: float = 0.0
    build_seconds: float = 0.0
    write_seconds: float = 0.0
    dump_loaded: bool = True

    @property
    def rate(self) -> float:
        return self.editions / self.seconds if self.seconds else 0.0

    def to_json(self) -> dict:
        data = asdict(self)
        data["editions_per_second"] = round(self.rate, 1)
        for name in ("seconds", "select_seconds", "lookup_seconds", "build_seconds"):
            data[name] = round(data[name], 3)
        data["write_seconds"] = round(data["write_seconds"], 3)
        return data


#: progress(editions examined so far, requests written so far)
CampaignProgress = Callable[[int, int], None]


def dump_campaign(
    *, batch_size: int = DEFAULT_BATCH_SIZE, progress: CampaignProgress | None = None
) -> CampaignSummary:
    """Run the campaign over every edition it applies to; returns the counts and timings."""
    started = time.monotonic()
    summary = CampaignSummary()
    present = lookup.dump_tables_present()
    if not lookup.dump_is_loaded(present):
        summary.dump_loaded = False
        return summary
    writer = _RequestWriter()
    after = 0
    while True:
        tick = time.monotonic()
        batch = _editions_after(after, batch_size)
        summary.select_seconds += time.monotonic() - tick
        if not batch:
            break
        after = batch[-1][0]
        tick = time.monotonic()
        found = lookup.covers_by_isbn([isbn13 for _id, _work, isbn13 in batch], present=present)
        summary.lookup_seconds += time.monotonic() - tick
        tick = time.monotonic()
        rows = []
        for edition_id, work_id, isbn13 in batch:
            cover = found.get(isbn13)
            if cover is None:
                summary.not_in_dump += 1
            elif not cover.cover_from:
                summary.no_cover += 1
            else:
                summary.by_step[cover.cover_from] += 1
                rows.append(writer.row(work_id, edition_id, isbn13, cover))
        summary.build_seconds += time.monotonic() - tick
        tick = time.monotonic()
        writer.write(rows)
        summary.write_seconds += time.monotonic() - tick
        summary.editions += len(batch)
        summary.covers += len(rows)
        summary.batches += 1
        if progress:
            progress(summary.editions, summary.covers)
    summary.found = summary.editions - summary.not_in_dump
    summary.seconds = time.monotonic() - started
    return summary


def _editions_after(after: int, limit: int) -> list[tuple[int, int, str]]:
    """The next `limit` editions (id, work id, ISBN-13) the campaign applies to, by id."""
    edition, work = Edition._meta.db_table, Work._meta.db_table
    request = EnrichmentRequest._meta.db_table
    holding = ", ".join(f"'{status}'" for status in HOLDING_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT e.id, e.work_id, e.isbn13 FROM {edition} e"
            f" JOIN {work} w ON w.id = e.work_id"
            " WHERE e.id > %s AND e.isbn13 IS NOT NULL AND e.cover = '' AND w.cover = ''"
            f" AND NOT EXISTS (SELECT 1 FROM {request} r WHERE r.edition_id = e.id"
            # Redundant, but without it PostgreSQL's merge anti join reads the requests'
            # edition index from its start every batch: 0.8 s a batch 800,000 editions in.
            f"  AND r.edition_id > %s AND r.status IN ({holding}))"
            " ORDER BY e.id LIMIT %s",
            [after, after, limit],
        )
        return cursor.fetchall()


class _RequestWriter:
    """Rows of enrichment requests, written a batch at a time (COPY on PostgreSQL, executemany
    on SQLite). Every column but the four that differ is prepared once from a model instance,
    so the model's defaults stay the model's; the proposal and match details are the product's
    own JSON (`Proposal.to_json`, `MatchDetails.to_json`), built once per shape of answer (how
    many cover ids, which step, with or without a work) with tokens in place of the numbers,
    which each row fills in: building them per row cost 320 µs an edition, this costs a few."""

    VARYING = ("work", "edition", "proposal", "match_details")

    def __init__(self):
        now = timezone.now()
        template = EnrichmentRequest(
            trigger=EnrichmentRequest.Trigger.DUMP_CAMPAIGN,
            status=EnrichmentRequest.Status.NEEDS_REVIEW,
            wants_cover=True,
            wants_metadata=False,
            providers_attempted=[OpenLibraryDumpProvider.name],
            queued_at=now,
            finished_at=now,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        self.table = constant_columns(template, varying=self.VARYING)
        self.base_url = OpenLibraryProvider.configured_url()
        self._shapes: dict[tuple, tuple[list[str], list[str]]] = {}

    def row(self, work_id: int, edition_id: int, isbn13: str, cover: lookup.CoverFound) -> tuple:
        """(work id, edition id, proposal JSON, match details JSON) of one request."""
        count = min(len(cover.cover_ids), MAX_COVERS)
        shape = (count, cover.cover_from, cover.work_id is not None)
        templates = self._shapes.get(shape) or self._shape(shape)
        values = {
            "E": str(cover.edition_id),
            "W": str(cover.work_id),
            "S": str(cover.cover_edition_id),
            "I": isbn13,
        }
        for n in range(count):
            values[f"C{n}"] = str(cover.cover_ids[n])
        proposal, details = (
            "".join([part if n % 2 == 0 else values[part] for n, part in enumerate(parts)])
            for parts in templates
        )
        return (work_id, edition_id, proposal, details)

    def _shape(self, shape: tuple) -> tuple[list[str], list[str]]:
        """The proposal and match details of one shape of answer, as JSON split at its tokens
        ([text, token, text, token, …, text])."""
        count, cover_from, has_work = shape
        token = "@@{}@@".format
        cover_ids: list = [token(f"C{n}") for n in range(count)]  # formatted like numbers
        proposal = Proposal(
            cover=ProposedCover(proposed=cover_refs(cover_ids), source=OpenLibraryDumpProvider.name)
        )
        edition_key = f"OL{token('E')}M"
        ids = {"openlibrary_edition": edition_key}
        if has_work:
            ids["openlibrary_work"] = f"OL{token('W')}W"
        note = chain_note(
            work_id=token("W"),
            cover_from=cover_from,
            cover_edition_id=token("S"),
        )
        details = MatchDetails(
            candidates=[
                CandidateSeen(
                    provider=OpenLibraryDumpProvider.name,
                    ids=ids,
                    isbn13=[token("I")],
                    source_url=f"{self.base_url}/books/{edition_key}",
                    notes=[note],
                    # The record holds our ISBN: the ISBN agrees (titles were not compared).
                    isbn_score=5,
                )
            ],
            answered=[OpenLibraryDumpProvider.name],
        )
        templates = (
            _TOKEN.split(json.dumps(proposal.to_json())),
            _TOKEN.split(json.dumps(details.to_json())),
        )
        self._shapes[shape] = templates
        return templates

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        table, columns = self.table.table, ", ".join(self.table.columns)
        with transaction.atomic(), connection.cursor() as cursor:
            if tables.is_postgres():
                prefix = self.table.copy_prefix
                text = "".join(
                    f"{prefix}{work_id}\t{edition_id}\t{_copy_escape(proposal)}"
                    f"\t{_copy_escape(details)}\n"
                    for work_id, edition_id, proposal, details in rows
                )
                # psycopg's own cursor: COPY, in text format, the rows preformatted.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text)
            else:
                placeholders = ", ".join(["%s"] * len(self.table.columns))
                constants = self.table.constants
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                    [constants + row for row in rows],
                )


_TOKEN = re.compile(r"@@(\w+)@@")


@dataclass(frozen=True, slots=True)
class ConstantColumns:
    """A model's columns for bulk rows that differ only in a few: the constants first, prepared
    once (COPY text too), then the varying ones, in the order each row gives them."""

    table: str
    columns: list[str]
    constants: tuple
    copy_prefix: str  # the constants in COPY's text format, each followed by a tab


def constant_columns(template: Model, *, varying: Sequence[str]) -> ConstantColumns:
    """The columns of `template`'s model (all but the generated ones, and the primary key
    unless it is among `varying`), the other fields' values taken from `template` as the
    model prepares them for the database."""
    meta = template._meta
    fields = {
        f.name: f
        for f in meta.concrete_fields
        if not getattr(f, "generated", False) and (not f.primary_key or f.name in varying)
    }
    constant_names = [name for name in fields if name not in varying]
    constants = tuple(
        _prepared(fields[name], getattr(template, fields[name].attname)) for name in constant_names
    )
    return ConstantColumns(
        table=meta.db_table,
        columns=[fields[name].column for name in (*constant_names, *varying)],
        constants=constants,
        copy_prefix="".join(f"{_copy_text(value)}\t" for value in constants),
    )


def _prepared(model_field, value):
    if isinstance(model_field, JSONField):
        return json.dumps(value)
    value = model_field.get_db_prep_save(value, connection)
    return str(value) if isinstance(value, str) else value  # TextChoices: their value


def _copy_escape(text: str) -> str:
    """COPY's text format: a backslash is doubled (JSON writes tabs and newlines escaped)."""
    return text.replace("\\", "\\\\") if "\\" in text else text


def _copy_text(value) -> str:
    """A constant column's value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return _copy_escape(str(value)).replace("\t", "\\t").replace("\n", "\\n")
