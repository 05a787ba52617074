"""Merging, dismissing and reverting proposed author merges (enrichment.author_merges), in the
admin, and what imports do with a merged author's name."""

import re

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.messages import get_messages
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import Author, Work, WorkAuthor
from enrichment import author_merges, revert
from enrichment.models import AuditLogEntry, AuthorMerge, EnrichmentRequest
from enrichment.queue import authors_enqueue_enrichment as enqueue_authors
from enrichment.reconcile import author_duplicates_propose
from tests.catalog.import_rows import goodreads_file, goodreads_row, run_import
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
Status = AuthorMerge.Status
Role = WorkAuthor.Role
MERGES_URL = reverse("admin:enrichment_authormerge_changelist")


@pytest.fixture(autouse=True)
def no_task_queue(sent_tasks):
    return sent_tasks


def reviewer(username="libby") -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Librarian"))
    return user


def propose(kept: Author, duplicate: Author, reason=AuthorMerge.Reason.SHARED_ID) -> AuthorMerge:
    return AuthorMerge.objects.create(kept=kept, duplicate=duplicate, reason=reason)


def credits_of(*authors: Author) -> set[tuple[int, int, str, int]]:
    return set(
        WorkAuthor.objects.filter(author__in=authors).values_list(
            "work_id", "author_id", "role", "position"
        )
    )


def snapshot(author: Author) -> dict:
    author.refresh_from_db()
    values = model_to_dict(author)
    for name in ("photo", "photo_thumbnail"):
        values[name] = values[name].name if values[name] else ""
    return values


@pytest.fixture
def lukyanenko():
    """The issue's pair: the Cyrillic author with two books and ids, the Latin one with a
    book of each's, the same book credited to both, and ids of its own."""
    kept = make_author(
        "Сергей Лукьяненко",
        wikidata_id="Q714291",
        birth_year=1968,
        bio="Russian science fiction writer.",
    )
    duplicate = make_author(
        "Sergei Lukyanenko",
        sort_name="Lukyanenko, Sergei",
        openlibrary_key="OL1420468A",
        goodreads_author_id="37542",
        viaf_id="59165034",
        isni="0000000121468188",
        bio="Born in Karatau.",
        bio_source="https://example.org/synthetic-bio",
        nationality="Russia",
        death_year=None,
    )
    night_watch = make_work("Night Watch", authors=[kept])
    make_work("Day Watch", authors=[kept])
    genome = make_work("The Genome", authors=[duplicate])
    # Both credited as author of Night Watch (kept first), the duplicate also as translator.
    WorkAuthor.objects.create(work=night_watch, author=duplicate, role=Role.AUTHOR, position=1)
    WorkAuthor.objects.create(work=night_watch, author=duplicate, role=Role.TRANSLATOR, position=2)
    merge = propose(kept, duplicate, AuthorMerge.Reason.NAME_AND_WORK)
    return kept, duplicate, merge, night_watch, genome


def test_a_merge_keeps_every_credit_and_every_id(lukyanenko):
    kept, duplicate, merge, night_watch, genome = lukyanenko
    user = reviewer()

    outcome = author_merges.author_merge_apply(merge=merge, actor=user)

    assert outcome.done and not outcome.refused
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    # Every work of both is the kept author's; the duplicate holds nothing any more.
    assert set(kept.works.values_list("title", flat=True)) == {
        "Night Watch",
        "Day Watch",
        "The Genome",
    }
    assert not WorkAuthor.objects.filter(author=duplicate).exists()
    assert credits_of(kept) >= {
        (genome.pk, kept.pk, Role.AUTHOR, 0),
        (night_watch.pk, kept.pk, Role.TRANSLATOR, 2),
    }
    # Every id: the ones the kept author lacked are copied (the unique Open Library key moves).
    assert kept.wikidata_id == "Q714291"
    assert kept.openlibrary_key == "OL1420468A" and duplicate.openlibrary_key is None
    assert (kept.goodreads_author_id, kept.viaf_id, kept.isni) == (
        "37542",
        "59165034",
        "0000000121468188",
    )
    assert (duplicate.goodreads_author_id, duplicate.viaf_id) == ("37542", "59165034")
    # Filled fields stay; empty ones are filled; a bio keeps its own source (none).
    assert kept.bio == "Russian science fiction writer." and kept.bio_source == ""
    assert kept.nationality == "Russia"
    # The name kept is Cyrillic: the Latin sort name is not its own (it would list him apart).
    assert kept.name == "Сергей Лукьяненко" and kept.sort_name == ""
    # Audited, with the work NULL: an author changed.
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.MERGE)
    assert entry.author == kept and entry.work is None
    assert entry.actor == user and entry.actor_label == "libby"
    assert entry.changes["openlibrary_key"] == {
        "old": None,
        "new": "OL1420468A",
        "target": "author",
    }
    assert entry.changes["credits"]["new"] == ["Night Watch (Translator)", "The Genome (Author)"]
    assert entry.changes["dropped_credits"]["old"] == ["Night Watch (Author)"]
    assert "Sergei Lukyanenko" in entry.note and "Сергей Лукьяненко" in entry.note
    merge.refresh_from_db()
    assert merge.status == Status.MERGED and merge.audit_entry == entry
    assert merge.reviewed_by == user and merge.reviewed_at is not None
    assert kept.completeness > 0  # recomputed with the copied ids and nationality


