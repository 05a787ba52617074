"""The audit log shows covers as thumbnails (never a storage path) and offers "Revert these
changes" only while a revert could put a field back (saying why not, otherwise); its user and
provider filters list whom and what the log names. Bulk pages: test_bulk_pages.py."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.storage import storages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Edition
from enrichment import audit_queries, revert, review
from enrichment.covers.store import small_thumbnail_name
from enrichment.models import AuditLogEntry
from tests.enrichment.test_apply_path import cover_host
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_labels import visible_text
from tests.enrichment.test_work_page import enriched_coraline, text_of
from tests.factories import make_author, make_edition, make_work
from tests.query_plans import query_plan

pytestmark = pytest.mark.django_db
__all__ = ["cover_host"]  # the fixture, used by these tests too
AUDIT_URL = reverse("admin:enrichment_auditlogentry_changelist")
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")
REVERT_BUTTON = "Revert these changes"


def entry_page(client, entry) -> str:
    url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    return client.get(url).content.decode()


# --- Covers as thumbnails -------------------------------------------------------------------------


def test_the_audit_log_shows_a_cover_as_a_thumbnail_not_a_storage_path(
    client, librarian, cover_host
):
    enriched_coraline()
    entry = AuditLogEntry.objects.get(action="cover")
    stored = entry.changes["cover"]["new"]
    thumbnail = storages["default"].url(small_thumbnail_name(stored))

    listed = client.get(AUDIT_URL).content.decode()
    assert f'<img src="{thumbnail}" alt="" class="cover-thumb"' in listed
    assert stored not in text_of(listed) and "covers/" not in text_of(listed)

    page = entry_page(client, entry)
    changes = page[page.index("audit-changes") :]
    assert f'<img src="{thumbnail}"' in changes
    assert "covers/" not in text_of(changes)


def test_a_reverted_cover_shows_the_old_cover_as_a_thumbnail_too(client, librarian, cover_host):
    enriched_coraline()
    entry = AuditLogEntry.objects.get(action="cover")
    undo = revert.audit_revert(entry=entry, actor=librarian).revert_entry
    page = entry_page(client, undo)
    changes = page[page.index("audit-changes") :]
    assert changes.count('class="cover-thumb"') == 1  # the old one; the new value is empty
    assert "covers/" not in text_of(changes)


def test_a_cover_a_revert_took_off_and_deleted_is_said_to_be_deleted_not_a_broken_image(
    client, librarian, cover_host, django_capture_on_commit_callbacks
):
    """Reverting a cover deletes its files once nothing uses them: the log's thumbnail of it
    was a broken image that showed nothing ("Cover: empty →")."""
    enriched_coraline()
    entry = AuditLogEntry.objects.get(action="cover")
    stored = entry.changes["cover"]["new"]
    with django_capture_on_commit_callbacks(execute=True):
        undo = revert.audit_revert(entry=entry, actor=librarian).revert_entry
    assert not storages["default"].exists(small_thumbnail_name(stored))
    thumbnail = storages["default"].url(small_thumbnail_name(stored))

    for page in (entry_page(client, entry), entry_page(client, undo)):
        changes = page[page.index("audit-changes") :]
        assert thumbnail not in changes
        assert "a cover since deleted" in text_of(changes)
    listed = client.get(AUDIT_URL).content.decode()
    assert thumbnail not in listed
    assert text_of(listed).count("a cover since deleted") == 2  # the entry and its revert


def test_a_cover_uploaded_by_hand_shows_itself_no_thumbnail_of_it_exists(client, librarian):
    work = make_work("Hand made")
    edition = make_edition(work)
    entry = AuditLogEntry.objects.create(
        work=work,
        edition=edition,
        action="revert",
        changes={"cover": {"old": "covers/my-scan.jpg", "new": "", "target": "edition"}},
    )
    changes = entry_page(client, entry).split("audit-changes", 1)[1]
    assert f'<img src="{storages["default"].url("covers/my-scan.jpg")}"' in changes


# --- Revert these changes ------------------------------------------------------------------------


def test_revert_is_offered_until_the_entry_is_reverted_then_hidden(client, librarian):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    assert REVERT_BUTTON in entry_page(client, entry)

    url = reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])
    client.post(url, {"post": "yes"})
    assert AuditLogEntry.objects.filter(action="revert", reverts=entry).exists()
    page = entry_page(client, entry)
    assert REVERT_BUTTON not in page
    assert "Reverted by" in page  # it says by which entry instead
    undo = AuditLogEntry.objects.get(action="revert")
    assert REVERT_BUTTON not in entry_page(client, undo)  # a revert is not reverted


def test_no_revert_is_offered_once_the_fields_left_were_changed_since_and_it_says_why(
    client, librarian
):
    """Reverted in part (a field changed since stayed): the button would only be refused, so
    the page says which revert put back what, and why the rest cannot be."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    Edition.objects.filter(work=request.work_id).update(page_count=999)  # changed since
    result = revert.audit_revert(entry=entry, actor=librarian)
    assert set(result.reverted) == {"publisher"} and "page_count" in result.refused

    page = entry_page(client, entry)
    assert REVERT_BUTTON not in page
    undo = result.revert_entry
    assert f"Reverted by entry #{undo.pk} (Publisher)" in text_of(page)
    assert "Pages cannot be reverted: it was changed since (it now holds “999”, not “370”)." in (
        text_of(page)
    )
    # The page's reason is the refusal's own: pressing Revert would have said the same.
    assert result.refused["page_count"] == "it was changed since (it now holds “999”, not “370”)"


