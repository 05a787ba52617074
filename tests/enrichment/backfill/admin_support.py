"""What the backfill admin's tests (test_backfill_admin*.py, test_queue_now_unreachable.py) share:
staff with given permissions, months in a given state, the list's action as a browser posts it,
and the text a person reads."""

import datetime
import html as html_text
import re

from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from enrichment.models import BackfillMonth

Status = BackfillMonth.Status
LIST_URL = reverse("admin:enrichment_backfillmonth_changelist")
ADD_MONTHS_URL = reverse("admin:enrichment_backfillmonth_add_months")
ONE_HOUR = datetime.timedelta(hours=1)


def staff(username: str, *codenames: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def logged_in(user: User, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def month(label: str, status=Status.PENDING, **fields) -> BackfillMonth:
    return BackfillMonth.objects.create(
        year=int(label[:4]), month=int(label[5:]), status=status, **fields
    )


def a_completed_month() -> BackfillMonth:
    return month(
        "2024-03",
        Status.COMPLETED,
        books_discovered=20,
        duplicates_dropped=4,
        isbns_resolved=12,
        resolution_rate=0.75,
        synthetic_works=4,
        queued_for_enrichment=12,
        provider_calls={"openlibrary_search": 3, "google_books": 2, "isbndb": 0},
        sources={
            "openlibrary_dump": {"books": 14, "calls": 0, "error": ""},
            "openlibrary_search": {"books": 9, "calls": 3, "error": "HTTP 503 on page 3"},
        },
    )


def action_post(client: Client, action: str, *months: BackfillMonth, **extra):
    """The action chosen on the list, then "yes" on its confirmation page (as a browser posts
    it: the action and the ids again, with post=yes and no `index`)."""
    return client.post(
        LIST_URL,
        {"action": action, "_selected_action": [m.pk for m in months], "post": "yes", **extra},
        follow=True,
    )


def visible(markup: str) -> str:
    """The text a person reads: tags dropped, entities read, runs of spaces as one."""
    return " ".join(html_text.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def shown_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]