@pytest.mark.parametrize(
    "kept_name, duplicate_name, duplicate_sort_name, kept_sort_name",
    [
        # Either way round, a sort name in another script or spelling is not the kept name's.
        ("Sergei Lukyanenko", "Сергей Лукьяненко", "Лукьяненко, Сергей", ""),
        ("Сергей Лукьяненко", "Sergei Lukyanenko", "Lukyanenko, Sergei", ""),
        ("Sergey Lukyanenko", "Sergei Lukyanenko", "Lukyanenko, Sergei", ""),
        # The kept name's own words, sorted, are copied.
        ("Ursula K. Le Guin", "Le Guin, Ursula K.", "Le Guin, Ursula K.", "Le Guin, Ursula K."),
        ("Kurt Vonnegut Jr.", "Kurt Vonnegut", "Vonnegut, Kurt", "Vonnegut, Kurt"),
    ],
)
def test_the_kept_author_takes_only_a_sort_name_of_its_own_name(
    kept_name, duplicate_name, duplicate_sort_name, kept_sort_name
):
    kept = make_author(kept_name)
    make_work("Night Watch", authors=[kept])
    duplicate = make_author(duplicate_name, sort_name=duplicate_sort_name, nationality="Russia")
    merge = propose(kept, duplicate, AuthorMerge.Reason.NAME_AND_WORK)

    assert author_merges.author_merge_apply(merge=merge, actor=reviewer()).done

    kept.refresh_from_db()
    assert (kept.name, kept.sort_name, kept.nationality) == (kept_name, kept_sort_name, "Russia")
    # The audit entry names what was copied, and only that.
    changes = AuditLogEntry.objects.get(action=AuditLogEntry.Action.MERGE).changes
    assert ("sort_name" in changes) == bool(kept_sort_name)
    # The duplicate keeps its own sort name, and a revert leaves the kept author as it was.
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.MERGE)
    author_merges.author_merge_revert(entry=entry, actor=None)
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert (kept.sort_name, duplicate.sort_name) == ("", duplicate_sort_name)


def test_a_credit_the_kept_author_already_has_is_dropped_and_the_revert_restores_it(
    lukyanenko,
):
    kept, duplicate, merge, night_watch, _genome = lukyanenko
    author_merges.author_merge_apply(merge=merge, actor=None)
    # Night Watch credits the kept author once as author, not twice.
    assert list(
        WorkAuthor.objects.filter(work=night_watch, role=Role.AUTHOR).values_list(
            "author_id", flat=True
        )
    ) == [kept.pk]
    merge.refresh_from_db()
    assert merge.moved["dropped_credits"] == [
        {
            "id": merge.moved["dropped_credits"][0]["id"],
            "work": night_watch.pk,
            "role": "author",
            "position": 1,
        }
    ]
    author_merges.author_merge_revert(entry=merge.audit_entry, actor=None)
    assert (night_watch.pk, duplicate.pk, Role.AUTHOR, 1) in credits_of(duplicate)


