"""The record of a cover's files being written (imported by enrichment.models): the files are
written before the row that shows them is saved, so a worker stopped between the two (killed,
out of memory, its machine gone) leaves files no row points to. This record, committed before
the first file is written and deleted once the row is saved, says which."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CoverWrite(models.Model):
    """One cover step storing an image (enrichment.covers.cleanup.cover_files_kept_only_if_saved).
    One older than a cover step may take was left by a stopped worker: the cover sweep deletes
    its files unless a row shows them (cleanup.cover_writes_abandoned_delete)."""

    sha256 = models.CharField(max_length=64, db_index=True, help_text=_("The image's hash."))
    started_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.sha256
