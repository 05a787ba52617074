"""Links between admin pages lead only where their reader may go (bookstore.admin_links): a
staff user with few permissions was shown links that answered "403 Forbidden"."""

import re
from datetime import timedelta

import pytest
import responses
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from catalog.models import Edition, ImportJob
from enrichment.models import AuditLogEntry, EnrichmentRequest, SourceRecord
from enrichment.proposals import CandidateSeen
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.providers.helpers import load
from tests.enrichment.test_engine import enqueue_and_run
from tests.enrichment.test_review import needs_review
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def staff(*codenames: str) -> User:
    user = User.objects.create_user("reader", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def hrefs(page: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', page)}


def forbidden(client, page: str) -> list[str]:
    """The page's links into the admin that answer 403 for the signed-in user."""
    return sorted(
        href
        for href in hrefs(page)
        if href.startswith("/admin/") and "logout" not in href
        if client.get(href).status_code == 403
    )


@pytest.fixture
def work_with_request():
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780380789016", cover="covers/synthetic-edition.jpg")
    request = EnrichmentRequest.objects.create(work=work, trigger="command")
    return work, request


def test_the_dashboard_links_no_list_its_reader_may_not_open(client, work_with_request):
    """A user who may follow the queue (and so the dashboard) but not open the works, authors,
    imports or bulk operations was shown every figure as a link to a 403. The figures stay,
    unlinked; the queue's links stay."""
    ImportJob.objects.create(original_filename="running.csv", status="running", rows_total=10)
    client.force_login(staff("view_enrichmentrequest"))
    page = client.get(reverse("admin:enrichment_dashboard")).content.decode()

    assert forbidden(client, page) == []
    assert re.search(r"<a id=\"authors-total\">\s*<strong>1</strong> author", page)
    assert "running.csv" in page
    assert "All imports" not in page and "All bulk operations" not in page
    assert f"{reverse('admin:enrichment_enrichmentrequest_changelist')}?status__exact=" in page

    client.force_login(User.objects.create_superuser("root", password="pw"))
    page = client.get(reverse("admin:enrichment_dashboard")).content.decode()
    listed = hrefs(page)
    assert reverse("admin:catalog_work_changelist") in listed
    assert reverse("admin:catalog_importjob_changelist") in listed
    assert "All imports" in page and "All bulk operations" in page


def test_a_works_page_links_its_request_and_edition_only_for_who_may_open_them(
    client, work_with_request
):
    """A user who may only view works read "request #1" and the edition whose cover the work
    shows as links, each to a 403: they are said, unlinked."""
    work, request = work_with_request
    work_url = reverse("admin:catalog_work_change", args=[work.pk])
    client.force_login(staff("view_work"))
    page = client.get(work_url).content.decode()

    assert forbidden(client, page) == []
    assert f"request #{request.pk}" in page
    assert "this one is its edition&#x27;s. 9780380789016" in page

    client.force_login(User.objects.create_superuser("root", password="pw"))
    listed = hrefs(client.get(work_url).content.decode())
    assert reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]) in listed
    edition = work.editions.get()
    assert reverse("admin:catalog_edition_change", args=[edition.pk]) in listed


def test_a_requests_page_opens_its_work_only_for_who_may_open_it(client, work_with_request):
    """Its "Open the work" button and its "Book or author" link led a user who may follow the
    queue but not open works to a 403."""
    work, request = work_with_request
    request_url = reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    client.force_login(staff("view_enrichmentrequest"))
    page = client.get(request_url).content.decode()

    assert forbidden(client, page) == []
    assert "Open the work" not in page
    assert "Neverwhere" in page

    client.force_login(User.objects.create_superuser("root", password="pw"))
    page = client.get(request_url).content.decode()
    assert "Open the work" in page
    assert reverse("admin:catalog_work_change", args=[work.pk]) in hrefs(page)


def test_a_requests_history_links_its_audit_entries_only_for_who_may_open_them(
    client, work_with_request
):
    """A reviewer who may not read the audit log had each line of the review page's History
    linked (its time) to the audit entry's page, a 403. The line stays, its time unlinked."""
    work, request = work_with_request
    entry = AuditLogEntry.objects.create(
        work=work,
        request=request,
        action="auto_apply",
        changes={"publisher": {"old": "", "new": "Harper", "target": "edition"}},
    )
    request_url = reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    entry_url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    reviewer = staff("view_enrichmentrequest", "review_enrichment")
    client.force_login(reviewer)
    page = client.get(request_url).content.decode()

    assert forbidden(client, page) == []
    assert "History" in page and "Publisher" in page

    reviewer.user_permissions.add(Permission.objects.get(codename="view_auditlogentry"))
    client.force_login(User.objects.get(pk=reviewer.pk))
    assert entry_url in hrefs(client.get(request_url).content.decode())