def test_a_revert_puts_everything_back_exactly(lukyanenko):
    kept, duplicate, merge, *_works = lukyanenko
    redirect = make_author("S. Lukjanenko", merged_into=duplicate)
    before = (snapshot(kept), snapshot(duplicate), credits_of(kept, duplicate))
    user = reviewer()
    author_merges.author_merge_apply(merge=merge, actor=user)
    redirect.refresh_from_db()
    assert redirect.merged_into == kept  # no redirect to a redirect
    merge.refresh_from_db()
    assert author_merges.author_merge_revertible(merge.audit_entry)

    result = author_merges.author_merge_revert(entry=merge.audit_entry, actor=user)

    assert not result.refused, result.refused
    after = (snapshot(kept), snapshot(duplicate), credits_of(kept, duplicate))
    ignored = {"updated_at", "completeness"}
    for old, new in zip(before[:2], after[:2], strict=True):
        assert {k: v for k, v in old.items() if k not in ignored} == {
            k: v for k, v in new.items() if k not in ignored
        }
    assert before[2] == after[2]
    redirect.refresh_from_db()
    assert redirect.merged_into == duplicate
    revert_entry = result.revert_entry
    assert revert_entry.action == AuditLogEntry.Action.REVERT
    assert revert_entry.reverts == merge.audit_entry and revert_entry.author == kept
    assert revert_entry.work is None and revert_entry.actor == user
    merge.refresh_from_db()
    assert merge.status == Status.REVERTED
    # Once reverted, twice is refused with the reason.
    again = author_merges.author_merge_revert(entry=merge.audit_entry, actor=user)
    assert again.refused == {"*": "this merge was already reverted"}
    assert not author_merges.author_merge_revertible(merge.audit_entry)


def test_a_field_changed_since_the_merge_keeps_its_new_value_on_revert(lukyanenko):
    kept, duplicate, merge, *_works = lukyanenko
    author_merges.author_merge_apply(merge=merge, actor=None)
    merge.refresh_from_db()
    Author.objects.filter(pk=kept.pk).update(viaf_id="123456")  # a librarian corrected it
    result = author_merges.author_merge_revert(entry=merge.audit_entry, actor=None)
    assert result.refused == {"viaf_id": "it was changed since the merge"}
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert kept.viaf_id == "123456" and kept.goodreads_author_id == ""
    assert duplicate.merged_into is None and duplicate.openlibrary_key == "OL1420468A"


def test_merging_a_redirect_or_a_decided_proposal_is_refused_with_the_reason():
    a, b, c = (make_author(n) for n in ("Ursula K. Le Guin", "Le Guin, Ursula K.", "U. Le Guin"))
    first = propose(a, b)
    second = propose(b, c)  # b will be a redirect
    assert author_merges.author_merge_apply(merge=first, actor=None).done
    outcome = author_merges.author_merge_apply(merge=second, actor=None)
    assert not outcome.done
    assert outcome.refused == "one of the authors is already merged into another"
    c.refresh_from_db()
    second.refresh_from_db()
    assert c.merged_into is None and second.status == Status.PROPOSED
    again = author_merges.author_merge_apply(merge=first, actor=None)
    assert again.refused == "it is no longer proposed (merged)"
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.MERGE).count() == 1


def test_a_merge_is_not_reverted_while_its_kept_author_is_merged_into_another():
    a, b, c = (make_author(n) for n in ("Ursula K. Le Guin", "Le Guin, Ursula K.", "U. Le Guin"))
    make_work("The Dispossessed", authors=[b])
    first = propose(b, c)
    author_merges.author_merge_apply(merge=first, actor=None)
    author_merges.author_merge_apply(merge=propose(a, b), actor=None)
    first.refresh_from_db()
    result = author_merges.author_merge_revert(entry=first.audit_entry, actor=None)
    assert "revert that merge first" in result.refused["*"]
    c.refresh_from_db()
    assert c.merged_into == a  # repointed by the second merge, and left so


def test_a_photo_moves_with_its_licence_and_the_revert_takes_it_back():
    verified = timezone.now()
    kept = make_author("Ursula K. Le Guin", bio_source="https://example.org/synthetic-stale")
    duplicate = make_author(
        "Le Guin, Ursula K.",
        photo="authors/synthetic-portrait.jpg",
        photo_thumbnail="authors/synthetic-portrait-small.webp",
        photo_source="wikidata",
        photo_width=400,
        photo_height=600,
        photo_verified_at=verified,
        photo_licence="CC BY-SA 4.0",
        photo_artist="Synthetic Photographer",
        bio="Synthetic bio.",
        bio_source="https://example.org/synthetic-bio",
    )
    merge = propose(kept, duplicate)
    before = snapshot(kept)
    author_merges.author_merge_apply(merge=merge, actor=None)
    kept.refresh_from_db()
    assert kept.photo.name == "authors/synthetic-portrait.jpg"
    assert (kept.photo_licence, kept.photo_artist) == ("CC BY-SA 4.0", "Synthetic Photographer")
    assert kept.photo_verified_at == verified and kept.photo_width == 400
    # A bio moves with its source: the stale source of no bio is replaced with it.
    assert (kept.bio, kept.bio_source) == ("Synthetic bio.", "https://example.org/synthetic-bio")
    merge.refresh_from_db()
    assert "photo" in merge.audit_entry.changes and "photo_licence" not in merge.audit_entry.changes
    result = author_merges.author_merge_revert(entry=merge.audit_entry, actor=None)
    assert not result.refused
    after = snapshot(kept)
    ignored = {"updated_at", "completeness"}
    assert {k: v for k, v in after.items() if k not in ignored} == {
        k: v for k, v in before.items() if k not in ignored
    }


