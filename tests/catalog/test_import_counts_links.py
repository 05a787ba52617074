"""An import job's page counts its rows by what they became, each count a link to those rows:
a count of 0 is no link, where "updated 0" led to an empty list."""

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import ImportJob

pytestmark = pytest.mark.django_db


def counts_html(client, job: ImportJob) -> str:
    page = client.get(reverse("admin:catalog_importjob_change", args=[job.pk])).content.decode()
    return re.search(r'<p class="import-counts">(.*?)</p>', page, re.S).group(1)


def test_a_count_of_zero_is_no_link_to_an_empty_list(client):
    job = ImportJob.objects.create(
        original_filename="reading.csv",
        status="completed",
        rows_total=3,
        rows_processed=3,
        created_count=2,
        failed_count=1,
    )
    client.force_login(User.objects.create_superuser("boss", password="pw"))

    counts = counts_html(client, job)
    linked = set(re.findall(r"status__exact=(\w+)", counts))
    assert linked == {"created", "failed"}
    assert "warnings=yes" not in counts  # no row warned
    for label in ("updated", "duplicates", "with warnings"):
        assert re.search(rf"{label} <strong[^>]*>0</strong>", counts), label
