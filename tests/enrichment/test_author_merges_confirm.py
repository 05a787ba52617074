"""Merging (or dismissing) the selected proposals asks first, as the admin's other bulk actions
that change the catalog do: a page says which author goes into which and how many works move,
with Yes / No. A merge was done on the first POST, with no way back but each merge's audit entry;
a dismissal too, and a dismissed pair is never proposed again."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client

from catalog.models import WorkAuthor
from enrichment.models import AuditLogEntry, AuthorMerge
from tests.enrichment.test_author_merges import MERGES_URL, action_post, propose, reviewer
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db
Status = AuthorMerge.Status


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def form_fields(response) -> dict[str, list[str]]:
    """The hidden fields of the confirmation's form, as the browser posts them back."""
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()
    ):
        fields.setdefault(name, []).append(value)
    return fields


@pytest.fixture
def le_guin():
    kept = make_author("Ursula K. Le Guin")
    duplicate = make_author("Le Guin, Ursula K.")
    make_work("The Dispossessed", authors=[kept])
    make_work("The Lathe of Heaven", authors=[duplicate])
    make_work("Lavinia", authors=[duplicate])
    return kept, duplicate, propose(kept, duplicate)


def test_the_first_post_changes_nothing_and_says_what_will_be_merged(le_guin):
    kept, duplicate, merge = le_guin
    client = Client()
    client.force_login(reviewer())

    response = action_post(client, "merge_selected", merge)

    text = page_text(response)
    assert "Are you sure?" in text and 'value="Yes, merge it"' in response.content.decode()
    assert "You are about to merge the authors of the selected author merge:" in text
    assert "2 works move in all." in text
    assert (
        f"“Le Guin, Ursula K.” (#{duplicate.pk}) into “Ursula K. Le Guin” (#{kept.pk}): "
        "2 works move" in text
    )
    assert "No, take me back" in text
    merge.refresh_from_db()
    duplicate.refresh_from_db()
    assert merge.status == Status.PROPOSED and duplicate.merged_into is None
    assert WorkAuthor.objects.filter(author=duplicate).count() == 2
    assert not AuditLogEntry.objects.exists()


def test_a_work_both_authors_are_credited_on_does_not_move(le_guin):
    """The duplicate's credit on a work the kept author is credited on is dropped: the work
    stays as it is, and the page counted it as moving."""
    kept, duplicate, merge = le_guin
    make_work("The Word for World Is Forest", authors=[kept, duplicate])
    client = Client()
    client.force_login(reviewer())

    text = page_text(action_post(client, "merge_selected", merge))

    assert "2 works move in all." in text
    assert f"into “Ursula K. Le Guin” (#{kept.pk}): 2 works move" in text


def test_a_work_the_duplicate_has_in_another_role_moves_as_the_merge_moves_it(le_guin):
    """Same work, two roles: the kept author wrote it, the duplicate translated it. The merge
    moves the translator's credit (it decides by work and role) and the page, counting by work,
    said the work stayed: both now count by the merge's one rule (author_merges.credit_moves)."""
    kept, duplicate, merge = le_guin
    work = make_work("The Word for World Is Forest", authors=[kept])
    WorkAuthor.objects.create(work=work, author=duplicate, role=WorkAuthor.Role.TRANSLATOR)
    client = Client()
    client.force_login(reviewer())

    text = page_text(action_post(client, "merge_selected", merge))

    assert "3 works move in all." in text
    assert f"into “Ursula K. Le Guin” (#{kept.pk}): 3 works move" in text
    # What the merge then does: three works gain a credit of the kept author.
    action_post(client, "merge_selected", merge, post="yes")
    merge.refresh_from_db()
    assert merge.status == Status.MERGED
    assert len({credit["work"] for credit in merge.moved["credits"]}) == 3
    assert set(WorkAuthor.objects.filter(work=work).values_list("author", "role")) == {
        (kept.pk, WorkAuthor.Role.AUTHOR),
        (kept.pk, WorkAuthor.Role.TRANSLATOR),
    }


def test_yes_on_the_page_merges(le_guin):
    kept, duplicate, merge = le_guin
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer())
    page = client.get(MERGES_URL)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    asked = action_post(client, "merge_selected", merge, csrfmiddlewaretoken=token.group(1))

    response = client.post(MERGES_URL, form_fields(asked), follow=True)

    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 merged."]
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert WorkAuthor.objects.filter(author=kept).count() == 3


def test_proposals_decided_already_are_said_to_be_left_and_alone_offer_no_yes(le_guin):
    *_authors, merge = le_guin
    other = propose(make_author("Ursula Le Guin"), make_author("U. K. Le Guin"))
    AuthorMerge.objects.filter(pk=other.pk).update(status=Status.DISMISSED)
    client = Client()
    client.force_login(reviewer())

    both = action_post(client, "merge_selected", merge, other)
    assert "1 of them is no longer proposed (merged, dismissed or reverted)" in page_text(both)
    assert 'value="Yes, merge it"' in both.content.decode()  # the one still proposed

    alone = action_post(client, "merge_selected", other)
    assert "would change nothing: none of them is still proposed." in page_text(alone)
    assert "Yes, merge" not in alone.content.decode()
    assert "Back to the list" in page_text(alone)


def test_staff_without_the_review_permission_get_no_confirmation_and_no_merge(le_guin):
    _kept, duplicate, merge = le_guin
    staff = User.objects.create_user("vera", password="pw", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_authormerge", "view_author"])
    )
    client = Client()
    client.force_login(staff)

    response = action_post(client, "merge_selected", merge)

    assert "Are you sure?" not in page_text(response)
    merge.refresh_from_db()
    duplicate.refresh_from_db()
    assert merge.status == Status.PROPOSED and duplicate.merged_into is None


def test_dismissing_asks_first_too(le_guin):
    kept, duplicate, merge = le_guin
    client = Client()
    client.force_login(reviewer())

    asked = action_post(client, "dismiss_selected", merge)

    text = page_text(asked)
    assert "You are about to dismiss the selected author merge: the authors stay apart" in text
    assert f"“Le Guin, Ursula K.” (#{duplicate.pk}) and “Ursula K. Le Guin” (#{kept.pk})" in text
    merge.refresh_from_db()
    assert merge.status == Status.PROPOSED
    response = client.post(MERGES_URL, form_fields(asked), follow=True)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 dismissed."]
    merge.refresh_from_db()
    assert merge.status == Status.DISMISSED