def test_the_audit_log_links_works_authors_and_requests_only_for_who_may_open_them(
    client, work_with_request
):
    """A user who may read the audit log but not open works or requests had each row's work
    and "request #N" linked to a 403, in the list and on the entry's page."""
    work, request = work_with_request
    author = work.credits.get().author
    entry = AuditLogEntry.objects.create(
        work=work, request=request, action="auto_apply", changes={}
    )
    AuditLogEntry.objects.create(author=author, action="auto_apply", changes={})
    list_url = reverse("admin:enrichment_auditlogentry_changelist")
    entry_url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    client.force_login(staff("view_auditlogentry"))

    for url in (list_url, entry_url):
        page = client.get(url).content.decode()
        assert forbidden(client, page) == [], url
        assert "Neverwhere" in page and f"#{request.pk}" in page

    client.force_login(User.objects.create_superuser("root", password="pw"))
    listed = hrefs(client.get(list_url).content.decode())
    assert reverse("admin:catalog_work_change", args=[work.pk]) in listed
    assert reverse("admin:catalog_author_change", args=[author.pk]) in listed
    assert reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]) in listed


def listing_its_isbn(request: EnrichmentRequest, *more: CandidateSeen) -> EnrichmentRequest:
    """The request with its candidate listing the ISBN it was asked for, and `more` after it."""
    details = request.match_details
    details.candidates[0].isbn13 = [Edition.objects.get(work=request.work_id).isbn13]
    details.candidates.extend(more)
    request.match_details = details
    request.save(update_fields=["match_details"])
    return request


def test_a_candidates_cached_answer_is_linked_only_for_who_may_open_source_records(client):
    """A reviewer without "view source record" read "Records: … · cached answer", a link to
    the source records' list that answered 403; the provider's own links stay."""
    request = listing_its_isbn(needs_review())
    reviewer = staff("view_enrichmentrequest", "review_enrichment", "view_work")
    client.force_login(reviewer)
    page = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()

    assert forbidden(client, page) == []
    assert "Records:" in page and "cached answer" not in page

    reviewer.user_permissions.add(Permission.objects.get(codename="view_sourcerecord"))
    client.force_login(User.objects.get(pk=reviewer.pk))
    page = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()
    assert "cached answer" in page
    assert any(
        href.startswith(reverse("admin:enrichment_sourcerecord_changelist")) for href in hrefs(page)
    )


def test_work_author_and_edition_history_pages_link_the_lists_their_reader_may_open(
    client, work_with_request
):
    """Their "Its enrichment requests" / "Its audit log entries" links (an edition's: on its
    History) asked a permission's name of their own, not whether the list opens: a user given
    "change" on the queue and the audit log (which the admin counts as viewing them, both lists
    being read-only) opened both lists but was never linked to them."""
    work, _request = work_with_request
    author = work.credits.get().author
    edition = work.editions.get()
    AuditLogEntry.objects.create(edition=edition, work=work, action="auto_apply", changes={})
    # Something to list: a count of 0 is no link (bookstore.admin_links.count_link).
    EnrichmentRequest.objects.create(author=author, trigger="command")
    AuditLogEntry.objects.create(author=author, action="auto_apply", changes={})
    client.force_login(
        staff(
            "view_work",
            "view_author",
            "view_edition",
            "change_enrichmentrequest",
            "change_auditlogentry",
        )
    )
    requests_list = reverse("admin:enrichment_enrichmentrequest_changelist")
    audit_list = reverse("admin:enrichment_auditlogentry_changelist")

    pages = {
        "work": (
            reverse("admin:catalog_work_change", args=[work.pk]),
            [
                f"{requests_list}?work__id__exact={work.pk}",
                f"{audit_list}?work__id__exact={work.pk}",
            ],
        ),
        "author": (
            reverse("admin:catalog_author_change", args=[author.pk]),
            [
                f"{requests_list}?author__id__exact={author.pk}",
                f"{audit_list}?author__id__exact={author.pk}",
            ],
        ),
        "edition": (
            reverse("admin:catalog_edition_history", args=[edition.pk]),
            [f"{audit_list}?edition__id__exact={edition.pk}"],
        ),
    }
    for kind, (url, lists) in pages.items():
        page = client.get(url).content.decode()
        assert forbidden(client, page) == [], kind
        for narrowed in lists:
            assert any(href.startswith(narrowed) for href in hrefs(page)), (kind, narrowed)
            assert client.get(narrowed).status_code == 200


def test_an_editions_history_links_its_works_history_only_for_who_may_open_it(
    client, work_with_request
):
    """A user who may view editions but not works read "Enrichment's changes to this edition
    are in its work's History", linked to the work's History: a 403. The sentence stays,
    unlinked."""
    work, _request = work_with_request
    edition = work.editions.get()
    AuditLogEntry.objects.create(edition=edition, work=work, action="auto_apply", changes={})
    history = reverse("admin:catalog_edition_history", args=[edition.pk])
    work_history = reverse("admin:catalog_work_history", args=[work.pk])
    reader = staff("view_edition")
    client.force_login(reader)
    page = client.get(history).content.decode()

    assert forbidden(client, page) == []
    assert "are in its work’s History" in page

    reader.user_permissions.add(Permission.objects.get(codename="view_work"))
    client.force_login(User.objects.get(pk=reader.pk))
    assert work_history in hrefs(client.get(history).content.decode())