def test_a_kept_photo_is_never_replaced():
    kept = make_author("Ursula K. Le Guin", photo="authors/synthetic-a.jpg", photo_licence="")
    duplicate = make_author(
        "Le Guin, Ursula K.", photo="authors/synthetic-b.jpg", photo_licence="CC0"
    )
    author_merges.author_merge_apply(merge=propose(kept, duplicate), actor=None)
    kept.refresh_from_db()
    assert (kept.photo.name, kept.photo_licence) == ("authors/synthetic-a.jpg", "")


def test_life_years_that_contradict_are_not_copied():
    kept = make_author("Ursula K. Le Guin", birth_year=1929)
    duplicate = make_author("Le Guin, Ursula K.", death_year=1900)
    author_merges.author_merge_apply(merge=propose(kept, duplicate), actor=None)
    kept.refresh_from_db()
    assert (kept.birth_year, kept.death_year) == (1929, None)


def test_a_dismissal_is_audited_and_the_pair_stays_dismissed():
    a = make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    b = make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    author_duplicates_propose()
    merge = AuthorMerge.objects.get()
    outcome = author_merges.author_merge_dismiss(merge=merge, actor=None, reason="Two people.")
    assert outcome.done
    merge.refresh_from_db()
    assert merge.status == Status.DISMISSED
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.DISMISS)
    assert entry.author_id == merge.kept_id and entry.note.endswith("Two people.")
    assert author_duplicates_propose().proposed == 0
    assert not author_merges.author_merge_dismiss(merge=merge, actor=None).done
    assert {a.merged_into_id, b.merged_into_id} == {None}


# --- the admin ---------------------------------------------------------------------------------


def action_post(client: Client, action: str, *merges: AuthorMerge, **extra):
    return client.post(
        MERGES_URL,
        {"action": action, "_selected_action": [m.pk for m in merges], "index": "0", **extra},
        follow=True,
    )


def test_a_reviewer_merges_and_dismisses_from_the_list_and_is_told_what_happened():
    a, b, c, d = (
        make_author(n) for n in ("Ursula K. Le Guin", "Le Guin, Ursula K.", "U. Le Guin", "X")
    )
    first, blocked = propose(a, b), propose(b, c)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer())
    assert MERGES_URL in client.get(reverse("admin:index")).content.decode()
    page = client.get(MERGES_URL).content.decode()
    assert (
        "Le Guin, Ursula K." in page and reverse("admin:catalog_author_change", args=[b.pk]) in page
    )
    assert "merge_selected" in page and "dismiss_selected" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    # Without the token the action is refused.
    assert (
        client.post(
            MERGES_URL, {"action": "merge_selected", "_selected_action": [first.pk]}
        ).status_code
        == 403
    )

    response = action_post(
        client, "merge_selected", first, blocked, csrfmiddlewaretoken=token, post="yes"
    )

    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["1 merged, 1 skipped (one of the authors is already merged into another: 1)."]
    b.refresh_from_db()
    assert b.merged_into == a
    other = propose(d, c)
    response = action_post(client, "dismiss_selected", other, csrfmiddlewaretoken=token, post="yes")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 dismissed."]
    other.refresh_from_db()
    assert other.status == Status.DISMISSED


