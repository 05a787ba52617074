"""Bulk confirmations read as plain sentences and count beforehand what they will leave (the
requests queue, the works list, the audit log's Revert selected); `enrich_missing --dry-run`
counts the works that lack a cover *or* metadata."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import reverse

from catalog.models import Edition
from enrichment import revert, review
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.test_review import needs_review, waiting_requests
from tests.enrichment.test_work_page import text_of
from tests.factories import make_work

pytestmark = pytest.mark.django_db
AUDIT_URL = reverse("admin:enrichment_auditlogentry_changelist")
QUEUE_URL = reverse("admin:enrichment_enrichmentrequest_changelist")
REVERT_BUTTON = "Revert these changes"


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


def test_a_bulk_decision_that_would_change_nothing_offers_no_yes(client, librarian):
    """Approving only low-confidence matches (or dismissing only decided requests) asked "Are
    you sure?" with a "Yes, approve them" whose result was "0 approved, 2 left as it was". The
    page says beforehand that it would change nothing, and offers only the way back."""
    ids = waiting_requests(2)
    EnrichmentRequest.objects.filter(pk__in=ids).update(confidence="low")
    page = client.post(
        QUEUE_URL, {"action": "approve_selected", "index": "0", "_selected_action": ids}
    ).content.decode()
    words = text_of(page[page.index('<div id="content-main">') :])

    assert "Approving the 2 selected requests would change nothing." in words
    assert "2 of them are of low confidence" in words
    assert "Yes, approve" not in page and "Back to the list" in words
    assert "Nothing to do" in page and "Are you sure?" not in page

    EnrichmentRequest.objects.filter(pk__in=ids).update(status="completed")
    words = confirmation(client, QUEUE_URL, {"action": "dismiss_selected", "_selected_action": ids})
    assert "Dismissing the 2 selected requests would change nothing." in words
    assert "Yes, dismiss" not in words
    # One of them still waiting: the question is asked as before.
    EnrichmentRequest.objects.filter(pk=ids[0]).update(status="needs_review")
    words = confirmation(client, QUEUE_URL, {"action": "dismiss_selected", "_selected_action": ids})
    assert "You are about to dismiss the 2 selected requests" in words


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
    assert f"Applied by a reviewer on “{request.work.title}” at " in words
    assert f"(entry #{entry.pk})" in words
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


def test_reverting_only_entries_already_reverted_offers_no_yes(client, librarian):
    """Selecting only entries reverted already asked "Are you sure?" with a "Yes, revert it"
    that ended in "0 reverted, 1 left as it was". The page says it would change nothing."""
    request = needs_review()
    review.request_approve(request=request, actor=librarian, fields=["publisher"])
    entry = AuditLogEntry.objects.get(action="review_apply")
    revert.audit_revert(entry=entry, actor=librarian)
    chosen = {"action": "revert_selected", "index": "0", "_selected_action": [entry.pk]}

    page = client.post(AUDIT_URL, chosen).content.decode()
    words = text_of(page[page.index('<div id="content-main">') :])

    assert (
        "Reverting the selected audit log entry would change nothing: each is already "
        "reverted, changed since, or has nothing that can be put back." in words
    )
    assert "Yes, revert" not in page and "Back to the list" in words


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
