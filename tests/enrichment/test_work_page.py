"""The work page shows its enrichment (status, confidence, last try, links to its requests, its
audit entries and its History, where enrichment's changes are written), one label per cover
field with the hash and verification read-only, subjects as a list; the works list shows an
ISBN. What a librarian sees, through the admin pages."""

import datetime
import hashlib
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Edition, Work
from enrichment import revert, review
from enrichment.history import WORKER_USERNAME
from enrichment.models import AuditLogEntry, EnrichmentRequest
from tests.enrichment.fakes import FakeProvider
from tests.enrichment.test_apply_path import FIXTURE_COVER, cover_host, enrich, record
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
__all__ = ["cover_host"]  # the fixture, used by these tests too


def work_url(work) -> str:
    return reverse("admin:catalog_work_change", args=[work.pk])


def enriched_coraline() -> tuple[Work, Edition, EnrichmentRequest]:
    """Coraline, enriched by the worker: a high-confidence match fills the empty fields and
    applies the cover (two audit entries)."""
    work = make_work("Coraline", authors=["Neil Gaiman"])
    edition = make_edition(work, isbn13="9780060557812", publisher="Old Press")
    provider = FakeProvider(
        answers={edition.isbn13: [record(edition.isbn13, publisher="Harper", cover_id="11")]}
    )
    request = EnrichmentRequest.objects.create(work=work, trigger="command")
    enrich(request, provider)
    request.refresh_from_db()
    return Work.objects.get(pk=work.pk), edition, request