def test_an_entry_whose_every_field_was_changed_since_offers_no_revert(client, librarian):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    Edition.objects.filter(work=request.work_id).update(page_count=999)

    page = entry_page(client, entry)
    assert REVERT_BUTTON not in page
    assert "Pages cannot be reverted: it was changed since" in text_of(page)
    assert revert.revert_check(entry).revertible == []


def test_revert_stays_offered_for_a_field_it_can_put_back_beside_one_it_cannot(client, librarian):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    Edition.objects.filter(work=request.work_id).update(page_count=999)

    page = entry_page(client, entry)
    assert REVERT_BUTTON in page
    assert "Pages cannot be reverted: it was changed since" in text_of(page)
    assert revert.revert_check(entry).revertible == ["publisher"]


def test_pressing_revert_again_says_once_why_for_the_fields_left_for_one_reason(client, librarian):
    """A page opened before the revert still has the button: pressing it gave one warning per
    field, each the same ("Publisher cannot…", "Pages cannot…: already reverted (entry #9)")."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    url = reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])
    client.post(url, {"post": "yes"}, follow=True)  # its message shown
    undo = AuditLogEntry.objects.get(action="revert")

    response = client.post(url, {"post": "yes"}, follow=True)

    warnings = [str(m) for m in response.context["messages"]]
    why = f"already reverted (entry #{undo.pk})"
    assert warnings == [f"Publisher, Pages cannot be reverted: {why}."]


def test_reverting_one_entry_asks_first_saying_field_by_field_what_it_puts_back(client, librarian):
    """The entry page's "Revert these changes" changed the catalog at one click (and a GET of
    its URL did too), where the bulk revert asks first: now it asks as the bulk one does."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    url = reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])

    for asked in (client.get(url), client.post(url, {"_revert": "1"})):  # a link; the button
        assert asked.status_code == 200
        html = asked.content.decode()
        page = text_of(html)
        assert "Are you sure?" in page and f"(entry #{entry.pk})" in page
        assert 'value="Yes, revert it"' in html and "No, take me back" in page
    assert not AuditLogEntry.objects.filter(action="revert").exists()
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"
    assert "Publisher: back to “Harper” (it holds “HarperTorch”)" in page
    assert "Pages: back to empty (it holds “370”)" in page

    Edition.objects.filter(work=request.work_id).update(page_count=999)  # changed since
    page = text_of(client.get(url).content.decode())
    assert "Pages: back to" not in page
    assert "Pages cannot be reverted: it was changed since" in page  # said beforehand

    client.post(url, {"post": "yes"})
    edition = Edition.objects.get(work=request.work_id)
    assert (edition.publisher, edition.page_count) == ("Harper", 999)
    assert AuditLogEntry.objects.filter(action="revert", reverts=entry).count() == 1


def test_the_confirming_post_needs_the_csrf_token_and_the_revert_permission(librarian):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    url = reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(librarian)
    assert strict.post(url, {"post": "yes"}).status_code == 403  # no token: a forged form
    reviewer = User.objects.create_user("rev", password="pw", is_staff=True)
    reviewer.user_permissions.add(Permission.objects.get(codename="review_enrichment"))
    other = Client()
    other.force_login(reviewer)
    assert other.get(url).status_code == 403  # not even the question
    assert other.post(url, {"post": "yes"}).status_code == 403
    assert Edition.objects.get(work=request.work_id).publisher == "HarperTorch"


