"""The catalog's models, by concern (as django.contrib.admin splits its modules): what they share
(`bases`), the books (`books`: works, editions, authors, series, credits) and the imports
(`imports`). Everything is imported from `catalog.models`, as before the split."""

from catalog.models.bases import CoverFields, EnrichmentStatus, TimeStampedModel, TimeStampedPart
from catalog.models.books import Author, Edition, Work, WorkAuthor, WorkSeries
from catalog.models.imports import ImportJob, ImportRow

__all__ = [
    "Author",
    "CoverFields",
    "Edition",
    "EnrichmentStatus",
    "ImportJob",
    "ImportRow",
    "TimeStampedModel",
    "TimeStampedPart",
    "Work",
    "WorkAuthor",
    "WorkSeries",
]
