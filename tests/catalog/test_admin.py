import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import Author, Edition, Work
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db

WORKS_URL = reverse("admin:catalog_work_changelist")


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        WORKS_URL,
        reverse("admin:catalog_edition_changelist"),
        reverse("admin:catalog_author_changelist"),
    ],
)
def test_anonymous_users_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_non_staff_users_cannot_enter(client):
    client.force_login(User.objects.create_user("reader", password="pw"))
    response = client.get(WORKS_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_without_permission_is_refused_the_works_list(client):
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=True))
    assert client.get(WORKS_URL).status_code == 403


def test_staff_with_view_permission_sees_the_works_list(client):
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_work"))
    client.force_login(clerk)
    make_work("Neverwhere", authors=["Neil Gaiman"])
    response = client.get(WORKS_URL)
    assert response.status_code == 200
    assert b"Neverwhere" in response.content


def test_a_work_read_without_the_right_to_edit_it_lists_its_subjects_one_per_line(client):
    """A user who may only view works read its subjects as the raw JSON list,
    ["Western", "Fiction"], where the form edits them one per line."""
    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_work"))
    client.force_login(clerk)
    work = make_work("Neverwhere", authors=["Neil Gaiman"], subjects=["Fantasy", "London"])
    bare = make_work("Stardust", authors=["Neil Gaiman"])

    page = client.get(reverse("admin:catalog_work_change", args=[work.pk])).content.decode()
    assert "[&quot;Fantasy&quot;" not in page and '["Fantasy"' not in page
    assert re.search(r'<div class="readonly">Fantasy<br>London</div>', page)
    page = client.get(reverse("admin:catalog_work_change", args=[bare.pk])).content.decode()
    assert re.search(r"<label>Subjects:</label>\s*<div class=\"readonly\">–</div>", page)


def test_admin_site_is_branded(superuser_client):
    response = superuser_client.get(reverse("admin:index"))
    assert b"Bookstore catalog" in response.content
    # django-q2 registers its own admin pages on our site.
    assert b"django_q" in response.content or b"Task queue" in response.content


def test_works_list_shows_thumbnails_with_edition_cover_inheritance(superuser_client):
    covered_work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(covered_work)
    edition.cover.save("neverwhere.jpg", ContentFile(b"jpeg"))
    make_work("Coraline", authors=["Neil Gaiman"])

    response = superuser_client.get(WORKS_URL)
    html = response.content.decode()
    assert f'src="{edition.cover.url}"' in html
    assert 'class="cover-thumb cover-missing"' in html  # Coraline has none


def test_works_list_makes_no_query_per_row(superuser_client):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert superuser_client.get(WORKS_URL).status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        make_edition(make_work(f"Book {i}", authors=[f"Author {i}"]))
    few = count_queries()
    for i in range(3, 30):
        make_edition(make_work(f"Book {i}", authors=[f"Author {i}", f"Co-author {i}"]))
    assert count_queries() == few


@pytest.mark.parametrize(
    "term",
    ["9780306406157", "978-0-306-40615-7", "0306406152", "0-306-40615-2", " 978 0306 406157 "],
)
def test_works_are_found_by_any_spelling_of_an_isbn(superuser_client, term):
    wanted = make_work("The Wanted Book")
    make_edition(wanted, isbn13="9780306406157", isbn10="0306406152")
    make_edition(make_work("Another Book"))
    response = superuser_client.get(WORKS_URL, {"q": term})
    assert b"The Wanted Book" in response.content
    assert b"Another Book" not in response.content


def test_editions_are_found_by_isbn10_with_x(superuser_client):
    make_edition(make_work("With X"), isbn13="9780804429573", isbn10="080442957X")
    response = superuser_client.get(
        reverse("admin:catalog_edition_changelist"), {"q": "0-8044-2957-x"}
    )
    assert b"9780804429573" in response.content


