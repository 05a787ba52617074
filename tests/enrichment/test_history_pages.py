"""The History a librarian reads: a request's History rows and the audit log say what happened to a
proposal (a reviewer dismissed it, or a re-run superseded it: request_status.audit_action_label);
a merged duplicate author's History shows the merge that redirected it, and its revert."""

import io
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from PIL import Image

from catalog.models import Author, Edition, Work
from enrichment import author_merges, cover_apply, queue, revert, review
from enrichment.candidates import CoverRef
from enrichment.covers import choose
from enrichment.history import history_record, history_rows_as_entries_say
from enrichment.matching import Tier
from enrichment.models import AuditLogEntry, AuthorMerge, EnrichmentRequest
from tests.enrichment.test_audit_merge_revert import merged
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import AUDIT_URL, change_url, librarian
from tests.enrichment.test_work_page import text_of
from tests.enrichment.test_work_status_taken_back import auto_applied
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def history_rows(page: str) -> list[str]:
    """The request page's History rows, each as text."""
    table = re.search(r'<table class="review-history">(.*?)</table>', page, re.S)
    assert table, page
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_a_proposal_a_rerun_replaced_reads_superseded_not_dismissed(client):
    user = librarian()
    superseded = needs_review()
    queue.works_enqueue_enrichment(
        work_ids=[superseded.work_id], dispatch=False, supersede_review=True, actor=user
    )
    dismissed = needs_review(title="Stardust")
    review.request_dismiss(request=dismissed, actor=user, reason="another edition")
    newer = EnrichmentRequest.objects.get(work=superseded.work_id, status="pending")
    client.force_login(user)

    (row,) = history_rows(client.get(change_url(superseded)).content.decode())
    assert "Superseded by a re-run" in row and "Dismissed" not in row, row
    assert f"Superseded by request #{newer.pk}: enrichment was run again." in row
    (row,) = history_rows(client.get(change_url(dismissed)).content.decode())
    assert "Dismissed" in row and "Superseded" not in row and "another edition" in row, row

    listed = client.get(AUDIT_URL, {"action__exact": "dismiss"}).content.decode()
    badges = re.findall(r'<span class="status-badge"[^>]*>([^<]*)<', listed)
    assert sorted(badges) == ["Dismissed", "Superseded by a re-run"], badges
    entry = AuditLogEntry.objects.get(request=superseded)
    page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert "Superseded by a re-run on “Neverwhere” at " in page.content.decode()


