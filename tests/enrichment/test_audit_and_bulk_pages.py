"""The audit log shows covers as thumbnails (never a storage path) and offers "Revert these
changes" only while a revert could put a field back (saying why not, otherwise); bulk
confirmations read as plain sentences; `enrich_missing --dry-run` counts the works that lack a
cover *or* metadata."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.storage import storages
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Edition
from enrichment import revert, review
from enrichment.covers.store import small_thumbnail_name
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_apply_path import cover_host
from tests.enrichment.test_review import needs_review, waiting_requests
from tests.enrichment.test_work_page import enriched_coraline, text_of
from tests.factories import make_edition, make_work
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
    client.post(url, {"_revert": "1"})
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
    client.post(url, {"_revert": "1"}, follow=True)  # its message shown
    undo = AuditLogEntry.objects.get(action="revert")

    response = client.post(url, {"_revert": "1"}, follow=True)

    warnings = [str(m) for m in response.context["messages"]]
    why = f"already reverted (entry #{undo.pk})"
    assert warnings == [f"Publisher, Pages cannot be reverted: {why}."]


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


def test_the_provider_filter_reads_the_names_from_the_index_not_every_entry():
    plan = query_plan(
        "SELECT MIN(provider) FROM enrichment_auditlogentry WHERE provider > %s",
        ["isbndb"],
        off=("seqscan",),
    )
    assert "audit_provider_idx" in plan


# --- Bulk confirmations ---------------------------------------------------------------------------


def confirmation(client, url: str, data: dict) -> str:
    response = client.post(url, {"index": "0", **data})
    assert response.status_code == 200
    page = response.content.decode()
    return text_of(page[page.index('<div id="content-main">') :])


def test_a_bulk_confirmation_on_selected_rows_reads_as_a_sentence(client, librarian):
    requests = [needs_review(f"Book {i}", f"Author {i}") for i in range(2)]
    words = confirmation(
        client,
        QUEUE_URL,
        {"action": "dismiss_selected", "_selected_action": [r.pk for r in requests]},
    )
    assert (
        "You are about to dismiss the 2 selected requests: nothing they propose will be applied."
        in words
    )
    both = client.post(
        QUEUE_URL,
        {"action": "dismiss_selected", "index": "0", "_selected_action": [r.pk for r in requests]},
    ).content.decode()
    assert 'value="Yes, dismiss them"' in both
    # One request is "it", as the audit log's revert says it of one entry.
    alone = confirmation(
        client, QUEUE_URL, {"action": "dismiss_selected", "_selected_action": [requests[0].pk]}
    )
    assert "the selected enrichment request: nothing it proposes will be applied." in alone
    assert (
        'value="Yes, dismiss it"'
        in client.post(
            QUEUE_URL,
            {"action": "dismiss_selected", "index": "0", "_selected_action": [requests[0].pk]},
        ).content.decode()
    )
    approve_one = client.post(
        QUEUE_URL,
        {"action": "approve_selected", "index": "0", "_selected_action": [requests[0].pk]},
    ).content.decode()
    assert 'value="Yes, approve it"' in approve_one
    one = confirmation(
        client, QUEUE_URL, {"action": "rerun_selected", "_selected_action": [requests[0].pk]}
    )
    assert "You are about to run enrichment again for the selected enrichment request." in one


def test_a_bulk_confirmation_over_all_rows_names_the_filters_by_their_labels(client, librarian):
    waiting_requests(3)
    url = f"{QUEUE_URL}?status__exact=needs_review&confidence__exact=medium&q=Book"
    words = confirmation(
        client, url, {"action": "approve_selected", "select_across": "1", "_selected_action": ["1"]}
    )
    assert (
        "You are about to approve the safe proposal of all 3 requests listed with status "
        "“Needs review”, confidence “Medium” and the search “Book”: only what the catalog lacks "
        "is filled in, nothing it holds is replaced." in words
    )
    assert "low confidence" not in words


def test_a_bulk_decision_says_beforehand_it_leaves_requests_not_waiting(client, librarian):
    ids = waiting_requests(3)
    EnrichmentRequest.objects.filter(pk=ids[0]).update(status="completed")
    for action in ("approve_selected", "dismiss_selected"):
        words = confirmation(client, QUEUE_URL, {"action": action, "_selected_action": ids})
        assert (
            "1 of them is not waiting for review (decided, not matched, or still being looked "
            "up): it is left as it is." in words
        )


def test_a_bulk_approval_says_beforehand_it_leaves_low_confidence_matches(client, librarian):
    ids = waiting_requests(3)
    EnrichmentRequest.objects.filter(pk__in=ids[:2]).update(confidence="low")
    words = confirmation(client, QUEUE_URL, {"action": "approve_selected", "_selected_action": ids})
    assert (
        "2 of them are of low confidence (their title or author does not agree, so the record "
        "may be another book’s): they are left for you to check one by one." in words
    )
    assert "needs_review" not in words and "__exact" not in words and "=" not in words


def test_enriching_selected_works_asks_in_a_sentence(client, librarian):
    works = [make_work(f"Book {i}") for i in range(3)]
    words = confirmation(
        client,
        reverse("admin:catalog_work_changelist"),
        {"action": "enrich_selected", "_selected_action": [w.pk for w in works]},
    )
    assert "You are about to queue the 3 selected works for enrichment." in words
    # Every one is listed: "They are", not "Among them" (which says some are not).
    assert "They are" in words and "Among them" not in words
    assert all(f"Book {i}" in words for i in range(3)) and "more" not in words


def test_a_confirmation_says_among_them_only_when_it_does_not_list_them_all(client, librarian):
    works = [make_work(f"Book {i}") for i in range(12)]
    words = confirmation(
        client,
        reverse("admin:catalog_work_changelist"),
        {"action": "enrich_selected", "_selected_action": [w.pk for w in works]},
    )
    assert "Among them" in words and "They are" not in words
    assert "and 2 more" in words


def test_reverting_selected_entries_asks_first_and_reverts_only_once_confirmed(client, librarian):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    edition = Edition.objects.get(work=request.work_id)
    applied = (edition.publisher, edition.page_count)
    chosen = {"action": "revert_selected", "_selected_action": [entry.pk]}

    words = confirmation(client, AUDIT_URL, chosen)

    assert (
        "You are about to revert the selected audit log entry: each field gets back its old "
        "value where it still holds what the entry set" in words
    )
    assert f"Applied by a reviewer: {request.work} (" in words and f"entry #{entry.pk})" in words
    page = client.post(AUDIT_URL, {"index": "0", **chosen}).content.decode()
    assert 'value="Yes, revert it"' in page and 'name="post" value="yes"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert not AuditLogEntry.objects.filter(action="revert").exists()
    edition.refresh_from_db()
    assert (edition.publisher, edition.page_count) == applied

    response = client.post(AUDIT_URL, {**chosen, "post": "yes"}, follow=True)

    assert AuditLogEntry.objects.filter(action="revert", reverts=entry).count() == 1
    assert "1 reverted." in text_of(response.content.decode())
    edition.refresh_from_db()
    assert (edition.publisher, edition.page_count) != applied


def test_reverting_selected_entries_counts_the_entries_left_by_why_not_their_fields(
    client, librarian
):
    """It counted a reason per field, each naming its entry: "0 reverted, 1 left as they were
    (2 already reverted (entry #7))" for one entry of two fields."""
    entries = []
    for i in range(3):
        request = needs_review(f"Book {i}", f"Author {i}")
        review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
        entries.append(AuditLogEntry.objects.get(action="review_apply", request=request))
    done, changed, fresh = entries
    revert.audit_revert(entry=done, actor=librarian)
    Edition.objects.filter(work=changed.work_id).update(publisher="Headline", page_count=999)

    def revert_selected(chosen) -> str:
        data = {"action": "revert_selected", "_selected_action": chosen, "post": "yes"}
        return text_of(client.post(AUDIT_URL, data, follow=True).content.decode())

    assert "0 reverted, 1 left as it was (1 already reverted)." in revert_selected([done.pk])
    assert (
        "1 reverted, 2 left as they were (1 already reverted; 1 changed since (each entry says "
        "how))." in revert_selected([e.pk for e in entries])
    )
    assert AuditLogEntry.objects.filter(action="revert", reverts=fresh).count() == 1


def test_reverting_selected_entries_says_which_were_reverted_only_in_part(client, librarian):
    """An entry whose Pages were changed since had only its Publisher put back, and the summary
    counted it "reverted" like the others, saying nothing of the field left."""
    entries = []
    for i in range(2):
        request = needs_review(f"Book {i}", f"Author {i}")
        review.request_approve(request=request, actor=librarian, fields=["publisher", "page_count"])
        entries.append(AuditLogEntry.objects.get(action="review_apply", request=request))
    partly, whole = entries
    Edition.objects.filter(work=partly.work_id).update(page_count=999)  # changed since

    data = {"action": "revert_selected", "_selected_action": [e.pk for e in entries], "post": "yes"}
    words = text_of(client.post(AUDIT_URL, data, follow=True).content.decode())

    assert "2 reverted, 1 of them in part (Pages not put back)." in words
    assert list(AuditLogEntry.objects.get(reverts=partly).changes) == ["publisher"]
    assert set(AuditLogEntry.objects.get(reverts=whole).changes) == {"publisher", "page_count"}


def test_the_revert_confirmation_says_beforehand_how_many_entries_it_will_leave(client, librarian):
    """Selected with an entry already reverted and a dismissal, it announced three reverts and
    then reverted one."""
    requests = [needs_review(f"Book {i}", f"Author {i}") for i in range(3)]
    for request in requests[:2]:
        review.request_approve(request=request, actor=librarian, fields=["publisher"])
    review.request_dismiss(request=requests[2], actor=librarian)
    done, fresh = AuditLogEntry.objects.filter(action="review_apply").order_by("pk")
    revert.audit_revert(entry=done, actor=librarian)
    dismissal = AuditLogEntry.objects.get(action="dismiss")
    chosen = [done.pk, fresh.pk, dismissal.pk]

    words = confirmation(
        client, AUDIT_URL, {"action": "revert_selected", "_selected_action": chosen}
    )

    assert (
        "Of these, 2 will be left as they are: already reverted, changed since, or with nothing "
        "that can be put back." in words
    )
    one = confirmation(
        client, AUDIT_URL, {"action": "revert_selected", "_selected_action": [fresh.pk]}
    )
    assert "Of these" not in one


def test_the_revert_confirmation_counts_an_entry_whose_fields_were_all_changed_since(
    client, librarian, django_assert_max_num_queries
):
    """It counted by the log alone: an entry whose every field a librarian had changed since was
    announced as a revert, and then left ("2 will be left", then "3 left as they were")."""
    requests = [needs_review(f"Book {i}", f"Author {i}") for i in range(3)]
    for request in requests:
        review.request_approve(request=request, actor=librarian, fields=["publisher"])
    changed, *fresh = AuditLogEntry.objects.filter(action="review_apply").order_by("pk")
    Edition.objects.filter(work=changed.work_id).update(publisher="Edited by hand")
    chosen = [changed.pk, *(entry.pk for entry in fresh)]

    with django_assert_max_num_queries(20):  # the entries' rows and reverts read with them
        words = confirmation(
            client, AUDIT_URL, {"action": "revert_selected", "_selected_action": chosen}
        )

    assert "Of these, 1 will be left as it is: already reverted, changed since" in words
    data = {"action": "revert_selected", "_selected_action": chosen, "post": "yes"}
    done = text_of(client.post(AUDIT_URL, data, follow=True).content.decode())
    assert "2 reverted, 1 left as it was" in done


def test_reverting_selected_entries_needs_the_revert_permission(client, librarian):
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    viewer = User.objects.create_user("vera", password="pw", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_auditlogentry"))
    client.force_login(viewer)
    for data in ({"index": "0"}, {"post": "yes"}):
        page = client.post(
            AUDIT_URL, {"action": "revert_selected", "_selected_action": [entry.pk], **data}
        )
        assert "Are you sure?" not in page.content.decode()
    assert not AuditLogEntry.objects.filter(action="revert").exists()


# --- enrich_missing --dry-run --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ([], "2 works lack a cover or metadata."),
        (["--covers"], "2 works lack a cover."),
        (["--metadata"], "2 works lack metadata."),
    ],
)
def test_enrich_missing_dry_run_counts_works_lacking_a_cover_or_metadata(options, says):
    make_work("No cover, no metadata")
    make_work("Neither")
    out = StringIO()
    call_command("enrich_missing", "--dry-run", *options, stdout=out)
    assert out.getvalue().splitlines()[0] == says
    assert "Dry run: 2 would be queued." in out.getvalue()
    assert not re.search(r"lack a cover and metadata", out.getvalue())
