"""An author whose name stands for no one person (`Anonymous`, which libraries credit and the
imports keep; `Unknown`, `Various`, stored before the imports read them as no one, or typed in
the admin) is nobody a source can describe: never queued, and a request for one (queued before
this rule) asks no source and ends unmatched saying why. Before, `Anonymous` was looked up as a
person: Wikidata searched for a human labelled "Anonymous", Open Library's book records of their
works gave the key of whichever "Anonymous" record credits the book, its record applied."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from enrichment import author_state, tasks
from enrichment.models import EnrichmentRequest
from tests.enrichment.test_author_engine import (  # noqa: F401
    fresh,
    serve_orwell,
    sources,
)
from tests.factories import make_author, make_edition, make_work

pytestmark = pytest.mark.django_db
Status = EnrichmentRequest.Status
AUTHORS_URL = reverse("admin:catalog_author_changelist")
NO_ONE = ["Anonymous", "anon.", "Anonyme", "Anónimo", "Аноним", "Unknown Author", "Various"]


@pytest.mark.parametrize("name", NO_ONE)
def test_enrich_missing_never_queues_an_author_who_names_no_one_person(name, sent_tasks):
    make_author(name)  # lacks a bio, dates and ids
    someone = make_author("Anna Nimmo")  # a person, however close the name

    out = StringIO()
    call_command("enrich_missing", "--authors", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert (summary["authors_missing"], summary["authors_queued"]) == (1, 1)
    assert list(EnrichmentRequest.objects.values_list("author_id", flat=True)) == [someone.pk]


@pytest.mark.parametrize(
    ("name", "no_one"),
    [
        *((name, True) for name in NO_ONE),
        (" Anonymous ", True),
        ("Anonymus Belae Regis Notarius", False),  # a chronicler, known by his office
        ("Anna Nimmo", False),
        ("Unknown Pleasures", False),
    ],
)
def test_which_names_stand_for_no_one_person(name, no_one):
    assert author_state.names_no_one_person(name) is no_one


def test_a_request_for_anonymous_queued_before_asks_no_source_and_says_why(
    sources,  # noqa: F811
    sent_tasks,
):
    serve_orwell(sources)  # every source answers: a person named "Anonymous" would be asked
    anonymous = make_author("Anonymous")
    beowulf = make_work("Beowulf", authors=[anonymous])
    make_edition(beowulf, isbn13="9780393320978")
    request = EnrichmentRequest.objects.create(author=anonymous, trigger="post_import")

    tasks.process_enrichment_batch([request.pk])

    request.refresh_from_db()
    assert sources.requests == []  # neither Open Library nor Wikidata was asked
    assert (request.status, request.confidence) == (Status.SKIPPED, "none")
    assert request.match_details.reason == (
        "“Anonymous” stands for no one person (a work's unknown or several unnamed authors): "
        "no source can describe them, so none was asked."
    )
    anonymous = fresh(anonymous)
    assert (anonymous.openlibrary_key, anonymous.wikidata_id, anonymous.bio) == (None, "", "")


def test_enrich_selected_authors_says_why_anonymous_is_not_queued(client, sent_tasks):
    """The list's "Enrich selected authors" said "the author has a bio, dates and ids: nothing
    to look up" of an `Anonymous` who has none of them."""
    anonymous = make_author("Anonymous")
    client.force_login(User.objects.create_superuser("libby", password="pw"))
    data = {"action": "enrich_selected", "index": "0", "_selected_action": [anonymous.pk]}

    response = client.post(AUTHORS_URL, {**data, "post": "yes"}, follow=True)

    (message,) = (str(m) for m in response.context["messages"])
    assert "1 the author's name stands for no one person: no source can describe them" in message
    assert "nothing to look up" not in message
    assert not EnrichmentRequest.objects.exists()


# Organisations credited as authors: real Open Library author names (the dump's lines in
# tests/fixtures/openlibrary_dump/: OL7090757A, OL6739312A, OL6032027A, OL5678870A, OL6403555A,
# OL7548063A, OL788699A, OL815771A), and corporate bodies as exports credit them.
ORGANISATIONS = [
    "S. Norwell (Firm)",
    "Orwell Women's Institute.",
    "Friends of Morwellham.",
    "Orwell. Cambridgeshire. Parish.",
    "Orwell Conference (1983 University of Antwerp)",
    "Norwell High School",
    "Australian Copyright Council.",
    "California. Legislature. Senate. Select Committee on the Pacific Rim.",
    "Oxford University Press",
    "The MIT Press",
    "Apple Inc.",
    "Penguin Books Ltd",
    "McKinsey & Company",
    "Society of Biblical Literature",
    "Beatles (Musical group)",
    "Kinokuniya (Firm : Tokyo, Japan)",
]


@pytest.mark.parametrize(
    ("name", "organisation"),
    [
        *((name, True) for name in ORGANISATIONS),
        ("S. Norwell", False),  # the name without its qualifier: a person's
        ("William H. Press", False),  # a surname, not a publisher's word
        ("Lily Co", False),
        ("Peggy Parish", False),
        ("Chas. Dickens", False),  # a given name's abbreviation, not a body's subdivision
        ("Martin. Rhonheimer", False),  # a stray stop: goodreads-salvodif-two-spellings.csv
        ("Dumas, Alexandre (1802-1870)", False),
        ("Smith, Zadie (1975)", False),
        ("George Orwell", False),
        ("Anonymous", False),  # no one person, but no organisation
    ],
)
def test_which_names_are_an_organisations(name, organisation):
    """`S. Norwell (Firm)` was looked up as a person: matching reads the name without its
    bracketed qualifier, `S. Norwell`, and a person of that name would be taken for the firm."""
    assert author_state.names_an_organisation(name) is organisation
    assert author_state.names_no_one_person(name) is (organisation or name == "Anonymous")


@pytest.mark.parametrize("name", ORGANISATIONS)
def test_enrich_missing_never_queues_an_organisation(name, sent_tasks):
    make_author(name)  # lacks a bio, dates and ids
    someone = make_author("William H. Press")

    out = StringIO()
    call_command("enrich_missing", "--authors", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert (summary["authors_missing"], summary["authors_queued"]) == (1, 1)
    assert list(EnrichmentRequest.objects.values_list("author_id", flat=True)) == [someone.pk]


def test_a_request_for_a_firm_queued_before_asks_no_source_and_says_why(
    sources,  # noqa: F811
    sent_tasks,
):
    serve_orwell(sources)
    firm = make_author("S. Norwell (Firm)")
    work = make_work("Nineteen Eighty-Four", authors=[firm])
    make_edition(work, isbn13="9780451524935")
    request = EnrichmentRequest.objects.create(author=firm, trigger="post_import")

    tasks.process_enrichment_batch([request.pk])

    request.refresh_from_db()
    assert sources.requests == []
    assert (request.status, request.confidence) == (Status.SKIPPED, "none")
    assert request.match_details.reason == (
        "“S. Norwell (Firm)” is an organisation's name, not a person's: the author sources "
        "describe people, so none was asked."
    )