def test_works_are_found_by_title_and_author(superuser_client):
    make_work("Neverwhere", authors=["Neil Gaiman"])
    make_work("Dune", authors=["Frank Herbert"])
    by_author = superuser_client.get(WORKS_URL, {"q": "gaiman"}).content
    assert b"Neverwhere" in by_author and b"Dune" not in by_author
    by_title = superuser_client.get(WORKS_URL, {"q": "dune"}).content
    assert b"Dune" in by_title and b"Neverwhere" not in by_title


def test_has_cover_language_and_format_filters(superuser_client):
    covered = make_work("Covered")
    edition = make_edition(covered, language="es", format="paperback")
    edition.cover_verified_at = timezone.now()  # "Has a verified cover": its bytes were checked
    edition.cover.save("c.jpg", ContentFile(b"jpeg"))
    make_edition(make_work("Bare"), language="en", format="hardcover")

    with_cover = superuser_client.get(WORKS_URL, {"has_cover": "yes"}).content
    assert b"Covered" in with_cover and b"Bare" not in with_cover
    without = superuser_client.get(WORKS_URL, {"has_cover": "no"}).content
    assert b"Bare" in without and b"Covered" not in without
    spanish = superuser_client.get(WORKS_URL, {"editions__language": "es"}).content
    assert b"Covered" in spanish and b"Bare" not in spanish
    hardcover = superuser_client.get(WORKS_URL, {"editions__format": "hardcover"}).content
    assert b"Bare" in hardcover and b"Covered" not in hardcover


def test_the_books_of_no_format_have_a_choice_in_the_format_filters(superuser_client):
    """The format filters listed the formats only: the many books an export gives no format
    were in the list, but no choice picked them (the language filter has "no language")."""
    paperback = make_work("Paperback")
    make_edition(paperback, format="paperback")
    make_edition(paperback)  # an edition of no format: the work is still a paperback
    make_edition(make_work("Unformatted"))
    make_edition(make_work("Audio"), format="audiobook")

    def titles(url: str, params: dict) -> set[str]:
        page = superuser_client.get(url, params).content.decode()
        return set(re.findall(r'class="field-(?:display_title|title)"[^>]*>.*?>([^<]+)</a>', page))

    works = superuser_client.get(WORKS_URL).content.decode()
    assert re.search(r'<a href="\?editions__format=none">no format</a>', works)
    assert titles(WORKS_URL, {"editions__format": "none"}) == {"Unformatted"}
    assert titles(WORKS_URL, {"editions__format": "paperback"}) == {"Paperback"}
    # The choices' counts add up to the list, each work under the formats its editions name.
    counted = superuser_client.get(WORKS_URL, {"_facets": "1"}).content.decode()
    assert "no format (1)" in counted and "Paperback (1)" in counted

    editions_url = reverse("admin:catalog_edition_changelist")
    editions = superuser_client.get(editions_url).content.decode()
    assert re.search(r'<a href="\?format__exact=none">no format</a>', editions)
    page = superuser_client.get(editions_url, {"format__exact": "none"}).content.decode()
    assert page.count('class="action-select"') == 2


def test_work_page_shows_editions_inline_and_author_page_lists_works(superuser_client):
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    make_edition(work, isbn13="9780060557812", publisher="HarperTorch")
    page = superuser_client.get(reverse("admin:catalog_work_change", args=[work.pk])).content
    assert b"9780060557812" in page and b"HarperTorch" in page
    author = work.authors.get()
    author_page = superuser_client.get(
        reverse("admin:catalog_author_change", args=[author.pk])
    ).content
    assert b"Neverwhere" in author_page


def test_each_listed_rows_checkbox_is_the_one_djangos_widget_renders(superuser_client):
    """The lists write their checkboxes themselves (bookstore.admin_lists.QuickActionCheckbox-
    Mixin): the same HTML as Django's, which the admin's actions script selects by."""
    from django import forms
    from django.contrib.admin import helpers
    from django.utils.html import format_html

    work = make_work('Fish & "Chips"', authors=["Neil <Gaiman>"])
    author = work.authors.get()
    for url, obj in ((WORKS_URL, work), (reverse("admin:catalog_author_changelist"), author)):
        label = format_html("Select this object for an action - {}", str(obj))
        attrs = {"class": "action-select", "aria-label": label}
        widget = forms.CheckboxInput(attrs, lambda value: False)  # as Django builds it
        expected = widget.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))
        assert expected in superuser_client.get(url).content.decode(), url