def history_of(client, author) -> list[str]:
    """An author's History page's rows (when, who, what), each as text."""
    page = client.get(reverse("admin:catalog_author_history", args=[author.pk]))
    assert page.status_code == 200
    body = re.search(r"<tbody>(.*?)</tbody>", page.content.decode(), re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []
    return [text_of(row).strip() for row in rows]


def test_a_merged_duplicates_history_shows_the_merge_and_its_revert(client):
    """history_record writes the merge in the kept author's History: the duplicate's said "This
    object doesn't have a change history" though the merge moved its credits and made it a
    redirect."""
    user = librarian()
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    entry = merged(kept, duplicate)
    merged(make_author("Someone Else"), make_author("S. Else"))  # another author's merge
    client.force_login(user)

    (row,) = history_of(client, duplicate)
    assert "enrichment-worker" in row, row
    # What moved, counted: it said "its credits and ids moved there" where no id had.
    assert row.endswith(
        "Merged into Ursula K. Le Guin by the enrichment worker: its 1 credit moved there; it "
        f"redirects there (enrichment audit entry #{entry.pk})."
    ), row

    undo = revert.audit_revert(entry=entry, actor=user).revert_entry
    merge_row, revert_row = history_of(client, duplicate)
    assert "Merged into Ursula K. Le Guin" in merge_row
    assert " libby " in revert_row  # the user column: who reverted it
    assert (
        "Its merge into Ursula K. Le Guin was reverted by libby: its 1 credit came back to it; "
        "it is an author of its own again" in revert_row
    ), revert_row
    assert f"#{undo.pk}, which reverts #{entry.pk}" in revert_row
    # The kept author's History keeps its own rows, once each.
    assert len(history_of(client, kept)) == 2


def test_an_entry_a_rerun_recorded_names_itself_superseded_not_dismissed(client):
    """Its one line (__str__: the admin's titles and lists) said "Dismissed on 12 at …" where its
    page and the log said "Superseded by a re-run" (request_status.audit_action_label)."""
    user = librarian()
    superseded, dismissed = needs_review(), needs_review(title="Stardust")
    review.request_rerun(request=superseded, actor=user)
    review.request_dismiss(request=dismissed, actor=user)

    entry = AuditLogEntry.objects.get(request=superseded, action="dismiss")
    assert str(entry).startswith("Superseded by a re-run on “Neverwhere” at "), str(entry)
    other = AuditLogEntry.objects.get(request=dismissed, action="dismiss")
    assert str(other).startswith("Dismissed on “Stardust” at "), str(other)
    client.force_login(user)
    page = client.get(reverse("admin:enrichment_auditlogentry_change", args=[entry.pk]))
    assert "Dismissed" not in page.content.decode()
    # Its note in a sentence, one full stop (it read "…enrichment was run again..").
    assert "no field: Superseded by request #" in page.content.decode()
    assert "run again.." not in page.content.decode()


def test_the_kept_authors_history_says_which_duplicate_was_merged_into_it_and_reverted(client):
    """It read "Changed Credits moved here, Merged into by libby", as if the kept author had
    been merged into something."""
    user = librarian()
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    make_work("The Dispossessed", authors=[duplicate])
    merge = AuthorMerge.objects.create(
        kept=kept, duplicate=duplicate, reason=AuthorMerge.Reason.SHARED_ID
    )
    entry = author_merges.author_merge_apply(merge=merge, actor=user).audit_entry
    undo = revert.audit_revert(entry=entry, actor=user).revert_entry
    client.force_login(user)

    merge_row, revert_row = history_of(client, kept)
    assert "Merged into by" not in merge_row and "Credits moved here" not in merge_row
    assert (
        f"U. K. Le Guin merged into this author by libby: its 2 credits moved here; it now "
        f"redirects here (enrichment audit entry #{entry.pk})." in merge_row
    ), merge_row
    assert (
        "Reverted by libby: the merge of U. K. Le Guin into this author; the 2 credits it "
        "brought went back to it; it is an author of its own again (enrichment audit "
        f"entry #{undo.pk}, which reverts #{entry.pk})." in revert_row
    ), revert_row


def test_an_author_photos_revert_says_photo_and_that_it_has_none_again(client, monkeypatch):
    """An author's History said "Reverted Cover", and not what the revert put back."""
    from tests.enrichment.test_author_requests import FIXTURE_IMAGE, PHOTO_URL, decide

    image = io.BytesIO()
    Image.open(FIXTURE_IMAGE).convert("RGB").save(image, "JPEG", quality=90)
    monkeypatch.setattr(choose, "fetch_cover_bytes", lambda url, **kw: image.getvalue())
    author = make_author("Ursula K. Le Guin")
    request = decide(author, Tier.HIGH, covers=[CoverRef("wikidata", PHOTO_URL)], birth_year=1929)
    cover_apply.requests_fetch_covers(request_ids=[request.pk])
    user = librarian()
    for entry in AuditLogEntry.objects.filter(author=author).order_by("pk"):
        revert.audit_revert(entry=entry, actor=user)
    client.force_login(user)

    _born, photo, born_back, photo_back = history_of(client, author)
    assert "Changed Photo by the enrichment worker" in photo, photo
    assert "Reverted Born (year) by libby" in born_back
    assert born_back.endswith("Empty again, as before: Born (year)."), born_back
    assert "Reverted Photo by libby" in photo_back
    assert photo_back.endswith("Empty again, as before: Photo."), photo_back


def edition_history(client, edition) -> str:
    page = client.get(reverse("admin:catalog_edition_history", args=[edition.pk]))
    assert page.status_code == 200
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.content.decode()))