def test_an_entry_page_says_what_each_change_was_on_capitalised_as_its_other_cells(
    client, librarian
):
    """The "On" column said "edition" beside "Publisher" and "Cover"; then "Edition", which
    did not say which of the work's editions: it names it by its ISBN."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    page = entry_page(client, entry)
    row = re.search(r"<th scope=\"row\">Publisher</th>.*?</tr>", page, re.S)
    isbn = entry.edition.isbn13
    assert row and re.search(rf"<td>Edition ISBN {isbn}</td>", row.group(0)), row


def test_an_entry_page_offers_no_history_that_is_always_empty(client, librarian):
    """The admin's History of a log entry lists changes made through the admin: none ever, so
    it said "This object doesn't have a change history" of every entry, reverted ones too."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    assert reverse("admin:enrichment_auditlogentry_history", args=[entry.pk]) not in (
        entry_page(client, entry)
    )


def test_a_reverted_entry_says_so_in_words_under_its_action(client, librarian):
    """Not reverted is the usual state, so it says nothing (Django's red ✖ made every row look
    like an error); a reverted entry says "reverted" under its action."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    revert.audit_revert(entry=entry, actor=librarian)
    undo = AuditLogEntry.objects.get(action="revert")

    page = client.get(AUDIT_URL).content.decode()

    assert "icon-no" not in page and "icon-yes" not in page
    row = r'auditlogentry/(\d+)/change/.*?<td class="field-action_reverted">(.*?)</td>'
    cells = dict(re.findall(row, page, re.S))
    assert text_of(cells[str(entry.pk)]).split() == ["Applied", "by", "a", "reviewer", "reverted"]
    assert text_of(cells[str(undo.pk)]).split() == ["Reverted"]  # the revert itself: not reverted


def test_an_entry_a_revert_put_back_only_in_part_says_partly_reverted_in_the_list(
    client, librarian
):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    Edition.objects.filter(work=request.work_id).update(page_count=999)  # left as it is
    revert.audit_revert(entry=entry, actor=librarian)

    page = client.get(AUDIT_URL).content.decode()

    row = r'auditlogentry/(\d+)/change/.*?<td class="field-action_reverted">(.*?)</td>'
    cells = dict(re.findall(row, page, re.S))
    assert text_of(cells[str(entry.pk)]).split()[-2:] == ["partly", "reverted"]


# --- An entry's one line -------------------------------------------------------------------------


def test_an_entry_is_named_by_its_book_or_its_author_not_by_an_id(admin_client):
    """Its page's breadcrumb and the deletion page of its work (author), which lists it, said
    "Dismissed on 12 at …" and "Applied automatically on author 4 at …"."""
    dismissed = needs_review("Dune", "Frank Herbert")
    review.request_dismiss(request=dismissed, actor=None)
    work_entry = AuditLogEntry.objects.get(request=dismissed, action="dismiss")
    author = make_author("Ursula K. Le Guin")
    author_entry = AuditLogEntry.objects.create(author=author, action="auto_apply", changes={})

    pages = (
        (work_entry, "Dismissed on “Dune” at ", "catalog_work_delete", dismissed.work_id),
        (author_entry, "Applied automatically on Ursula K. Le Guin at ", "catalog_author_delete",
         author.pk),
    )  # fmt: skip
    for entry, title, delete_page, target_id in pages:
        url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
        assert f"Audit log entries › {title}" in visible_text(admin_client, url)  # breadcrumb
        deletion = visible_text(admin_client, reverse(f"admin:{delete_page}", args=[target_id]))
        assert f"Audit log entry: {title}" in deletion


def test_a_works_deletion_page_names_its_entries_without_a_query_for_each(admin_client):
    """Each entry it lists is named by the work the deletion's collector reads with it."""
    work = make_work("Dune")
    url = reverse("admin:catalog_work_delete", args=[work.pk])

    def queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            page = text_of(admin_client.get(url).content.decode())
        return len(captured), page

    AuditLogEntry.objects.create(work=work, action="dismiss", changes={})
    few, page = queries()
    assert page.count("Audit log entry: Dismissed on “Dune” at ") == 1
    for _ in range(4):
        AuditLogEntry.objects.create(work=work, action="dismiss", changes={})
    many, page = queries()
    assert page.count("Audit log entry: Dismissed on “Dune” at ") == 5
    assert many == few


# --- The user filter ------------------------------------------------------------------------------