def test_authors_without_a_sort_name_are_listed_by_name_among_the_others(superuser_client):
    """Goodreads gives no sort name for a co-author: such an author sits where its name would,
    not at the head of the list before every author that has one."""
    make_author("Zora Neale Hurston", sort_name="Hurston, Zora Neale")
    make_author("Octavia E. Butler", sort_name="Butler, Octavia E.")
    make_author("Kim Stanley Robinson")  # a co-author: no sort name
    make_author("Ted Chiang", sort_name="Chiang, Ted")

    page = superuser_client.get(reverse("admin:catalog_author_changelist")).content.decode()

    names = ["Octavia E. Butler", "Ted Chiang", "Zora Neale Hurston", "Kim Stanley Robinson"]
    positions = [page.index(f">{name}<") for name in names]
    assert positions == sorted(positions)
    # The list says which column it is ordered by: Sort name, not Name (which only breaks ties).
    assert 'class="sortable column-listed_sort_name sorted ascending"' in page
    assert 'class="sortable column-name sorted' not in page


def test_the_editions_list_names_each_editions_language_under_its_format(superuser_client):
    work = make_work("Cien años de soledad", authors=["Gabriel García Márquez"])
    make_edition(work, isbn13="9780307474728", format="paperback", language="es")
    page = superuser_client.get(reverse("admin:catalog_edition_changelist")).content.decode()
    assert 'Paperback<br><span class="quiet">Spanish</span>' in page


def test_the_editions_list_marks_the_columns_it_is_ordered_by(superuser_client):
    """Editions are listed by their work's title, then by publication: the Title column is
    marked as the first order and Published as the second, never Published alone above a list
    whose dates run 2008, 1959 (the order of the titles)."""
    import datetime

    for title, date in (("Zazie dans le métro", (1959, 1, 1)), ("Anathem", (2008, 9, 9))):
        published = {"publication_date": datetime.date(*date), "publication_date_precision": "day"}
        make_edition(make_work(title), **published)

    page = superuser_client.get(reverse("admin:catalog_edition_changelist")).content.decode()

    assert page.index(">Anathem<") < page.index(">Zazie dans le métro<")
    title = re.search(r'<th scope="col" class="([^"]*column-display_title[^"]*)"', page)
    published = re.search(r'<th scope="col" class="([^"]*column-publication[^"]*)"', page)
    assert title and "sorted ascending" in title.group(1)
    assert published and "sorted ascending" in published.group(1)
    # Title first, Published second, as the header's priority numbers say.
    header = page[page.index("column-display_title") : page.index("column-format_and_language")]
    priority = r'.*?<span class="sortpriority"[^>]*>{}</span>'
    assert re.search("column-display_title" + priority.format(1), header, re.S)
    assert re.search("column-publication" + priority.format(2), header, re.S)


def test_an_authors_empty_works_table_says_why(superuser_client):
    """An empty "Works" table under a redirect says its works went to the author it was merged
    into (linked), and under an author nobody credits, that no work names it."""
    kept = make_author("Fyodor Dostoevsky")
    make_work("The Idiot", authors=[kept])
    duplicate = make_author("Fyodor Dostoyevsky", merged_into=kept)
    alone = make_author("Nobody Wrote Anything")

    def works_note(author) -> str:
        url = reverse("admin:catalog_author_change", args=[author.pk])
        page = superuser_client.get(url).content.decode()
        match = re.search(r'<p class="help inline-empty">(.*?)</p>', page, re.S)
        assert match, author
        return match.group(1)

    kept_url = reverse("admin:catalog_author_change", args=[kept.pk])
    assert works_note(duplicate) == (
        f'None: its works moved to <a href="{kept_url}">Fyodor Dostoevsky</a> when it was '
        "merged into that author."
    )
    assert works_note(alone) == "No work names this author."
    page = superuser_client.get(kept_url).content.decode()
    assert 'class="help inline-empty"' not in page and "The Idiot" in page