def test_a_proposal_recorded_before_the_rules_changed_says_so_and_does_not_merge_father_and_son():
    """Dumas père and Dumas fils proposed on a generic title (as reconciliation did before
    either was two people): the list says the title is no evidence, and merging is refused."""
    father = make_author("Alexandre Dumas père", sort_name="Dumas, Alexandre")
    son = make_author("Alexandre Dumas fils", sort_name="Dumas, Alexandre")
    make_work("Théâtre complet", authors=[father])
    make_work("Théâtre complet", authors=[son])
    old = AuthorMerge.objects.create(
        kept=father,
        duplicate=son,
        reason=AuthorMerge.Reason.NAME_AND_WORK,
        evidence={"names": {"kept": father.name, "duplicate": son.name}, "works": ["Poésies"]},
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer())
    page = client.get(MERGES_URL).content.decode()
    assert "<b>Shared works</b>: Poésies (a generic title: no evidence)" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = action_post(client, "merge_selected", old, csrfmiddlewaretoken=token, post="yes")

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "0 merged, 1 skipped (“Alexandre Dumas père” and “Alexandre Dumas fils” are two "
        "generations of a family: 1)."
    ]
    son.refresh_from_db()
    old.refresh_from_db()
    assert son.merged_into is None and old.status == Status.PROPOSED
    assert WorkAuthor.objects.filter(author=son).exists()


def test_a_shared_id_with_birth_years_decades_apart_is_shown_with_both_years():
    """One VIAF id on a father and his son (a wrong id, ours or a source's): proposed for the id,
    and the list says the two were born 27 years apart."""
    father = make_author("Richard Matheson", birth_year=1926, viaf_id="12345")
    make_work("Collected Stories", authors=[father])
    make_author("Richard Christian Matheson", birth_year=1953, viaf_id="12345")
    author_duplicates_propose()
    assert AuthorMerge.objects.get().evidence["conflicting_years"] == {"birth_year": [1926, 1953]}
    client = Client()
    client.force_login(reviewer())
    page = client.get(MERGES_URL).content.decode()
    assert "<b>Born in different years</b>: 1926 / 1953" in page


def test_the_proposal_and_the_merge_s_audit_entry_say_who_and_what_moved(lukyanenko):
    """The proposal's page was headed "Merge author 2 into 1 (proposed)", and the merge's entry
    read "Credits: empty → The Genome (Author)", as if the kept author had had no credit."""
    *_authors, merge, _night_watch, _genome = lukyanenko
    client = Client()
    client.force_login(reviewer())
    page = client.get(reverse("admin:enrichment_authormerge_change", args=[merge.pk]))
    heading = re.search(r"<h2>(.*?)</h2>", page.content.decode()).group(1)
    assert heading == "Merge Sergei Lukyanenko into Сергей Лукьяненко (Proposed)"

    outcome = author_merges.author_merge_apply(merge=merge, actor=None)

    entry = client.get(
        reverse("admin:enrichment_auditlogentry_change", args=[outcome.audit_entry.pk])
    ).content.decode()
    assert "Credits moved here" in entry and ">Credits<" not in entry


def test_a_redirect_s_page_does_not_promise_a_photo_enrichment_never_fetches(lukyanenko):
    kept, duplicate, merge, _night_watch, _genome = lukyanenko
    author_merges.author_merge_apply(merge=merge, actor=None)
    client = Client()
    client.force_login(reviewer())
    page = client.get(reverse("admin:catalog_author_change", args=[duplicate.pk])).content.decode()
    assert "None: a merged author (a redirect) is never enriched." in page
    assert "enrichment fetches one" not in page
    kept_page = client.get(reverse("admin:catalog_author_change", args=[kept.pk])).content
    assert "None: this author has not been sent to enrichment" in kept_page.decode()


def test_reverting_a_merge_says_which_fields_by_their_names(lukyanenko):
    """The message read "Reverted open library author, credits, merged into on …"."""
    *_authors, merge, _night_watch, _genome = lukyanenko
    entry = author_merges.author_merge_apply(merge=merge, actor=None).audit_entry
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    url = reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk])
    # It asks first, listing all the merge gives back (its check names only "Merged into").
    asked = " ".join(re.sub(r"<[^>]+>", " ", client.get(url).content.decode()).split())
    assert "Are you sure?" in asked
    assert "Open Library author: back to empty (it holds “OL1420468A”)" in asked
    assert "Credits both held: back to “Night Watch (Author)” (it holds empty)" in asked
    assert "Merged into: back to empty" in asked
    response = client.post(url, {"post": "yes"}, follow=True)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    names = "nationality, Open Library author, Goodreads author, VIAF, ISNI, credits moved here"
    assert message.startswith(f"Reverted {names}, ")