def test_a_candidate_without_an_isbn_has_no_cached_answer_link(client):
    """A record found by title and author gives no ISBN: its "cached answer" linked the source
    records' list searched for nothing (`q=`), every answer of the provider. It is not linked;
    a candidate with an ISBN keeps its link, narrowed to that ISBN."""
    request = listing_its_isbn(
        needs_review(), CandidateSeen(provider="openlibrary", title="Neverwhere (by title)")
    )
    with_isbn = request.match_details.candidates[0]
    client.force_login(staff("view_enrichmentrequest", "view_sourcerecord", "view_work"))

    page = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()

    source_records = reverse("admin:enrichment_sourcerecord_changelist")
    cached = [href for href in hrefs(page) if href.startswith(source_records + "?")]
    assert cached == [
        f"{source_records}?provider__exact={with_isbn.provider}&q={with_isbn.isbn13[0]}"
    ]
    assert page.count("cached answer") == 1


def test_a_candidate_answered_for_our_isbn_links_that_cached_answer(client):
    """The usual medium match, a record the provider gave for the ISBN we asked that lists
    none itself, had no "cached answer" link. It links the answer to the ISBN asked: the
    source records' list narrowed to exactly that answer."""
    request = needs_review()
    asked = Edition.objects.get(work=request.work_id).isbn13
    assert request.match_details.candidates[0].isbn13 == []
    answer = SourceRecord.objects.create(
        provider="openlibrary",
        lookup_key=f"isbn:{asked}",
        status=SourceRecord.Status.HIT,
        payload={},
        fetched_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=1),
    )
    for provider, key in [("openlibrary", "isbn:9780060557812"), ("google_books", f"isbn:{asked}")]:
        SourceRecord.objects.create(
            provider=provider,
            lookup_key=key,
            status=SourceRecord.Status.HIT,
            payload={},
            fetched_at=timezone.now(),
            expires_at=timezone.now() + timedelta(days=1),
        )
    client.force_login(staff("view_enrichmentrequest", "view_sourcerecord", "view_work"))

    page = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()

    source_records = reverse("admin:enrichment_sourcerecord_changelist")
    cached = [href for href in hrefs(page) if href.startswith(source_records + "?")]
    assert len(cached) == 1
    listed = client.get(cached[0])
    assert list(listed.context["cl"].result_list) == [answer]


def test_a_title_search_candidate_links_its_searchs_cached_answer(client, settings):
    """A book without an ISBN matched by Open Library's title search: its record lists the
    work's ISBNs, and "cached answer" searched the source records for the first of them, an
    ISBN no answer is kept under: an empty list. It now opens exactly the search's answer."""
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    settings.OPENLIBRARY_RATE = 1000.0  # no waiting between this test's requests
    work = make_work("The Lord of the Rings", authors=["J. R. R. Tolkien"])
    docs = load("openlibrary", "search__author_tolkien__title_lord_of_the_rings__2013.json")
    with responses.RequestsMock() as http:
        http.add(responses.GET, "https://openlibrary.org/search.json", json=docs)
        enqueue_and_run([OpenLibraryProvider()], work_ids=[work.pk])
    request = EnrichmentRequest.objects.get(work=work)
    assert request.status == "needs_review" and request.match_details.candidates[0].isbn13
    client.force_login(staff("view_enrichmentrequest", "view_sourcerecord", "view_work"))

    page = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()

    source_records = reverse("admin:enrichment_sourcerecord_changelist")
    cached = [href for href in hrefs(page) if href.startswith(source_records + "?")]
    assert len(cached) == 1
    listed = client.get(cached[0])
    search = SourceRecord.objects.get(lookup_key__startswith="search:")
    assert list(listed.context["cl"].result_list) == [search]


def test_a_local_dump_candidate_has_no_cached_answer_link(client):
    """The local Open Library dump is read from its tables each time and keeps no answer, yet
    its candidate's "cached answer" opened the source records' list searched for its ISBN:
    always empty. It is not linked; the web provider's candidate keeps its link."""
    request = listing_its_isbn(needs_review())
    asked = Edition.objects.get(work=request.work_id).isbn13
    request = listing_its_isbn(
        request,
        CandidateSeen(
            provider="openlibrary_dump", title="Neverwhere", isbn13=[asked], queried_isbn=asked
        ),
    )
    client.force_login(staff("view_enrichmentrequest", "view_sourcerecord", "view_work"))

    page = client.get(
        reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk])
    ).content.decode()

    source_records = reverse("admin:enrichment_sourcerecord_changelist")
    cached = [href for href in hrefs(page) if href.startswith(source_records + "?")]
    assert cached == [f"{source_records}?provider__exact=openlibrary&q={asked}"]
    assert "Open Library (local dump): Neverwhere" in page