def test_the_user_filter_lists_who_made_entries_and_the_worker_means_the_worker(client, librarian):
    """It listed every staff member (one who changed nothing too, not one who left the staff),
    and "Enrichment worker" also chose the entries of a user since deleted."""
    work = make_work("Filtered")
    gone = User.objects.create_user("gone", is_staff=True)
    former = User.objects.create_user("former", is_staff=False)  # left the staff since
    User.objects.create_user("idle", is_staff=True)  # changed nothing

    def entry_by(actor):
        return AuditLogEntry.objects.create(
            work=work, action="dismiss", actor=actor, actor_label=AuditLogEntry.label_for(actor)
        )

    by_worker, by_gone, by_former = entry_by(None), entry_by(gone), entry_by(former)
    gone.delete()

    page = client.get(AUDIT_URL).content.decode()
    choices = dict(re.findall(r'<a href="\?actor=(\w+)">([^<]+)</a>', page))
    assert choices == {
        "worker": "Enrichment worker",
        "removed": "A user since removed",
        str(former.pk): "former",
    }

    def listed(query: str) -> set[int]:
        page = client.get(f"{AUDIT_URL}?{query}").content.decode()
        return {int(pk) for pk in re.findall(r"auditlogentry/(\d+)/change/", page)}

    assert listed("actor=worker") == {by_worker.pk}
    assert listed(f"actor={former.pk}") == {by_former.pk}
    assert by_gone.pk in listed("")  # still in the log, by its name
    assert "by gone" in text_of(client.get(AUDIT_URL).content.decode())


def test_the_entries_of_a_user_since_removed_can_be_chosen_and_say_so(client, librarian):
    """The list showed "by gone" for a deleted user's entries, but the user filter had no choice
    for them: "Enrichment worker" left them out, and the users listed were those who exist."""
    work = make_work("Filtered")
    gone = User.objects.create_user("gone", is_staff=True)
    left_too = User.objects.create_user("left_too", is_staff=True)
    entries = {
        name: AuditLogEntry.objects.create(
            work=work, action="dismiss", actor=actor, actor_label=AuditLogEntry.label_for(actor)
        )
        for name, actor in (("worker", None), ("gone", gone), ("left_too", left_too))
    }
    entries["librarian"] = AuditLogEntry.objects.create(
        work=work, action="dismiss", actor=librarian, actor_label=librarian.username
    )
    gone.delete()
    left_too.delete()

    page = client.get(f"{AUDIT_URL}?actor=removed").content.decode()
    listed = {int(pk) for pk in re.findall(r"auditlogentry/(\d+)/change/", page)}
    assert listed == {entries["gone"].pk, entries["left_too"].pk}
    chosen = r'<li class="selected">\s*<a href="\?actor=removed">A user since removed<'
    assert re.search(chosen, page)
    # Each row and the entry's page name them, and say they were removed since.
    assert "by gone (since removed)" in text_of(page)
    entry = entry_page(client, entries["left_too"])
    assert "left_too (since removed)" in text_of(entry)
    # The counts the filter offers agree with the list.
    counted = client.get(f"{AUDIT_URL}?_facets=1").content.decode()
    assert re.search(r"A user since removed \(2\)", counted)


def test_a_user_since_removed_is_offered_only_while_the_log_holds_an_entry_of_one(
    client, librarian
):
    """The user filter always offered "A user since removed", which listed nothing where no
    removed user had made an entry."""
    work = make_work("Filtered")
    AuditLogEntry.objects.create(work=work, action="auto_apply", actor_label="")  # the oldest
    AuditLogEntry.objects.create(work=work, action="auto_apply", actor_label="enrichment worker")
    AuditLogEntry.objects.create(
        work=work, action="dismiss", actor=librarian, actor_label=librarian.username
    )

    def choices(query: str = "") -> dict[str, str]:
        page = client.get(f"{AUDIT_URL}{query}").content.decode()
        return dict(re.findall(r'<a href="\?actor=(\w+)">([^<]+)</a>', page))

    assert choices() == {"worker": "Enrichment worker", str(librarian.pk): "libby"}
    # Kept, marked, on a list that shows them (a bookmark) while none is left.
    chosen = client.get(f"{AUDIT_URL}?actor=removed").content.decode()
    assert re.search(r'<li class="selected">\s*<a href="\?actor=removed">A user since', chosen)

    for name in ("a", "zoe"):  # names either side of the worker's label
        gone = User.objects.create_user(name, is_staff=True)
        entry = AuditLogEntry.objects.create(
            work=work, action="dismiss", actor=gone, actor_label=name
        )
        gone.delete()
        assert choices()["removed"] == "A user since removed"
        entry.delete()
        assert "removed" not in choices()


