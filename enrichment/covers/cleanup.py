"""Deleting stored covers nothing uses any more (the original and both thumbnails).

Covers are named by the SHA-256 of their bytes and shared: two books showing the same image
hold one set of files. So a file is deleted only when no work, edition or author photo holds its
hash any more, and no audit entry could still put it back ("Revert these changes" restores the
cover an entry replaced, by name: that file must still be there). That happens when a revert
takes a cover off, or when the work, edition or author that held it is deleted (their audit
entries go with them).

The check and the deletes run after the transaction commits, so a rolled-back change deletes
nothing, and a failure to delete (storage down) leaves an unused file, never a missing one.

A cover step writes its files before it saves the row that shows them: a CoverWrite records
the write meanwhile, so the files of a step that failed (deleted at once) or whose worker
stopped (deleted by the cover sweep) are not left for no row; a hash being written is in use.
"""

import contextlib
import functools
import logging
from collections.abc import Iterable, Iterator

from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete
from django.dispatch import receiver

from catalog.models import Author, Edition, Work
from enrichment.covers.store import StoredCover, cover_names, stored_files_delete, stored_sha256
from enrichment.models import AuditLogEntry, CoverWrite

logger = logging.getLogger(__name__)
#: The extensions a stored original may have (render.stored_format).
ORIGINAL_EXTENSIONS = (".jpg", ".png")
_PENDING_ATTRIBUTE = "_cover_sha256s_to_check"
#: Hashes checked per round of queries (each IN list holds at most twice as many names).
CHECK_BATCH = 400


def original_names(sha256: str) -> list[str]:
    """The names the original of a cover with this hash may have (.jpg or .png)."""
    return [cover_names(sha256, original_extension=ext).original for ext in ORIGINAL_EXTENSIONS]


def stored_cover_files(sha256: str) -> list[str]:
    """Every name a cover with this hash may be stored under: its original and thumbnails."""
    names = cover_names(sha256)
    return [*original_names(sha256), names.small, names.medium]


def cover_sha256s_in_use(
    sha256s: Iterable[str], *, writes_excluded: Iterable[int] = ()
) -> set[str]:
    """Those of these hashes that a work, edition or author photo shows, that an audit entry
    not yet reverted could put back, or whose files a cover step is writing now (a CoverWrite,
    but those of `writes_excluded`)."""
    from enrichment.revert import REVERTIBLE  # revert calls this module

    wanted = set(sha256s)
    used = set(Work.objects.filter(cover_sha256__in=wanted).values_list("cover_sha256", flat=True))
    used |= set(
        Edition.objects.filter(cover_sha256__in=wanted).values_list("cover_sha256", flat=True)
    )
    used |= set(
        Author.objects.filter(photo_sha256__in=wanted).values_list("photo_sha256", flat=True)
    )
    # An entry records the cover it replaced by its original's name.
    originals = {name: sha256 for sha256 in wanted - used for name in original_names(sha256)}
    if originals:
        cover_reverted = AuditLogEntry.objects.filter(
            reverts=OuterRef("pk"), changes__has_key="cover"
        )
        revertible_names = (
            AuditLogEntry.objects.filter(action__in=REVERTIBLE, changes__cover__old__in=originals)
            .exclude(Exists(cover_reverted))
            .values_list("changes__cover__old", flat=True)
        )
        used |= {originals[name] for name in revertible_names if name in originals}
    writing = CoverWrite.objects.filter(sha256__in=wanted - used)
    used |= set(writing.exclude(pk__in=list(writes_excluded)).values_list("sha256", flat=True))
    return used


def cover_sha256s_deleted(names: Iterable[str], *, storage: Storage | None = None) -> set[str]:
    """The hashes of these stored names whose files were deleted because nothing used them any
    more (a cover a revert took off, as the audit log still names it). Storage is asked only
    about those unused: a delete that failed left the file, which is then still shown."""
    storage = storages["default"] if storage is None else storage
    wanted = {sha256 for name in names if (sha256 := stored_sha256(name or ""))}
    unused = wanted - cover_sha256s_in_use(wanted) if wanted else set()
    return {sha256 for sha256 in unused if not storage.exists(cover_names(sha256).small)}


def cover_files_delete_unused(
    *, sha256s: Iterable[str], storage: Storage | None = None
) -> set[str]:
    """Delete the files of each of these covers that nothing uses any more (see the module's
    docstring); returns the hashes whose files were deleted."""
    storage = storages["default"] if storage is None else storage
    wanted = sorted({sha256 for sha256 in sha256s if sha256})
    unused: set[str] = set()
    for start in range(0, len(wanted), CHECK_BATCH):  # a bulk delete: bounded IN lists
        batch = set(wanted[start : start + CHECK_BATCH])
        unused |= batch - cover_sha256s_in_use(batch)
    for sha256 in sorted(unused):
        for name in stored_cover_files(sha256):
            storage.delete(name)  # a name that is not there is no error (S3, filesystem)
    if unused:
        logger.info("Deleted the files of %s covers nothing uses any more", len(unused))
    return unused


