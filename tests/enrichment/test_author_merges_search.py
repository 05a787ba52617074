"""The author merges list when it is empty: what it says of how proposals appear, and the
"Look for duplicates now" button that queues the daily search at once (POST, CSRF, the review
permission). Split from test_author_merges.py."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from tests.enrichment.test_author_merges import MERGES_URL, reviewer

pytestmark = pytest.mark.django_db


def test_the_empty_list_says_in_plain_words_how_proposals_appear_and_a_reviewer_may_search_now(
    sent_tasks,
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer())
    page = client.get(MERGES_URL).content.decode()
    help_text = re.search(r'<div class="empty-list"[^>]*>\s*<p>(.*?)</p>', page, re.S).group(1)
    assert "`" not in help_text and "manage.py" not in help_text
    assert "Once a day" in help_text and "Next search:" in help_text
    assert ".." not in help_text  # "… 5:44 p.m.", the sentence's end, not "p.m.."
    assert "Look for duplicates now" in page
    find_url = reverse("admin:enrichment_authormerge_find_duplicates")
    assert client.post(find_url).status_code == 403  # no CSRF token
    assert client.get(find_url).status_code == 405  # a link followed does not search
    assert sent_tasks == []
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(find_url, {"csrfmiddlewaretoken": token}, follow=True)

    assert response.redirect_chain[-1][0] == MERGES_URL
    assert [t.func for t in sent_tasks] == ["enrichment.tasks.propose_author_merges"]
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Looking for duplicate authors")


def test_staff_who_may_only_look_at_proposals_cannot_start_a_search(sent_tasks):
    staff = User.objects.create_user("vera", password="pw", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename="view_authormerge"))
    client = Client()
    client.force_login(staff)
    page = client.get(MERGES_URL).content.decode()
    assert "Once a day" in page and "Look for duplicates now" not in page
    response = client.post(reverse("admin:enrichment_authormerge_find_duplicates"))
    assert response.status_code == 403 and sent_tasks == []


@pytest.mark.parametrize(
    ("run_in", "says"),
    [
        (-datetime.timedelta(minutes=2), "Next search: due now."),
        (-datetime.timedelta(hours=5), "Next search: overdue since "),
    ],
)
def test_the_empty_lists_next_search_in_the_past_says_due_or_overdue(run_in, says):
    """A search the schedule had not run read "Next search: 6:44 a.m." at 11:44, as if ahead."""
    from django.utils import timezone
    from django_q.models import Schedule

    from enrichment import reconcile

    Schedule.objects.filter(func=reconcile.PROPOSE_TASK).update(next_run=timezone.now() + run_in)
    client = Client()
    client.force_login(reviewer())
    page = client.get(MERGES_URL).content.decode()
    help_text = re.search(r'<div class="empty-list"[^>]*>\s*<p>(.*?)</p>', page, re.S).group(1)
    assert says in help_text


def test_with_the_queue_unreachable_the_search_says_so_and_nothing_is_lost(monkeypatch):
    def redis_down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr("bookstore.task_queue.enqueue", redis_down)
    client = Client()
    client.force_login(reviewer())

    response = client.post(reverse("admin:enrichment_authormerge_find_duplicates"), follow=True)

    assert response.status_code == 200  # not a server error
    assert response.redirect_chain[-1][0] == MERGES_URL
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "error"
    assert "task queue is unreachable" in str(message) and "Nothing was lost" in str(message)