def test_whether_a_removed_user_made_an_entry_is_asked_of_an_index_not_every_entry():
    with CaptureQueriesContext(connection) as captured:
        assert not audit_queries.removed_users_made_entries()
    (asked,) = captured
    plan = query_plan(asked["sql"], off=("seqscan",))
    # A probe for each range of names: no user, a name either side of the worker's.
    assert plan.count("audit_actor_label_idx") == 2, plan
    assert "Filter" not in plan, plan  # PostgreSQL: the names in the probe, not read after


# --- The provider filter --------------------------------------------------------------------------


def test_the_provider_filter_lists_the_providers_the_log_names_by_their_labels(
    client, librarian, settings
):
    """It listed the providers configured now: the entries of one switched off since could not
    be chosen, and one configured that changed nothing was a choice listing nothing."""
    settings.ENRICHMENT_PROVIDERS = ["openlibrary", "wikidata"]
    work = make_work("Filtered")

    def entry_from(provider: str) -> AuditLogEntry:
        return AuditLogEntry.objects.create(work=work, action="auto_apply", provider=provider)

    both = entry_from("openlibrary,google_books")
    switched_off = entry_from("isbndb")
    entry_from("")  # a merge or a dismissal: no provider
    gone = entry_from("librarything")  # a source the project no longer knows: its key

    page = client.get(AUDIT_URL).content.decode()
    choices = re.findall(r'<a href="\?provider=(\w+)">([^<]+)</a>', page)
    assert choices == [
        ("google_books", "Google Books"),
        ("isbndb", "ISBNdb"),
        ("librarything", "librarything"),
        ("openlibrary", "Open Library"),
    ]

    def listed(provider: str) -> set[int]:
        page = client.get(f"{AUDIT_URL}?provider={provider}").content.decode()
        return {int(pk) for pk in re.findall(r"auditlogentry/(\d+)/change/", page)}

    assert listed("isbndb") == {switched_off.pk}
    assert listed("google_books") == listed("openlibrary") == {both.pk}
    assert listed("librarything") == {gone.pk}


def test_a_revert_names_no_provider_in_the_list_its_page_or_the_provider_filter(
    client, librarian, cover_host
):
    """A revert is a reviewer's act and puts back the catalog's own values: it repeated the
    provider (and confidence) of the entry it reverted, so the provider filter listed it under
    that provider. Reverts stored so before read the same as those recorded now."""
    enriched_coraline()
    applied = AuditLogEntry.objects.get(action="auto_apply")
    assert applied.provider == "openlibrary"
    undo = revert.audit_revert(entry=applied, actor=librarian).revert_entry
    assert (undo.provider, undo.tier) == ("", "")
    old_style = revert.audit_revert(
        entry=AuditLogEntry.objects.get(action="cover"), actor=librarian
    ).revert_entry
    AuditLogEntry.objects.filter(pk=old_style.pk).update(provider="openlibrary", tier="high")

    page = client.get(f"{AUDIT_URL}?provider=openlibrary").content.decode()
    listed = {int(pk) for pk in re.findall(r"auditlogentry/(\d+)/change/", page)}
    assert applied.pk in listed and not listed & {undo.pk, old_style.pk}

    whole_log = client.get(AUDIT_URL).content.decode()
    for entry in (undo, old_style):
        row = re.search(rf"auditlogentry/{entry.pk}/change/.*?</tr>", whole_log, re.S)
        assert row and "Open Library" not in text_of(row.group(0))
        fields = text_of(entry_page(client, entry))
        assert "Provider: –" in fields and "Confidence: –" in fields
    assert "Provider: Open Library Confidence: High" in text_of(entry_page(client, applied))


def test_the_provider_filter_reads_the_names_from_the_index_not_every_entry():
    plan = query_plan(
        "SELECT MIN(provider) FROM enrichment_auditlogentry WHERE provider > %s",
        ["isbndb"],
        off=("seqscan",),
    )
    assert "audit_provider_idx" in plan


# --- Bulk confirmations ---------------------------------------------------------------------------


def test_the_audit_logs_count_reads_the_entries_alone_not_joined_to_their_requests(
    client, librarian
):
    """The list says "Superseded by a re-run" from each entry's request: read by a join, the
    join stayed in the count of every entry (115 ms of the page's 190 at 200,000 entries,
    bench/admin.py); read per listed entry, the count is the entries' own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    work = make_work("Neverwhere")
    for _ in range(3):
        AuditLogEntry.objects.create(work=work, action=AuditLogEntry.Action.AUTO_APPLY, changes={})
    client.force_login(librarian)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(AUDIT_URL).status_code == 200
    counts = [q["sql"] for q in captured if "COUNT(" in q["sql"] and "auditlogentry" in q["sql"]]
    assert counts and not any("JOIN" in sql for sql in counts), counts