def imported_book_with_its_records(title: str):
    """A book as an import leaves it: queued for enrichment, and an applied entry in the log."""
    from enrichment.models import AuditLogEntry, EnrichmentRequest

    work = make_work(title, authors=["Neil Gaiman"])
    make_edition(work)
    EnrichmentRequest.objects.create(work=work, trigger="import")
    AuditLogEntry.objects.create(work=work, action=AuditLogEntry.Action.AUTO_APPLY, changes={})
    return work


def librarian_who_may(client, *codenames: str):
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return client


@pytest.mark.parametrize("how", ["its page", "the list's action"])
def test_whoever_may_delete_a_book_deletes_it_with_its_enrichment_records(client, how):
    """Every imported book has an enrichment request, whose admin only shows it: Django asked
    for a permission to delete it that no account holds, so no imported book could be deleted,
    even by a superuser. The confirmation lists the records that go with the book."""
    from enrichment.models import AuditLogEntry, EnrichmentRequest

    work = imported_book_with_its_records("Neverwhere")
    kept = imported_book_with_its_records("Stardust")
    client = librarian_who_may(client, "view_work", "delete_work", "delete_edition")
    if how == "its page":
        url, asked = reverse("admin:catalog_work_delete", args=[work.pk]), {}
        confirmed = {"post": "yes"}
    else:
        url = WORKS_URL
        asked = {"action": "delete_selected", "_selected_action": [work.pk]}
        confirmed = {**asked, "post": "yes"}

    page = re.sub(
        r"\s+",
        " ",
        client.post(url, asked).content.decode() if asked else (client.get(url).content.decode()),
    )
    assert "permission" not in page and "Are you sure" in page
    assert "Enrichment request" in page or "enrichment request" in page
    assert "audit log entr" in page.lower()

    client.post(url, confirmed)
    assert not Work.objects.filter(pk=work.pk).exists()
    assert not EnrichmentRequest.objects.filter(work_id=work.pk).exists()
    assert not AuditLogEntry.objects.filter(work_id=work.pk).exists()
    assert Work.objects.filter(pk=kept.pk).exists()
    assert EnrichmentRequest.objects.filter(work=kept).count() == 1


def test_an_author_with_enrichment_records_can_be_deleted_by_whoever_may(client):
    from enrichment.models import EnrichmentRequest

    author = make_author("Frank Herbert")
    EnrichmentRequest.objects.create(author=author, trigger="import")
    client = librarian_who_may(client, "view_author", "delete_author")
    url = reverse("admin:catalog_author_delete", args=[author.pk])
    assert "permission" not in client.get(url).content.decode()
    client.post(url, {"post": "yes"})
    assert not Author.objects.filter(pk=author.pk).exists()
    assert not EnrichmentRequest.objects.filter(author_id=author.pk).exists()


def test_a_librarian_who_may_not_delete_books_still_may_not(client):
    work = imported_book_with_its_records("Neverwhere")
    client = librarian_who_may(client, "view_work")
    assert client.get(reverse("admin:catalog_work_delete", args=[work.pk])).status_code == 403
    client.post(reverse("admin:catalog_work_delete", args=[work.pk]), {"post": "yes"})
    assert Work.objects.filter(pk=work.pk).exists()


def test_a_works_credits_are_headed_as_authors_and_contributors(superuser_client):
    """A translator or a narrator is no "Work author": the table of a work's people says what
    it holds, as an import row's "Read as" does."""
    from catalog.models import WorkAuthor

    work = make_work("Le Petit Prince", authors=["Antoine de Saint-Exupéry"])
    WorkAuthor.objects.create(
        work=work, author=make_author("Richard Howard"), position=1, role="translator"
    )
    page = superuser_client.get(reverse("admin:catalog_work_change", args=[work.pk])).content
    text = re.sub(r"\s+", " ", page.decode())
    assert re.search(r'class="inline-heading"> Authors and contributors </h2>', text)
    assert "Add another Author or contributor" in text  # the admin's capital
    assert "Work author" not in text