def test_an_edition_history_says_once_where_its_changes_are(client):
    """It showed the note pointing to its audit entries and, below it, Django's "This object
    doesn't have a change history. It probably wasn't added via this admin site."."""
    user = librarian()
    _work, entry = auto_applied("Neverwhere")
    dismissed = needs_review(title="Stardust")
    review.request_dismiss(request=dismissed, actor=user)
    untouched = make_edition(make_work("Coraline"))
    client.force_login(user)

    page = edition_history(client, entry.edition)
    assert "doesn’t have a change history" not in page and "this admin site" not in page
    assert page.count("Enrichment’s changes to this edition are in its work’s History and in "
                      "its 1 audit log entry.") == 1  # fmt: skip
    # A dismissal changed nothing: its edition's History does not send one to look for changes.
    for edition in (Edition.objects.get(work=dismissed.work_id), untouched):
        page = edition_history(client, edition)
        assert "Enrichment has changed nothing on this edition." in page, page
        assert "doesn’t have a change history" not in page and "its work’s History" not in page


def history_of_work(client, work) -> list[str]:
    page = client.get(reverse("admin:catalog_work_history", args=[work.pk]))
    body = re.search(r"<tbody>(.*?)</tbody>", page.content.decode(), re.S)
    return [text_of(row).strip() for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_rows_written_before_read_as_their_entries_say_in_a_bounded_number_of_queries(client):
    """The History's text was fixed when the row was written: a catalog's existing rows kept
    "Changed Credits moved here, Merged into by …" and "Changed Cover"."""
    user = librarian()
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    entry = merged(kept, duplicate)
    work, applied = auto_applied("Neverwhere")
    old_texts = {
        entry.pk: "Changed Credits moved here, Merged into by the enrichment worker "
        f"(enrichment audit entry #{entry.pk}).",
        applied.pk: "Changed Description, Publisher by the enrichment worker "
        f"(enrichment audit entry #{applied.pk}).",
    }
    for pk, text in old_texts.items():
        LogEntry.objects.filter(change_message__contains=f"#{pk})").update(change_message=text)
    # A row of another work naming this entry is not its row: it is left as it is.
    other = make_work("Stardust")
    LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Work),
        object_id=str(other.pk),
        object_repr="Stardust",
        action_flag=CHANGE,
        change_message=old_texts[applied.pk],
    )
    client.force_login(user)

    (row,) = history_of(client, kept)
    assert "U. K. Le Guin merged into this author by the enrichment worker" in row, row
    (row,) = history_of_work(client, work)
    assert "; Publisher, Published, Pages, Language, Open Library edition of its edition" in row
    (row,) = history_of_work(client, other)
    assert "Changed Description, Publisher by the enrichment worker" in row
    # Nor is an author's row whose id is the work's.
    authors_row = LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(Author),
        object_id=str(work.pk),
        object_repr="Someone",
        action_flag=CHANGE,
        change_message=old_texts[applied.pk],
    )
    history_rows_as_entries_say([authors_row])
    assert authors_row.change_message == old_texts[applied.pk]

    url = reverse("admin:catalog_work_history", args=[work.pk])
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    revert.audit_revert(entry=applied, actor=user)
    for name in ("rita", "ruth", "rosa"):  # each row its own reviewer, edition, merge
        entry = AuditLogEntry.objects.create(
            work=work,
            edition=make_edition(work),
            action=AuditLogEntry.Action.REVIEW_APPLY,
            changes={"publisher": {"old": "", "new": "Harper", "target": "edition"}},
            actor=librarian(name),
        )
        history_record(entry=entry)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more.captured_queries) == len(one.captured_queries)


