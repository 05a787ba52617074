"""Author completeness in the admin: the dashboard's authors panel, the works list's "author
completeness" filter, and the author list (columns, filters, "Enrich selected authors")."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Author
from enrichment.models import EnrichmentRequest
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db
DASHBOARD_URL = reverse("admin:enrichment_dashboard")
AUTHORS_URL = reverse("admin:catalog_author_changelist")
WORKS_URL = reverse("admin:catalog_work_changelist")
# The dashboard's aggregates (the catalog backfill's months by status: one since issue 16),
# the session and the user: a fixed number, whatever the rows.
MAX_QUERIES = 16


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def librarian() -> User:
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def author_editor() -> User:
    """Staff who may see and edit authors, but not decide on enrichment."""
    user = User.objects.create_user("eddie", password="pw", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_author", "change_author", "view_enrichmentrequest"]
        )
    )
    return user


@pytest.fixture
def authors():
    """Authors at every stage, and a redirect that must count only as a redirect."""
    complete = make_author(
        "Ursula K. Le Guin",
        bio="American author.",
        birth_year=1929,
        openlibrary_key="OL23919A",
        wikidata_id="Q181659",
        photo="authors/le-guin.jpg",
        short_description="American novelist",
        nationality="United States",
        completeness=100,
        enrichment_status="enriched",
    )
    return {
        "complete": complete,
        # Found, but with no id: enrichment still looks for it.
        "bio_only": make_author(
            "Bio Only", bio="A bio.", completeness=25, enrichment_status="needs_review"
        ),
        # Everything enrichment asks for, no photo or description: incomplete, not missing.
        "no_photo": make_author(
            "No Photo",
            bio="A bio.",
            birth_year=1950,
            openlibrary_key="OL1A",
            completeness=65,
            enrichment_status="enriched",
        ),
        "never": make_author("Never Enriched"),
        "redirect": make_author(
            "Le Guin, Ursula K.",
            bio="A copy.",
            completeness=100,
            enrichment_status="enriched",
            merged_into=complete,
        ),
    }


def listed(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {str(obj) for obj in response.context["cl"].result_list}


# --- The dashboard's authors panel --------------------------------------------------------------


def test_the_dashboard_shows_the_authors_beside_the_works_with_the_right_numbers(client, authors):
    client.force_login(librarian())
    page = client.get(DASHBOARD_URL).content.decode()
    panel = page[page.index('id="authors-panel"') :]
    panel = panel[: panel.index("</section>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel))
    assert "4 authors" in text  # the redirect is not one of them
    assert "1 redirect (an author merged into another), counted apart" in text
    assert "2 lack a bio, dates or ids" in text  # "Bio Only" and "Never Enriched"
    assert "48 % on average" in text  # (100 + 25 + 65 + 0) / 4 = 47.5
    assert re.search(r"a bio\s+\S*\s*3\b", text)  # three live authors hold one
    assert re.search(r"a photo\s+\S*\s*1\b", text)


def test_every_author_figure_links_to_a_list_of_exactly_that_many(client, authors):
    client.force_login(librarian())
    figures = client.get(DASHBOARD_URL).context["figures"].authors
    expected = [
        (figures.list_url, {"Ursula K. Le Guin", "Bio Only", "No Photo", "Never Enriched"}),
        (figures.missing_url, {"Bio Only", "Never Enriched"}),
        (figures.redirects_url, {"Le Guin, Ursula K."}),
    ]
    for url, names in expected:
        assert listed(client, url) == names, url
    for bar in [*figures.details, *figures.completeness, *figures.statuses]:
        assert len(listed(client, bar.url)) == bar.count, (bar.label, bar.url)
    assert [bar.count for bar in figures.details] == [3, 2, 2, 1]  # bio, birth year, id, photo


def test_the_dashboard_stays_within_its_query_budget(
    client, authors, django_assert_max_num_queries
):
    client.force_login(librarian())
    client.get(DASHBOARD_URL)  # warm: session, permissions caches
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(DASHBOARD_URL).status_code == 200
    for i in range(10):
        make_work(f"Book {i}", authors=[make_author(f"Author {i}", completeness=i * 10)])
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(DASHBOARD_URL).status_code == 200


# --- The works list: author completeness --------------------------------------------------------


def test_the_works_list_filters_by_author_completeness(client, authors):
    make_work("All Complete", authors=[authors["complete"]])
    make_work("One Incomplete", authors=[authors["complete"], authors["bio_only"]])
    make_work("Never Enriched Author", authors=[authors["never"]])
    make_work("Enriched Without Photo", authors=[authors["no_photo"]])
    make_work("Nobody Wrote It")
    client.force_login(librarian())

    def works(choice: str) -> set[str]:
        response = client.get(f"{WORKS_URL}?author_completeness={choice}")
        assert response.status_code == 200
        return {w.title for w in response.context["cl"].result_list}

    assert works("complete") == {"All Complete"}
    assert works("incomplete") == {
        "One Incomplete",
        "Never Enriched Author",
        "Enriched Without Photo",
    }
    assert works("missing") == {"One Incomplete", "Never Enriched Author"}
    assert works("never_enriched") == {"Never Enriched Author"}
    assert works("no_author") == {"Nobody Wrote It"}
    assert len(works("nonsense")) == 5  # an unknown choice filters nothing
    assert "author completeness" in client.get(WORKS_URL).content.decode()


def test_the_author_completeness_filter_is_answered_by_the_database(client, authors):
    """EXISTS subqueries on the credits: one count and one page, whatever the number of works."""
    client.force_login(librarian())
    for i in range(12):
        make_work(f"Book {i}", authors=[authors["never"] if i % 2 else authors["complete"]])
    response = client.get(f"{WORKS_URL}?author_completeness=incomplete")
    sql = str(response.context["cl"].queryset.query).upper()
    assert "EXISTS" in sql
    assert len(response.context["cl"].result_list) == 6


# --- The author list ----------------------------------------------------------------------------


def test_the_author_list_shows_completeness_status_ids_and_redirects(client, authors):
    make_work("The Dispossessed", authors=[authors["complete"]])
    client.force_login(librarian())
    page = client.get(AUTHORS_URL).content.decode()
    assert "100 %" in page and "65 %" in page
    assert "Needs review" in page and "Not enriched yet" in page
    assert "OL OL23919A, Wikidata Q181659" in page
    change = reverse("admin:catalog_author_change", args=[authors["complete"].pk])
    assert re.search(rf'Redirect</span> <a href="{change}">→ Ursula K. Le Guin</a>', page)


def test_the_author_list_filters_and_search(client, authors):
    client.force_login(librarian())
    assert listed(client, f"{AUTHORS_URL}?enrichment_status=none") == {"Never Enriched"}
    assert listed(client, f"{AUTHORS_URL}?enrichment_status=needs_review") == {"Bio Only"}
    assert listed(client, f"{AUTHORS_URL}?completeness=50-74") == {"No Photo"}
    assert listed(client, f"{AUTHORS_URL}?completeness=100-100") == {
        "Ursula K. Le Guin",
        "Le Guin, Ursula K.",
    }
    assert listed(client, f"{AUTHORS_URL}?missing=id&redirect=no") == {"Bio Only", "Never Enriched"}
    assert listed(client, f"{AUTHORS_URL}?redirect=yes") == {"Le Guin, Ursula K."}
    assert listed(client, f"{AUTHORS_URL}?q=guin") == {"Ursula K. Le Guin", "Le Guin, Ursula K."}


def test_enrich_selected_authors_queues_those_missing_something_and_says_why_not(client, authors):
    EnrichmentRequest.objects.create(author=authors["bio_only"], trigger="post_import")
    client.force_login(librarian())
    picked = [authors[k].pk for k in ("complete", "bio_only", "never", "redirect")]
    data = {"action": "enrich_selected", "index": "0", "_selected_action": picked}
    confirmation = client.post(AUTHORS_URL, data).content.decode()
    assert "Enrich selected authors" in confirmation and "the 4 selected authors" in confirmation
    assert EnrichmentRequest.objects.count() == 1  # nothing before "yes"

    response = client.post(AUTHORS_URL, {**data, "post": "yes"}, follow=True)
    (message,) = (str(m) for m in response.context["messages"])
    assert message.startswith("1 queued for enrichment, 3 left as they were (")
    assert "1 the author is a redirect (merged into another author): enrich that one" in message
    assert "1 the author is already queued" in message
    assert "1 the author has a bio, dates and ids: nothing to look up" in message
    new = EnrichmentRequest.objects.exclude(author=authors["bio_only"]).get()
    assert (new.author, new.trigger, new.work) == (authors["never"], "manual_bulk", None)
    assert Author.objects.get(pk=authors["never"].pk).enrichment_status == "queued"


def test_enrich_selected_authors_is_refused_without_the_review_permission(client, authors):
    client.force_login(author_editor())
    page = client.get(AUTHORS_URL).content.decode()
    assert "enrich_selected" not in page  # not offered
    data = {"action": "enrich_selected", "_selected_action": [authors["never"].pk], "post": "yes"}
    response = client.post(AUTHORS_URL, data, follow=True)
    assert response.status_code == 200
    assert not EnrichmentRequest.objects.exists()  # and refused when posted anyway


def test_the_works_and_author_lists_count_their_rows_without_grouping_every_row(client, authors):
    """Their editions / works columns are counted per listed row: an aggregate made each list's
    count a GROUP BY over the whole table with every annotation (0.9 s on 100,000 works, 0.6 s
    on 20,000 authors: bench/admin.py)."""
    work = make_work("Two Editions", authors=[authors["complete"]])
    make_edition(work)
    make_edition(work)
    make_work("Another", authors=[authors["complete"]])
    client.force_login(librarian())
    for url, column, expected in (
        (WORKS_URL, "edition_count", {"Two Editions": 2, "Another": 0}),
        (AUTHORS_URL, "work_count", {"Ursula K. Le Guin": 2, "Never Enriched": 0}),
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        counts = [q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(")]
        assert counts and not any("GROUP BY" in sql for sql in counts), url
        admin_ = response.context["cl"].model_admin
        shown = {str(o): getattr(admin_, column)(o) for o in response.context["cl"].result_list}
        assert expected.items() <= shown.items(), url


@pytest.mark.parametrize("status", ["", "unresolved", "enriched"])
def test_an_authors_photo_advice_offers_the_action_only_to_a_user_the_list_offers_it(
    client, status
):
    """The Photo field of an author without one told every reader to choose "Enrich selected
    authors", which the author list offers only to those who may review enrichment: the others
    followed it to a list with no such action. They are told who can ask instead."""
    author = make_author("Iain M. Banks")
    Author.objects.filter(pk=author.pk).update(enrichment_status=status)
    page_url = reverse("admin:catalog_author_change", args=[author.pk])

    client.force_login(author_editor())
    page = client.get(page_url).content.decode()
    assert "Enrich selected authors" not in client.get(AUTHORS_URL).content.decode()
    assert "choose &quot;Enrich selected authors&quot;" not in page
    assert "Your account cannot send authors to enrichment: someone who may review" in page

    client.force_login(librarian())
    page = client.get(page_url).content.decode()
    assert "Enrich selected authors" in client.get(AUTHORS_URL).content.decode()
    assert "choose &quot;Enrich selected authors&quot;" in page
    assert "Your account cannot" not in page
