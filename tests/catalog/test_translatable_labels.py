"""Choice labels and verbose names go through gettext_lazy, so `makemessages` finds them and the
admin shows them in the librarian's language."""

import pytest
from django.utils.functional import Promise

from catalog.models import Edition, ImportJob, ImportRow, Work, WorkAuthor
from enrichment.models import (
    AuditLogEntry,
    BulkOperation,
    EnrichmentRequest,
    ProviderState,
    SourceRecord,
)

CHOICES = [
    Work.EnrichmentStatus,
    WorkAuthor.Role,
    Edition.Format,
    Edition.DatePrecision,
    ImportJob.Status,
    ImportRow.Status,
    EnrichmentRequest.Status,
    EnrichmentRequest.Trigger,
    EnrichmentRequest.Confidence,
    EnrichmentRequest.CoverStatus,
    AuditLogEntry.Action,
    BulkOperation.Action,
    BulkOperation.Status,
    ProviderState.Breaker,
    SourceRecord.Status,
]


@pytest.mark.parametrize("choices", CHOICES, ids=lambda c: c.__qualname__)
def test_choice_labels_are_translatable(choices):
    assert all(isinstance(label, Promise) for _, label in choices.choices)


def test_verbose_names_are_translatable():
    for field in ("isbn13", "asin", "openlibrary_edition_key"):
        assert isinstance(Edition._meta.get_field(field).verbose_name, Promise)
    assert isinstance(ImportJob._meta.get_field("enqueued_count").verbose_name, Promise)