def fieldset(html: str, title: str) -> str:
    """The HTML of the change form's fieldset with this heading."""
    match = re.search(rf"<fieldset[^>]*>\s*<h2[^>]*>{title}</h2>(.*?)</fieldset>", html, re.S)
    assert match, f"no {title} fieldset"
    return match.group(1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- The "Enrichment" section ------------------------------------------------------------------


def test_the_work_page_shows_its_enrichment_and_links_to_its_requests_audit_and_history(
    client, librarian, cover_host
):
    work, _edition, request = enriched_coraline()
    other = make_work("Another Book")
    EnrichmentRequest.objects.create(work=other, trigger="command")

    html = client.get(work_url(work)).content.decode()
    section = fieldset(html, "Enrichment")
    words = text_of(section)
    assert "Status: Enriched" in words and "Confidence: High" in words
    assert f"Completeness: {work.completeness} %" in words
    # Under a minute in seconds, where Django's timesince said "(0 minutes ago)".
    assert re.search(r"Last try: .+ \(\d+.s ago\): completed — request #\d+", words)
    assert reverse("admin:enrichment_enrichmentrequest_change", args=[request.pk]) in section

    description = re.search(r'<div class="description">(.*?)</div>', section, re.S).group(1)
    links = dict(re.findall(r'<a href="([^"]+)">([^<]+)</a>', description))
    requests_url, audit_url, history_url = links
    assert links[requests_url] == "Its enrichment requests (1)"
    assert links[audit_url] == "Its audit log entries (2)"
    assert history_url == reverse("admin:catalog_work_history", args=[work.pk])
    # Each link opens the list of this work's rows only.
    requests_page = client.get(requests_url.replace("&amp;", "&")).content.decode()
    assert "Coraline" in requests_page and "Another Book" not in requests_page
    audit_page = client.get(audit_url).content.decode()
    assert audit_page.count('class="action-checkbox"') == 2
    assert client.get(history_url).status_code == 200


def test_the_audit_log_opened_from_a_work_or_an_edition_says_whose_entries_it_lists(
    client, librarian, cover_host
):
    """The list narrowed to one work by the page's link looked like the whole log but for its
    count: the lookup is in no filter, so nothing on the page named the work."""
    work, edition, _request = enriched_coraline()
    audit_url = reverse("admin:enrichment_auditlogentry_changelist")

    def subtitle(query: str) -> str:
        page = client.get(f"{audit_url}?{query}").content.decode()
        match = re.search(r"<h2>([^<]*)</h2>\s*<div id=\"content-main\"", page)
        return match.group(1) if match else ""

    assert subtitle(f"work__id__exact={work.pk}") == "Only the entries of the work “Coraline”"
    assert subtitle(f"edition__id__exact={edition.pk}") == (
        f"Only the entries of the edition “{edition}”"
    )
    assert subtitle("") == "" and subtitle("work__id__exact=999999") == ""


def list_subtitle(page: str) -> str:
    match = re.search(r"<h2>([^<]*)</h2>\s*<div id=\"content-main\"", page)
    return match.group(1) if match else ""


def test_the_requests_list_opened_from_a_work_or_an_author_says_whose_requests_it_lists(
    client, librarian, cover_host
):
    """Its enrichment requests, from the work's or the author's page: the list named no one,
    so it looked like the whole queue but for its count."""
    work, _edition, _request = enriched_coraline()
    author = work.credits.get().author
    EnrichmentRequest.objects.create(author=author, trigger="command")

    for page_url, whose in (
        (work_url(work), "the work “Coraline”"),
        (reverse("admin:catalog_author_change", args=[author.pk]), "the author “Neil Gaiman”"),
    ):
        page = client.get(page_url).content.decode()
        link = re.search(r'href="([^"]*enrichmentrequest/\?[^"]*)">Its enrichment requests', page)
        assert link, page_url
        listed = client.get(link.group(1).replace("&amp;", "&")).content.decode()
        assert list_subtitle(listed) == f"Only the requests of {whose}"
    whole = client.get(reverse("admin:enrichment_enrichmentrequest_changelist"))
    assert list_subtitle(whole.content.decode()) == ""


def test_a_pending_works_next_try_is_in_the_admins_format(client, librarian, settings, monkeypatch):
    """ "next try at 17:25" (or "Nov 30, 17:25") was written its own way beside "Nov. 30, 2026,
    5:25 p.m." for the last try."""
    settings.TIME_ZONE = "America/New_York"
    work = make_work("Waiting")
    tried = datetime.datetime(2026, 11, 30, 22, 25, tzinfo=datetime.UTC)
    # The database's clock five minutes after the try: its next try is still ahead.
    monkeypatch.setattr(
        "enrichment.waiting.database_now", lambda: tried + datetime.timedelta(minutes=5)
    )
    EnrichmentRequest.objects.create(
        work=work,
        trigger="command",
        attempts=1,
        claimed_at=tried - datetime.timedelta(minutes=1),
        finished_at=tried,
        next_attempt_at=tried + datetime.timedelta(hours=1),
    )
    words = text_of(fieldset(client.get(work_url(work)).content.decode(), "Enrichment"))
    assert "Last try: Nov. 30, 2026, 5:25 p.m. (" in words
    assert "; next try at Nov. 30, 2026, 6:25 p.m. — request #" in words


@pytest.mark.parametrize(
    ("next_try_in", "says"),
    [
        (datetime.timedelta(minutes=-2), "; next try due now — request #"),
        (datetime.timedelta(hours=-3), "; next try overdue since "),
        (datetime.timedelta(hours=1), "; next try at "),
    ],
)
def test_a_pending_works_next_try_in_the_past_says_due_or_overdue(
    client, librarian, next_try_in, says
):
    """A next try the sweep had not taken yet read "next try at 8:10" at 11:10, as if still
    ahead: past, it is due (taken at the next sweep) or, long past, overdue (something holds
    it), on the database's clock (SQLite's is this machine's)."""
    from django.utils import timezone

    work = make_work("Held by the sweep")
    tried = timezone.now() - datetime.timedelta(hours=4)
    EnrichmentRequest.objects.create(
        work=work,
        trigger="command",
        attempts=1,
        claimed_at=tried - datetime.timedelta(minutes=1),
        finished_at=tried,
        next_attempt_at=timezone.now() + next_try_in,
    )
    words = text_of(fieldset(client.get(work_url(work)).content.decode(), "Enrichment"))
    assert says in words
    if next_try_in < datetime.timedelta(0):
        assert "; next try at" not in words


def test_a_work_whose_proposal_was_dismissed_says_dismissed_and_by_whom(client, librarian):
    """Its last try said "skipped", as when the engine skips a book: a reviewer turned it down."""
    from tests.enrichment.test_review import needs_review

    request = needs_review()
    review.request_dismiss(request=request, actor=librarian, reason="wrong book")
    words = text_of(fieldset(client.get(work_url(request.work)).content.decode(), "Enrichment"))
    assert re.search(rf": dismissed by libby — request #{request.pk}\b", words)
    assert "skipped" not in words


def test_a_work_never_enriched_says_so_and_a_new_work_has_no_section(client, librarian):
    work = make_work("Fresh")
    words = text_of(fieldset(client.get(work_url(work)).content.decode(), "Enrichment"))
    assert "Status: Not enriched yet" in words and "Confidence: –" in words
    assert "Last try: Never: no enrichment request yet." in words
    add_page = client.get(reverse("admin:catalog_work_add")).content.decode()
    assert ">Enrichment</h2>" not in add_page


def test_a_viewer_without_the_enrichment_lists_gets_no_link_to_them(client):
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(*Group.objects.get(name="Librarian").permissions.filter(
        content_type__app_label="catalog"
    ))  # fmt: skip
    client.force_login(clerk)
    section = fieldset(client.get(work_url(make_work("Fresh"))).content.decode(), "Enrichment")
    assert "Its enrichment requests" not in section and "Its audit log entries" not in section
    assert "History" in section


# --- History -----------------------------------------------------------------------------------


def test_enrichment_changes_are_in_the_work_history_by_the_worker_or_the_reviewer(
    client, librarian, cover_host
):
    work, _edition, request = enriched_coraline()
    # A reviewer then picks the provider's publisher over "Old Press", and reverts it.
    review.request_approve(request=request, actor=librarian, fields=["publisher"])
    chosen = AuditLogEntry.objects.get(action="review_apply")
    revert.audit_revert(entry=chosen, actor=librarian)

    history = LogEntry.objects.filter(object_id=str(work.pk)).order_by("pk")
    assert [entry.action_flag for entry in history] == [CHANGE] * 4  # one per audit entry
    messages = [entry.get_change_message() for entry in history]
    # Publisher, pages, the cover are the edition's: the History names it (it said "Changed
    # Cover", as if the work's own), and what a revert put back.
    of_edition = "of its edition ISBN 9780060557812"
    assert re.fullmatch(
        rf"Changed .*Pages.* {of_edition} by the enrichment worker "
        r"\(enrichment audit entry #\d+\)\.",
        messages[0],
    ), messages[0]
    assert re.fullmatch(
        rf"Changed Cover {of_edition} by the enrichment worker \(.+\)\.", messages[1]
    )
    assert messages[2] == (
        f"Changed Publisher {of_edition} by libby (enrichment audit entry #{chosen.pk})."
    )
    assert re.fullmatch(
        rf"Reverted Publisher {of_edition} by libby \(.+ which reverts #{chosen.pk}\)\. "
        r"Put back Publisher “Old Press”\.",
        messages[3],
    ), messages[3]
    assert [entry.user.username for entry in history] == [WORKER_USERNAME] * 2 + ["libby"] * 2

    page = text_of(
        client.get(reverse("admin:catalog_work_history", args=[work.pk])).content.decode()
    )
    assert f"Changed Cover {of_edition} by the enrichment worker" in page
    assert f"Reverted Publisher {of_edition} by libby" in page


def test_the_worker_in_the_history_cannot_log_in(cover_host):
    enriched_coraline()
    worker = User.objects.get(username=WORKER_USERNAME)
    assert not worker.is_active and not worker.has_usable_password() and not worker.is_staff


def test_a_dismissal_changes_nothing_and_writes_no_history(librarian):
    from tests.enrichment.test_review import needs_review

    request = needs_review()
    review.request_dismiss(request=request, actor=librarian, reason="not this book")
    assert AuditLogEntry.objects.filter(action="dismiss").exists()
    assert not LogEntry.objects.exists()


def test_an_editions_history_points_to_its_works_history_and_its_audit_entries(
    client, librarian, cover_host
):
    """Enrichment writes an edition's changes (publisher, cover) in its work's History: the
    edition's own History said only "This object doesn't have a change history"."""
    work, edition, _request = enriched_coraline()
    make_edition(work, isbn13="9780747263746")  # a sibling, with no entries of its own

    page = client.get(reverse("admin:catalog_edition_history", args=[edition.pk])).content
    note = page.decode().split('class="help enrichment-history">', 1)[1].split("</p>", 1)[0]
    assert re.sub(r"<[^>]+>", "", note) == (
        "Enrichment’s changes to this edition are in its work’s History and in its 2 audit log "
        "entries."
    )
    work_history, audit = re.findall(r'<a href="([^"]+)">', note)
    assert work_history == reverse("admin:catalog_work_history", args=[work.pk])
    assert "Coraline" in client.get(work_history).content.decode()
    audit_page = client.get(audit.replace("&amp;", "&")).content.decode()
    assert audit_page.count('class="action-checkbox"') == 2


def test_an_editions_history_names_the_audit_log_only_to_who_may_see_it(
    client, librarian, cover_host
):
    _work, edition, _request = enriched_coraline()
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(*Permission.objects.filter(codename__in=["view_edition"]))
    client.force_login(clerk)

    page = client.get(reverse("admin:catalog_edition_history", args=[edition.pk])).content
    note = page.decode().split('class="help enrichment-history">', 1)[1].split("</p>", 1)[0]
    assert re.sub(r"<[^>]+>", "", note) == (
        "Enrichment’s changes to this edition are in its work’s History."
    )


# --- The cover fields and subjects --------------------------------------------------------------


def test_each_cover_field_has_its_own_label_and_the_checks_are_read_only(
    client, librarian, cover_host
):
    work, edition, _request = enriched_coraline()
    for url in (work_url(work), reverse("admin:catalog_edition_change", args=[edition.pk])):
        html = client.get(url).content.decode()
        cover = fieldset(html, "Cover")
        labels = [
            text_of(label).strip()
            for label in re.findall(r"<label[^>]*>(.*?)</label>", cover, re.S)
            if text_of(label).strip().endswith(":")  # not the file input's "Clear" box
        ]
        # The work shows its edition's cover and holds none of its own: nothing of it checked.
        checks = ["Image checked:", "File fingerprint (SHA-256):"] if "edition" in url else []
        assert labels == ["Shown:", "Image file:", "Source:", "Source URL:", *checks]
        assert 'name="cover_sha256"' not in html and 'name="cover_verified_at"' not in html
    edition.refresh_from_db()
    edition_cover = fieldset(html, "Cover")
    assert edition.cover_sha256 in edition_cover  # shown, not editable


def change_form_data(response) -> dict:
    """What the browser posts back for the change form as rendered (inlines included)."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if value is None or getattr(field.widget, "input_type", "") == "file":
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
                continue
            data[bound.html_name] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for form in formset.forms:
            add(form)
    return data


def test_subjects_are_a_list_one_per_line_never_raw_json(client, librarian):
    work = make_work("Neverwhere", subjects=["London (England)", "Fantasy fiction"])
    response = client.get(work_url(work))
    html = response.content.decode()
    textarea = re.search(r'<textarea name="subjects"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert textarea.strip() == "London (England)\nFantasy fiction"
    assert "[&quot;" not in html and '["London' not in html

    data = change_form_data(response)
    data["subjects"] = "Fantasy fiction\n\n  Urban fantasy  \nLondon (England)\n"
    assert client.post(work_url(work), data).status_code == 302
    work.refresh_from_db()
    assert work.subjects == ["Fantasy fiction", "Urban fantasy", "London (England)"]


def test_an_image_uploaded_by_hand_replaces_the_fetched_one_checked_and_stored_as_it_was(
    client, librarian, cover_host, django_capture_on_commit_callbacks
):
    _work, edition, _request = enriched_coraline()
    url = reverse("admin:catalog_edition_change", args=[edition.pk])
    response = client.get(url)
    edition.refresh_from_db()
    fetched = (edition.cover.name, edition.cover_sha256)
    assert edition.cover_sha256 and edition.cover_verified_at and edition.cover_thumbnail

    data = change_form_data(response)
    data["cover_sha256"] = "f" * 64  # read-only: ignored
    with open(FIXTURE_COVER, "rb") as f:
        scan = f.read()
    data["cover"] = SimpleUploadedFile("my-scan.jpg", scan, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    # Checked and stored as a fetched cover is (tests/enrichment/test_cover_uploads.py), by its
    # hash; the fetched one's source does not stay with it.
    assert edition.cover_sha256 == hashlib.sha256(scan).hexdigest() != fetched[1]
    assert "my-scan" not in edition.cover.name and edition.cover_thumbnail
    assert edition.cover_verified_at is not None
    assert edition.cover_source == "upload" and edition.cover_source_url == ""
    # Nothing shows the fetched cover now and no audit entry could put it back (an entry keeps
    # the cover it replaced): its files go (enrichment/covers/cleanup.py's one rule).
    assert not storages["default"].exists(fetched[0])
    words = text_of(fieldset(client.get(url).content.decode(), "Cover"))
    assert f"File fingerprint (SHA-256): {edition.cover_sha256}" in words


def test_saving_the_page_without_touching_the_cover_keeps_its_checks(client, librarian, cover_host):
    _work, edition, _request = enriched_coraline()
    url = reverse("admin:catalog_edition_change", args=[edition.pk])
    edition.refresh_from_db()
    before = (edition.cover.name, edition.cover_sha256, edition.cover_verified_at)
    data = change_form_data(client.get(url))
    data["publisher"] = "Harper Collins"
    assert client.post(url, data).status_code == 302
    edition.refresh_from_db()
    assert (edition.cover.name, edition.cover_sha256, edition.cover_verified_at) == before
    assert edition.publisher == "Harper Collins"


# --- The works list ------------------------------------------------------------------------------


def test_the_works_list_shows_each_works_isbn(client, librarian):
    with_isbn = make_work("With an ISBN")
    make_edition(with_isbn, isbn13=None, isbn10="")  # no ISBN: the next edition's is shown
    make_edition(with_isbn, isbn13="9780306406157")
    only_ten = make_work("Only an ISBN-10")
    make_edition(only_ten, isbn13=None, isbn10="080442957X")
    make_work("No edition")
    html = client.get(reverse("admin:catalog_work_changelist")).content.decode()
    table = html[html.index('id="result_list"') : html.index("</table>", html.index("result_list"))]
    rows = table.split("<tr")[2:]  # after the header row
    cells = {
        text_of(re.search(r'field-display_title">(.*?)</t[dh]>', row, re.S).group(1)).strip(): (
            text_of(re.search(r'field-isbn">(.*?)</td>', row, re.S).group(1)).strip()
        )
        for row in rows
    }
    assert cells == {
        "With an ISBN": "9780306406157",
        "Only an ISBN-10": "080442957X",
        "No edition": "–",  # the dash every empty cell shows
    }
