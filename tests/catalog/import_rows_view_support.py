"""Shared by the import rows view tests: a synthetic Goodreads-shaped export, users with
the import permissions, a finished job with one row of each outcome, and the admin's URLs."""

import csv
import io
import re

from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from catalog import services
from catalog.models import ImportJob
from tests.catalog.test_importers import GOODREADS_24

HEADER = GOODREADS_24.split(",")
ROWS_URL = reverse("admin:catalog_importrow_changelist")
touched_work_ids: list[list[int]] = []


def record_enrichment(*, work_ids, trigger):
    touched_work_ids.append(sorted(work_ids))
    return len(work_ids)


def synthetic_export(*rows: dict[str, str]) -> bytes:
    """A Goodreads-shaped CSV from {column: value} rows; quoting done by the csv module."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(column, "") for column in HEADER])
    return out.getvalue().encode()


def user_with(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def librarian(username: str = "carol") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def run(data: bytes, uploaded_by=None) -> ImportJob:
    job = services.import_job_create(
        data=data, filename="synthetic-export.csv", uploaded_by=uploaded_by, enrich=False
    )
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


def lines_listed(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="field-line"><a href="[^"]+">(\d+)</a>', page)]


def rows_page(client, **params) -> str:
    response = client.get(ROWS_URL, params)
    assert response.status_code == 200
    return response.content.decode()


def job_page(client, job) -> str:
    response = client.get(reverse("admin:catalog_importjob_change", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def local_datetime(value) -> str:
    """A date and time as the admin shows it: localized, in the site's time zone."""
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def rerun_url(row) -> str:
    return reverse("admin:catalog_importrow_rerun", args=[row.pk])


def fixed(row, **cells_by_column) -> list[str]:
    """The row's cells with some columns replaced, as the service takes them."""
    data = corrected(row, **cells_by_column)
    return [data[f"cell_{i}"] for i in range(len(HEADER))]


def corrected(row, **cells_by_column) -> dict[str, str]:
    """The form's fields: the row's cells, with some columns replaced."""
    data = {f"cell_{i}": (row.raw[i] if i < len(row.raw) else "") for i in range(len(HEADER))}
    for column, value in cells_by_column.items():
        data[f"cell_{HEADER.index(column.replace('_', ' '))}"] = value
    return data