def test_a_work_found_by_an_isbn_lists_the_isbn_searched_for(superuser_client):
    """A work in paperback and hardcover, found by the hardcover's ISBN, was listed with the
    paperback's: a row that seemed not to match the search."""
    work = make_work("Anathem", authors=["Neal Stephenson"])
    make_edition(work, isbn13="9780061474095")  # the paperback, first
    make_edition(work, isbn13="9780061474101")  # the hardcover
    for searched in ("978-0-06-147410-1", "006147410x"):
        page = superuser_client.get(WORKS_URL, {"q": searched}).content.decode()
        assert re.search(r'<td class="field-isbn">9780061474101</td>', page), searched
        assert "9780061474095" not in page
    listed = superuser_client.get(WORKS_URL).content.decode()
    assert re.search(r'<td class="field-isbn">9780061474095</td>', listed)  # unsearched: first


def test_the_works_list_offers_show_all_only_once_something_narrows_it(superuser_client):
    """The whole works list said "2 results (Show all)", a link that reloaded the same list:
    "Show all" now comes with a search or a filter, which it clears."""
    make_work("Neverwhere", authors=["Neil Gaiman"])
    make_work("Stardust", authors=["Neil Gaiman"])
    show_all = re.compile(r'results? \(<a href="\?">Show all</a>\)')

    whole = superuser_client.get(WORKS_URL).content.decode()
    assert "2 results" in whole and not show_all.search(whole)
    searched = superuser_client.get(WORKS_URL, {"q": "Stardust"}).content.decode()
    assert "1 result" in searched and show_all.search(searched)
    filtered = superuser_client.get(WORKS_URL, {"has_cover": "no"}).content.decode()
    assert show_all.search(filtered)


@pytest.mark.parametrize(
    "status, says, ask_again",
    [
        ("", "has not been sent to enrichment", False),
        ("queued", "None yet: this author is queued for enrichment", False),
        ("waiting", "None yet: no provider could be reached", False),
        ("unresolved", "None: no provider knows this author, so none was found.", True),
        ("failed", "None: this author&#x27;s enrichment failed", True),
        ("enriched", "None: enrichment matched this author but kept no photo", True),
    ],
)
def test_an_authors_page_says_what_is_true_of_its_missing_photo(
    superuser_client, status, says, ask_again
):
    author = make_author("Iain M. Banks")
    Author.objects.filter(pk=author.pk).update(enrichment_status=status)
    page = superuser_client.get(
        reverse("admin:catalog_author_change", args=[author.pk])
    ).content.decode()
    assert says in page
    if status not in ("", "queued", "waiting"):
        assert "enrichment fetches one" not in page  # no promise of what will not come
    assert ("To ask again:" in page) is ask_again


def test_a_covers_check_shows_only_beside_a_cover_in_a_librarians_words(superuser_client):
    """The add page, and a book without a cover, showed "SHA-256: –" and "Verified at: –":
    a check of nothing, named by its algorithm."""
    add_page = superuser_client.get(reverse("admin:catalog_work_add")).content.decode()
    work = make_work("Neverwhere", authors=["Neil Gaiman"])
    edition = make_edition(work)
    no_cover_pages = [
        superuser_client.get(reverse("admin:catalog_work_change", args=[work.pk])),
        superuser_client.get(reverse("admin:catalog_edition_change", args=[edition.pk])),
    ]
    for page in [add_page, *(page.content.decode() for page in no_cover_pages)]:
        assert "SHA-256" not in page and "Verified at" not in page
        assert "Image checked" not in page

    edition.cover.save("neverwhere.jpg", ContentFile(b"jpeg"))
    Edition.objects.filter(pk=edition.pk).update(
        cover_sha256="ab" * 32, cover_verified_at=timezone.now(), cover_width=600, cover_height=900
    )
    page = superuser_client.get(
        reverse("admin:catalog_edition_change", args=[edition.pk])
    ).content.decode()
    assert "Image checked:" in page and "a valid image, 600 × 900 pixels." in page
    assert "File fingerprint (SHA-256):" in page and "ab" * 32 in page
    assert 'name="cover_sha256"' not in page and 'name="cover_verified_at"' not in page
