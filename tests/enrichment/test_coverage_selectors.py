"""One rule for "has a cover", and one set of coverage figures behind both the
`enrichment_report` command and the admin dashboard."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from catalog.models import Edition, Work
from catalog.selectors import work_has_cover, works_with_cover_q
from enrichment.dashboard import dashboard_figures, dashboard_snapshot_refresh
from enrichment.reports import coverage_report
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
WORKS_URL = reverse("admin:catalog_work_changelist")


def verified(obj, source):
    obj.cover = f"covers/{type(obj).__name__}-{obj.pk}-{source}.jpg"
    obj.cover_source = source
    obj.cover_verified_at = timezone.now()
    obj.save()
    return obj


def catalog_with_shared_covers():
    """Two works whose covers a per-image count would count three and four times over."""
    two_editions = make_work("Two covered editions")
    verified(make_edition(two_editions, isbn13="9780060557812"), "openlibrary")
    verified(make_edition(two_editions, isbn13="9780007119301"), "openlibrary")
    mixed = verified(make_work("Own cover and an edition's"), "archive_org")
    verified(make_edition(mixed, isbn13="9780552152679"), "google_books")
    make_work("Bare")
    return two_editions, mixed


def dashboard_by_source() -> dict[str, int]:
    return {bar.label: bar.count for bar in dashboard_figures().covers_by_source}


def test_report_and_dashboard_count_each_work_once_under_the_cover_it_shows():
    catalog_with_shared_covers()
    report = coverage_report()["covers"]
    expected = {"archive_org": 1, "openlibrary": 1}
    assert report["by_source"] == expected
    # Before, the dashboard counted images: openlibrary 2, archive_org 1, google_books 1.
    assert dashboard_by_source() == expected
    works = dashboard_figures().works
    assert works["verified"] == sum(expected.values()) == 3 - report["missing"]
    assert works["missing_cover"] == 1


def test_a_work_counts_under_its_first_verified_editions_source_without_its_own():
    work = make_work("Editions only")
    verified(make_edition(work, isbn13="9780060557812"), "isbndb")
    verified(make_edition(work, isbn13="9780007119301"), "google_books")
    assert coverage_report()["covers"]["by_source"] == {"isbndb": 1}
    assert dashboard_by_source() == {"isbndb": 1}


def test_the_dashboards_source_links_list_the_works_it_counted(client):
    catalog_with_shared_covers()
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    client.force_login(user)

    def listed(source: str) -> set[str]:
        page = client.get(WORKS_URL, {"cover_source": source}).content.decode()
        return set(re.findall(r"(Two covered editions|Own cover and an edition&#x27;s|Bare)", page))

    # The mixed work shows its own Archive.org cover: it is listed there and not under Google.
    assert listed("archive_org") == {"Own cover and an edition&#x27;s"}
    assert listed("google_books") == set()
    assert listed("openlibrary") == {"Two covered editions"}


def test_has_a_cover_is_the_same_rule_on_objects_and_in_queries(django_assert_num_queries):
    own = verified(make_work("Own"), "openlibrary")
    by_edition = make_work("By an edition")
    verified(make_edition(by_edition), "openlibrary")
    hand_uploaded = make_work("Uploaded by hand")
    edition = make_edition(hand_uploaded)
    edition.cover = "covers/by-hand.jpg"  # a librarian's upload: a cover, but not verified
    edition.save()
    bare = make_work("Bare")
    make_edition(bare)

    in_query = set(Work.objects.filter(works_with_cover_q()).values_list("pk", flat=True))
    assert in_query == {own.pk, by_edition.pk, hand_uploaded.pk}
    verified_only = Work.objects.filter(works_with_cover_q(verified=True))
    assert set(verified_only.values_list("pk", flat=True)) == {own.pk, by_edition.pk}

    works = list(Work.objects.prefetch_related(Prefetch("editions", Edition.objects.all())))
    with django_assert_num_queries(0):  # prefetched editions are read, not queried again
        on_objects = {work.pk for work in works if work_has_cover(work)}
    assert on_objects == in_query
    assert not work_has_cover(Work.objects.get(pk=bare.pk))
    assert work_has_cover(Work.objects.get(pk=by_edition.pk))


def test_the_verified_covers_figure_opens_the_works_with_a_verified_cover_only(client):
    """The works list's "Has a verified cover" listed any cover: the dashboard's "2 verified
    covers" opened 3 works, the third's cover never verified (which the dashboard counts under
    "Not verified"), and no choice listed those."""
    verified(make_work("Own"), "openlibrary")
    by_edition = verified(make_edition(make_work("By an edition")), "openlibrary")
    unchecked = make_edition(make_work("Never verified"))
    unchecked.cover = "covers/never-verified.jpg"
    unchecked.save()
    make_work("Bare")
    dashboard_snapshot_refresh()
    user = User.objects.create_user("libby", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    client.force_login(user)

    page = client.get(reverse("admin:enrichment_dashboard")).content.decode()
    link = re.search(r'<a href="([^"]+)">\s*<strong>(\d+)</strong> verified covers', page)
    assert link and link.group(2) == "2"

    def listed(params) -> set[str]:
        page = client.get(WORKS_URL, params).content.decode()
        return set(re.findall(r">(Own|By an edition|Never verified|Bare)</a>", page))

    assert listed({"has_cover": "yes"}) == {"Own", "By an edition"}
    assert listed({"has_cover": "unverified"}) == {"Never verified"}
    assert listed({"has_cover": "no"}) == {"Bare"}
    editions = client.get(reverse("admin:catalog_edition_changelist"), {"has_cover": "yes"})
    listed_editions = set(re.findall(r"catalog/edition/(\d+)/change/", editions.content.decode()))
    assert listed_editions == {str(by_edition.pk)}
