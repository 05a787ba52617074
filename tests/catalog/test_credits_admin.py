"""A book's credits (who wrote, translated, narrated it) as the author and work pages show them:
which works an author's deletion takes the author off, and where an author stands among each
work's people."""

import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from catalog.models import WorkAuthor
from tests.factories import make_author, make_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    return client


def page_text(response) -> str:
    """The page's words, tags and runs of spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", text)


def test_deleting_an_author_lists_the_works_it_is_taken_off(superuser_client):
    """The confirmation listed "Work author: Chimamanda Ngozi Adichie (Author)" once per book,
    five identical lines: a librarian could not tell which books were about to lose their
    author. Each line now names the work, and calls the thing deleted a credit."""
    author = make_author("Chimamanda Ngozi Adichie")
    make_work("Americanah", authors=[author])
    make_work("Purple Hibiscus", authors=[author])
    url = reverse("admin:catalog_author_delete", args=[author.pk])

    text = page_text(superuser_client.get(url))

    assert "Credit: Chimamanda Ngozi Adichie (Author) of Americanah" in text
    assert "Credit: Chimamanda Ngozi Adichie (Author) of Purple Hibiscus" in text
    assert "Credits: 2" in text
    assert "Work author" not in text


def test_deleting_a_work_calls_its_translator_a_credit_not_a_work_author(superuser_client):
    work = make_work("1Q84", authors=["Haruki Murakami"])
    WorkAuthor.objects.create(
        work=work, author=make_author("Jay Rubin"), role="translator", position=1
    )
    url = reverse("admin:catalog_work_delete", args=[work.pk])

    text = page_text(superuser_client.get(url))

    assert "Credit: Jay Rubin (Translator) of 1Q84" in text
    assert "Credits: 2" in text
    assert "Work author" not in text


def test_an_authors_page_says_where_it_stands_among_each_works_people(superuser_client):
    """The author's works table showed "Position 0" for every work it leads (the stored index,
    counted from 0): "1 of 2" says the author comes first of the work's two people."""
    author = make_author("Jay Rubin")
    make_work("1Q84", authors=["Haruki Murakami", author])
    make_work("Rashomon and Seventeen Other Stories", authors=[author])
    url = reverse("admin:catalog_author_change", args=[author.pk])

    page = superuser_client.get(url).content.decode()
    places = re.findall(r'<td class="field-(?:position|place_in_credits)">(.*?)</td>', page, re.S)

    assert [re.sub(r"<[^>]+>|\s+", "", cell) for cell in places] == ["2of2", "1of1"]
    assert "Place in its credits" in page_text(superuser_client.get(url))


def test_a_work_s_reader_reads_where_each_credit_stands_not_its_stored_position(client):
    """Staff who may only view the work read its credits' "Position" as 0 and 1 (the stored
    index, counted from 0, and skipping numbers once a credit has gone), where the author's
    page says "1 of 2": they read the same "1 of 2" here. Editors keep the position field."""
    work = make_work("1Q84", authors=["Haruki Murakami"])
    WorkAuthor.objects.create(
        work=work, author=make_author("Jay Rubin"), role="translator", position=3
    )
    reader = User.objects.create_user("vera", password="pw", is_staff=True)
    reader.user_permissions.add(*Permission.objects.filter(codename="view_work"))
    client.force_login(reader)
    url = reverse("admin:catalog_work_change", args=[work.pk])

    page = client.get(url).content.decode()

    places = re.findall(r'<td class="field-(?:position|place_in_credits)">(.*?)</td>', page, re.S)
    assert [re.sub(r"<[^>]+>|\s+", "", cell) for cell in places] == ["1of2", "2of2"]
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    assert 'name="credits-0-position"' in client.get(url).content.decode()


def test_a_works_history_calls_a_changed_credit_a_credit(superuser_client):
    """Changing a translator's role under its work was logged as "Changed Role for work author
    “Jay Rubin (Translator)”"."""
    from django.contrib.admin.models import LogEntry

    from tests.catalog.test_import_placeholder_titles import FormFields

    work = make_work("1Q84", authors=["Haruki Murakami"])
    WorkAuthor.objects.create(
        work=work, author=make_author("Jay Rubin"), role="translator", position=1
    )
    url = reverse("admin:catalog_work_change", args=[work.pk])
    form = FormFields()
    form.feed(superuser_client.get(url).content.decode())

    response = superuser_client.post(url, {**form.data, "credits-1-role": "editor"})

    assert response.status_code == 302
    message = LogEntry.objects.get(object_id=str(work.pk)).get_change_message()
    assert message == "Changed Role for credit “Jay Rubin (Editor) of 1Q84”."


def _with_new_credit_rows(response, authors) -> dict:
    """The page's form as posted after "Add another author or contributor" once per author:
    each new row as the browser copies it from the empty row, its author chosen."""
    from tests.enrichment.test_work_page import change_form_data

    data = change_form_data(response)
    [credits] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is WorkAuthor
    ]
    first = int(data[f"{credits.prefix}-TOTAL_FORMS"])
    empty = credits.empty_form
    for i, author in enumerate(authors, start=first):
        for name in ("position", "role"):
            value = empty[name].value()
            data[f"{credits.prefix}-{i}-{name}"] = "" if value is None else value
        data[f"{credits.prefix}-{i}-author"] = author.pk
    data[f"{credits.prefix}-TOTAL_FORMS"] = first + len(authors)
    return data


def test_new_credit_rows_keep_the_order_they_were_entered_in(superuser_client):
    """Every added row showed place 0: a work's three authors were saved all at 0, their order
    lost. A row whose place is left empty now follows the others, in the order entered."""
    pratchett, gaiman, kidby = (
        make_author(name) for name in ("Terry Pratchett", "Neil Gaiman", "Paul Kidby")
    )
    url = reverse("admin:catalog_work_add")
    data = _with_new_credit_rows(superuser_client.get(url), [pratchett, gaiman, kidby])
    data["title"] = "Good Omens"
    assert superuser_client.post(url, data).status_code == 302

    credits = WorkAuthor.objects.filter(work__title="Good Omens")
    assert [(c.author.name, c.position) for c in credits.order_by("position")] == [
        ("Terry Pratchett", 0),
        ("Neil Gaiman", 1),
        ("Paul Kidby", 2),
    ]

    # On its page, a credit added later follows those it has.
    work = credits[0].work
    url = reverse("admin:catalog_work_change", args=[work.pk])
    data = _with_new_credit_rows(superuser_client.get(url), [make_author("Jay Rubin")])
    assert superuser_client.post(url, data).status_code == 302
    added = WorkAuthor.objects.get(work=work, author__name="Jay Rubin")
    assert added.position == 3