def test_an_open_proposal_s_line_says_how_many_credits_each_author_has(lukyanenko):
    """What a merge moves, before choosing it: the list showed names only."""
    _kept, _duplicate, merge, _night_watch, _genome = lukyanenko
    client = Client()
    client.force_login(reviewer())
    row = client.get(MERGES_URL).content.decode().split("<tbody>", 1)[1]
    kept_cell, duplicate_cell = re.findall(
        r'<td class="field-(?:kept|duplicate)_link">(.*?)</td>', row
    )
    assert kept_cell.endswith('<span class="small">2 credits</span>')
    assert duplicate_cell.endswith('<span class="small">3 credits</span>')

    author_merges.author_merge_apply(merge=merge, actor=None)

    assert "credits</span>" not in client.get(MERGES_URL).content.decode()


def test_staff_without_the_review_permission_cannot_merge():
    a, b = make_author("Ursula K. Le Guin"), make_author("Le Guin, Ursula K.")
    merge = propose(a, b)
    staff = User.objects.create_user("vera", password="pw", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_authormerge", "view_author"])
    )
    client = Client()
    client.force_login(staff)
    page = client.get(MERGES_URL).content.decode()
    assert "Le Guin, Ursula K." in page  # may look
    assert "merge_selected" not in page and "dismiss_selected" not in page
    action_post(client, "merge_selected", merge, post="yes")  # posted anyway: refused
    merge.refresh_from_db()
    b.refresh_from_db()
    assert merge.status == Status.PROPOSED and b.merged_into is None
    assert not AuditLogEntry.objects.exists()
    # Staff with no permission on proposals at all do not even see them.
    nobody = User.objects.create_user("nora", password="pw", is_staff=True)
    client.force_login(nobody)
    assert client.get(MERGES_URL).status_code == 403


def test_proposals_are_read_only_in_the_admin():
    merge = propose(make_author("Ursula K. Le Guin"), make_author("Le Guin, Ursula K."))
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="pw"))
    assert client.get(reverse("admin:enrichment_authormerge_add")).status_code == 403
    page = client.get(reverse("admin:enrichment_authormerge_change", args=[merge.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


# --- imports after a merge -----------------------------------------------------------------------


def test_an_import_naming_a_merged_author_credits_the_author_it_was_merged_into():
    kept = make_author("Сергей Лукьяненко")
    duplicate = make_author("Sergei Lukyanenko")
    make_work("Night Watch", authors=[duplicate])
    author_merges.author_merge_apply(merge=propose(kept, duplicate), actor=None)
    authors_before = Author.objects.count()

    job = run_import(
        goodreads_file(
            goodreads_row(Book_Id="1", Title="The Genome", Author="Sergei Lukyanenko"),
            # The book the duplicate was credited with, again, without an ISBN: the same work.
            goodreads_row(Book_Id="2", Title="Night Watch", Author="Sergei Lukyanenko"),
        )
    )

    assert job.failed_count == 0, list(job.rows.values_list("error", flat=True))
    assert Author.objects.count() == authors_before  # no new "Sergei Lukyanenko"
    genome = Work.objects.get(title="The Genome")
    assert list(genome.authors.all()) == [kept]
    assert Work.objects.filter(title="Night Watch").count() == 1
    assert not WorkAuthor.objects.filter(author=duplicate).exists()


def test_the_audit_logs_revert_undoes_a_merge_once():
    """The audit page's Revert (enrichment.revert.audit_revert) gives a merge back."""
    kept = make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    duplicate = make_author("Le Guin, Ursula K.", wikidata_id="Q181659", birth_year=1929)
    make_work("The Dispossessed", authors=[duplicate])
    author_duplicates_propose()
    merge = AuthorMerge.objects.get()
    assert author_merges.author_merge_apply(merge=merge, actor=None).done
    entry = AuditLogEntry.objects.get(action=AuditLogEntry.Action.MERGE)
    assert revert.revert_check(entry).revertible == ["merged_into"]
    result = revert.audit_revert(entry=entry, actor=None)
    duplicate.refresh_from_db()
    assert result.revert_entry is not None and duplicate.merged_into is None
    assert list(duplicate.works.values_list("title", flat=True)) == ["The Dispossessed"]
    assert revert.revert_check(entry).revertible == []
    assert kept.pk != duplicate.pk


def test_a_merged_authors_waiting_request_is_not_worked():
    make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    duplicate = make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    [request_id] = enqueue_authors(author_ids=[duplicate.pk], dispatch=False)
    author_duplicates_propose()
    assert author_merges.author_merge_apply(merge=AuthorMerge.objects.get(), actor=None).done
    request = EnrichmentRequest.objects.get(pk=request_id)
    assert request.status == EnrichmentRequest.Status.SKIPPED
    assert request.review_note.startswith("The author was merged into #")
    assert "Ursula K. Le Guin" in request.review_note