def test_empty_histories_say_what_they_list_not_djangos_guess(client):
    """A work or author with no row, and every request's History, said "This object doesn't
    have a change history. It probably wasn't added via this admin site.": an imported book was
    not, and a request's story is on its page."""
    user = librarian()
    dismissed = needs_review(title="Stardust")
    review.request_dismiss(request=dismissed, actor=user)
    author = make_author("Terry Pratchett")
    client.force_login(user)

    pages = {
        "work": reverse("admin:catalog_work_history", args=[dismissed.work_id]),
        "author": reverse("admin:catalog_author_history", args=[author.pk]),
        "request": reverse("admin:enrichment_enrichmentrequest_history", args=[dismissed.pk]),
    }
    for what, url in pages.items():
        page = client.get(url).content.decode()
        assert "doesn’t have a change history" not in page and "this admin site." not in page
        note = page.split('class="help enrichment-history">', 1)[1].split("</p>", 1)[0]
        if what == "request":
            request_page = reverse("admin:enrichment_enrichmentrequest_change", args=[dismissed.pk])
            assert f'is on <a href="{request_page}">its page</a>.' in note, note
            assert "the decisions on it" in note
        else:
            assert note == (
                "Nothing is recorded here yet: this History lists the changes made to this "
                f"{what} on this admin site and by enrichment (imports are not listed here)."
            ), note


def test_a_merge_says_the_credits_both_authors_held_were_dropped_and_came_back(client):
    """Both Histories said the duplicate's credits all moved, where those the kept author also
    held were dropped (and recreated by the revert)."""
    user = librarian()
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[kept, duplicate])
    make_work("The Dispossessed", authors=[duplicate])
    merge = AuthorMerge.objects.create(
        kept=kept, duplicate=duplicate, reason=AuthorMerge.Reason.SHARED_ID
    )
    entry = author_merges.author_merge_apply(merge=merge, actor=user).audit_entry
    revert.audit_revert(entry=entry, actor=user)
    client.force_login(user)

    kept_merge, kept_revert = history_of(client, kept)
    assert (
        "U. K. Le Guin merged into this author by libby: its 1 credit moved here; it lost the 1 "
        "credit it shared with this author; it now redirects here" in kept_merge
    ), kept_merge
    assert (
        "the 1 credit it brought went back to it; it has again the 1 credit it shared with this "
        "author; it is an author of its own again" in kept_revert
    ), kept_revert
    duplicate_merge, duplicate_revert = history_of(client, duplicate)
    assert (
        "Merged into Ursula K. Le Guin by libby: its 1 credit moved there; it lost the 1 credit "
        "it shared with that author; it redirects there" in duplicate_merge
    ), duplicate_merge
    assert "reverted by libby: its 2 credits came back to it;" in duplicate_revert


def test_a_merge_by_a_person_whose_account_is_gone_is_not_the_workers(client):
    """The duplicate's History read the merge of a reviewer deleted since as "by the enrichment
    worker", in its user column too: the entry keeps the reviewer's name."""
    rita = librarian("rita")
    kept, duplicate = make_author("Ursula K. Le Guin"), make_author("U. K. Le Guin")
    make_work("The Lathe of Heaven", authors=[duplicate])
    merge = AuthorMerge.objects.create(
        kept=kept, duplicate=duplicate, reason=AuthorMerge.Reason.SHARED_ID
    )
    entry = author_merges.author_merge_apply(merge=merge, actor=rita).audit_entry
    rita.delete()
    client.force_login(librarian())

    (row,) = history_of(client, duplicate)
    assert "enrichment worker" not in row and "enrichment-worker" not in row, row
    when = date_format(localtime(entry.created_at), "DATETIME_FORMAT")
    who = "rita (account deleted) Merged into Ursula K. Le Guin by rita:"
    assert row.startswith(f"{when} {who}"), row


def test_a_merge_says_which_of_the_kept_authors_fields_the_duplicate_filled(client):
    user = librarian()
    kept = make_author("Ursula K. Le Guin")
    duplicate = make_author("U. K. Le Guin", viaf_id="97006424", birth_year=1929)
    merge = AuthorMerge.objects.create(
        kept=kept, duplicate=duplicate, reason=AuthorMerge.Reason.SHARED_ID
    )
    author_merges.author_merge_apply(merge=merge, actor=user)
    client.force_login(user)

    (kept_row,) = history_of(client, kept)
    assert "by libby; Born (year), VIAF filled from it; it now redirects here" in kept_row, kept_row
    (duplicate_row,) = history_of(client, duplicate)
    assert (
        "Merged into Ursula K. Le Guin by libby; that author’s Born (year), VIAF filled from it; "
        "it redirects there" in duplicate_row
    ), duplicate_row
