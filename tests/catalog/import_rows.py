"""Synthetic Goodreads rows and files for the import tests, and an import run end to end.

Every row is synthetic, written in the shape of the real exports; no value is copied from
someone's file."""

import csv
import io

from catalog import services
from catalog.importers import importer_for
from catalog.importers.base import NormalizedRow
from catalog.models import ImportJob
from tests.catalog.test_importers import GOODREADS_24

HEADER = GOODREADS_24.split(",")
COLUMN = {name: index for index, name in enumerate(HEADER)}


def goodreads_row(**cells: str) -> list[str]:
    """A synthetic Goodreads 24-column row: cells by column name, the others empty."""
    row = [""] * len(HEADER)
    for name, value in cells.items():
        row[COLUMN[name.replace("_", " ")]] = value
    return row


def goodreads_file(*rows: list[str], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def read_one(**cells: str) -> NormalizedRow:
    importer = importer_for(HEADER)
    return importer.read_row(goodreads_row(**cells))


def run_import(data: bytes, **kwargs) -> ImportJob:
    job = services.import_job_create(data=data, filename="synthetic-export.csv", **kwargs)
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job