def cover_files_delete_unused_on_commit(*, sha256s: Iterable[str]) -> None:
    """After the current transaction commits, delete these covers' files if nothing uses them.
    The hashes of one transaction are checked together (a deleted work and its editions)."""
    wanted = {sha256 for sha256 in sha256s if sha256}
    if not wanted:
        return
    connection = transaction.get_connection()
    # Kept on the connection (one per thread) until a commit's callback takes them all; left
    # there by a rollback, they are checked with the next commit's, which is harmless.
    pending = connection.__dict__.setdefault(_PENDING_ATTRIBUTE, set())
    pending |= wanted
    transaction.on_commit(functools.partial(_delete_pending, connection))


@contextlib.contextmanager
def cover_files_kept_only_if_saved(
    *, sha256: str, storage: Storage | None = None
) -> Iterator[list[StoredCover]]:
    """Around a transaction that stores the image of this hash (append its StoredCover to the
    list given) and saves the row showing it, so that no file is left that no row points to.

    A CoverWrite is committed first: a worker stopped inside (killed, out of memory) leaves a
    record of what it wrote, which the cover sweep deletes (cover_writes_abandoned_delete).
    When the block fails here (a write refused, the commit itself), the files it wrote are
    deleted at once, unless a row holds their hash (another book took the same image). The
    next try stores them again. No hash (no image to store): nothing is recorded."""
    if not sha256:
        yield []
        return
    write = CoverWrite.objects.create(sha256=sha256)
    stored: list[StoredCover] = []
    try:
        yield stored
    except BaseException:
        _failed_write_undo(write, [cover for cover in stored if cover.written], storage=storage)
        raise
    CoverWrite.objects.filter(pk=write.pk).delete()


def _failed_write_undo(write: CoverWrite, written: list[StoredCover], *, storage) -> None:
    try:
        if written:
            used = cover_sha256s_in_use({c.sha256 for c in written}, writes_excluded=[write.pk])
            names = [name for c in written if c.sha256 not in used for name in c.written]
            stored_files_delete(names, storage=storage)
        CoverWrite.objects.filter(pk=write.pk).delete()
    except Exception:  # the database is gone too: the sweep deletes them once the write is old
        logger.warning("Could not delete the files of a cover not saved", exc_info=True)


def cover_writes_abandoned_delete(*, before, storage: Storage | None = None) -> int:
    """Delete the files of covers whose write started before `before` (no live cover step
    takes that long: its worker stopped between writing them and saving their row) unless a
    row shows them or a live write stores them again; returns the writes cleared."""
    abandoned = dict(
        CoverWrite.objects.filter(started_at__lt=before)
        .order_by("pk")
        .values_list("pk", "sha256")[:CHECK_BATCH]
    )
    if not abandoned:
        return 0
    sha256s = set(abandoned.values())
    unused = sha256s - cover_sha256s_in_use(sha256s, writes_excluded=list(abandoned))
    storage = storages["default"] if storage is None else storage
    stored_files_delete(
        [name for sha256 in sorted(unused) for name in stored_cover_files(sha256)], storage=storage
    )
    CoverWrite.objects.filter(pk__in=list(abandoned)).delete()
    if unused:
        logger.warning("Deleted the files of %s covers whose workers stopped", len(unused))
    return len(abandoned)


def _delete_pending(connection) -> None:
    sha256s = connection.__dict__.pop(_PENDING_ATTRIBUTE, set())
    if not sha256s:
        return
    try:
        cover_files_delete_unused(sha256s=sha256s)
    except Exception:  # an unused file left behind is harmless; the change is committed
        logger.exception("Could not delete the files of %s unused covers", len(sha256s))


# Works, editions and authors are deleted from the admin, the shell and the API, in catalog,
# which knows nothing of enrichment: the delete signal is the one place that sees them all.
@receiver(post_delete, sender=Work, dispatch_uid="cover_files_work_deleted")
@receiver(post_delete, sender=Edition, dispatch_uid="cover_files_edition_deleted")
def _cover_holder_deleted(sender, instance, **kwargs):
    cover_files_delete_unused_on_commit(sha256s=[instance.cover_sha256])


@receiver(post_delete, sender=Author, dispatch_uid="cover_files_author_deleted")
def _photo_holder_deleted(sender, instance, **kwargs):
    cover_files_delete_unused_on_commit(sha256s=[instance.photo_sha256])
