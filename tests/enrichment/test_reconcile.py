"""Finding duplicate authors and proposing merges (enrichment.reconcile): never merging, never
on a name alone."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.models import Schedule

from catalog import isbn
from catalog.models import Author
from enrichment import author_merges, reconcile, tasks
from enrichment.author_matching import person_name_key
from enrichment.models import AuthorMerge
from enrichment.reconcile import Person, author_duplicates_propose
from tests.factories import make_author, make_edition, make_isbn13, make_work

MAPMYREADS = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "mapmyreads"
DUMP = Path(__file__).resolve().parents[1] / "fixtures" / "openlibrary_dump"
Reason = AuthorMerge.Reason


def proposals() -> list[tuple[str, str, str]]:
    return sorted(
        (m.kept.name, m.duplicate.name, m.reason)
        for m in AuthorMerge.objects.select_related("kept", "duplicate")
    )


def mapmyreads_row(filename: str, isbn_column: str, isbn13: str) -> dict[str, str]:
    """The row of a real mapmyreads export for one ISBN-13 (Goodreads wraps it in ="...")."""
    with open(MAPMYREADS / filename, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            if row[isbn_column].strip('="') == isbn13:
                return row
    raise AssertionError(f"{isbn13} is not in {filename}")


# --- the rules, without a database ---------------------------------------------------------


def test_the_kept_author_has_more_credits_then_an_open_library_key_then_the_lower_pk():
    few = Person(1, "Ursula K. Le Guin", credits=1)
    many = Person(2, "Le Guin, Ursula K.", credits=3)
    assert reconcile.kept_and_duplicate(few, many) == (many, few)
    keyed = Person(3, "Ursula K. Le Guin", ids={"openlibrary_author": "OL31353A"}, credits=1)
    assert reconcile.kept_and_duplicate(few, keyed) == (keyed, few)
    older = Person(4, "Ursula K. Le Guin", credits=1)
    newer = Person(5, "Ursula K. Le Guin", credits=1)
    assert reconcile.kept_and_duplicate(newer, older) == (older, newer)


def test_names_in_another_order_or_script_agree_and_a_surname_alone_does_not():
    def agree(a: str, b: str) -> bool:
        return reconcile.name_agreement(Person(1, a), Person(2, b))[0] >= reconcile.NAME_MATCH_MIN

    assert person_name_key("Le Guin, Ursula K.") == person_name_key("Ursula K. Le Guin")
    assert agree("Le Guin, Ursula K.", "Ursula K. Le Guin")
    # The pair: person_name_key alone keeps them apart ("sergey" / "sergei"), the
    # name rule of author matching folds the two romanisations.
    assert person_name_key("Сергей Лукьяненко") != person_name_key("Sergei Lukyanenko")
    assert agree("Сергей Лукьяненко", "Sergei Lukyanenko")
    assert agree("Сергей Лукьяненко", "Sergey Lukyanenko")
    assert not agree("Arkady Strugatsky", "Boris Strugatsky")  # brothers, one book
    assert not agree("Ursula K. Le Guin", "Charles Le Guin")
    assert not agree("Rumi", "Jalal ad-Din Muhammad ar-Rumi")  # a surname alone


def test_ids_are_grouped_in_one_pass_and_each_duplicate_paired_with_the_best_author():
    people = [
        Person(1, "A", ids={"wikidata": "Q1"}, credits=1),
        Person(2, "B", ids={"wikidata": "Q1", "viaf": "7"}, credits=5),
        Person(3, "C", ids={"viaf": "7"}, credits=0),
        Person(4, "D", ids={"wikidata": "Q9"}),
    ]
    assert reconcile.pairs_sharing_ids(people) == {
        (1, 2): {"wikidata": "Q1"},
        (2, 3): {"viaf": "7"},
    }


# --- against the catalog --------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_authors_sharing_an_external_id_are_proposed_whatever_its_written_form():
    kept = make_author("Sergei Lukyanenko", goodreads_author_id="37542")
    make_work("Night Watch", authors=[kept])
    make_work("Day Watch", authors=[kept])
    # Goodreads' own URL slug form of the same id.
    other = make_author("S. Lukyanenko", goodreads_author_id="37542.Sergei_Lukyanenko")
    make_work("Labyrinth of Reflections", authors=[other])
    isni_a = make_author("Ursula K. Le Guin", isni="0000 0001 2146 8188")
    isni_b = make_author("Ursula Le Guin", isni="0000000121468188")

    result = author_duplicates_propose()

    assert result.proposed == 2 and result.by_reason == {Reason.SHARED_ID: 2}
    merge = AuthorMerge.objects.get(duplicate=other)
    assert merge.kept == kept and merge.reason == Reason.SHARED_ID  # more credits
    assert merge.status == AuthorMerge.Status.PROPOSED
    assert merge.evidence["ids"] == {"goodreads_author": "37542"}
    assert merge.evidence["names"] == {"kept": "Sergei Lukyanenko", "duplicate": "S. Lukyanenko"}
    isni_merge = AuthorMerge.objects.get(kept=isni_a)
    assert isni_merge.duplicate == isni_b and isni_merge.evidence["ids"] == {
        "isni": "0000000121468188"
    }
    # Nothing was merged: proposals only.
    assert not Author.objects.filter(merged_into__isnull=False).exists()


def test_a_shared_id_with_another_id_that_differs_is_proposed_with_the_conflict_shown():
    make_author("Ursula K. Le Guin", goodreads_author_id="874602", wikidata_id="Q181659")
    make_author("Ursula K. Le Guin", goodreads_author_id="874602", wikidata_id="Q42")
    author_duplicates_propose()
    merge = AuthorMerge.objects.get()
    assert merge.evidence["conflicting_ids"] == {"wikidata": ["Q181659", "Q42"]}


def test_a_transliterated_name_and_a_shared_work_are_proposed():
    cyrillic = make_author("Сергей Лукьяненко")
    latin = make_author("Sergei Lukyanenko")
    make_work("Лабиринт отражений", authors=[cyrillic])
    make_work("Night Watch", authors=[cyrillic])
    make_work("Лабиринт отражений", authors=[latin])  # the same title, another record

    result = author_duplicates_propose()

    assert result.proposed == 1 and result.by_reason == {Reason.NAME_AND_WORK: 1}
    merge = AuthorMerge.objects.get()
    assert (merge.kept, merge.duplicate) == (cyrillic, latin)
    assert merge.evidence["works"] == ["Лабиринт отражений"]
    assert merge.evidence["names"] == {
        "kept": "Сергей Лукьяненко",
        "duplicate": "Sergei Lukyanenko",
    }
    assert merge.evidence["name_score"] >= reconcile.NAME_MATCH_MIN


def test_a_serbian_name_in_its_cyrillic_and_latin_letters_sharing_a_work_is_proposed():
    """Serbian writes one name in two alphabets, letter for letter (ш is š): `Danilo Kiš` and
    `Данило Киш`, credited on one title, were "another name" and never proposed."""
    cyrillic = make_author("Данило Киш")
    latin = make_author("Danilo Kiš")
    make_work("Гробница за Бориса Давидовича", authors=[cyrillic])
    make_work("Гробница за Бориса Давидовича", authors=[latin])

    result = author_duplicates_propose()

    assert result.by_reason == {Reason.NAME_AND_WORK: 1}
    merge = AuthorMerge.objects.get()
    assert {merge.kept, merge.duplicate} == {cyrillic, latin}
    assert merge.evidence["name_score"] == 5


def test_two_authors_credited_on_one_work_or_on_one_isbn_are_proposed():
    cyrillic = make_author("Сергей Лукьяненко")
    latin = make_author("Sergey Lukyanenko")
    make_work("Night Watch", authors=[cyrillic, latin])
    # One ISBN-13 on two works: one edition holds it, the other only as its ISBN-10.
    isbn13 = make_isbn13()
    le_guin = make_author("Ursula K. Le Guin")
    le_guin_lf = make_author("Le Guin, Ursula K.")
    make_edition(make_work("A Wizard of Earthsea", authors=[le_guin]), isbn13=isbn13)
    make_edition(
        make_work("Earthsea 1", authors=[le_guin_lf]),
        isbn13=None,
        isbn10=isbn.isbn13_to_isbn10(isbn13),
    )

    author_duplicates_propose()

    by_kept = {m.kept.name: m for m in AuthorMerge.objects.select_related("kept")}
    assert by_kept["Сергей Лукьяненко"].evidence["works"] == ["Night Watch"]
    assert by_kept["Ursula K. Le Guin"].duplicate == le_guin_lf
    assert by_kept["Ursula K. Le Guin"].evidence["isbns"] == [isbn13]


def test_last_first_and_first_last_sharing_a_work_are_proposed():
    le_guin = make_author("Ursula K. Le Guin")
    le_guin_lf = make_author("Le Guin, Ursula K.")
    make_work("The Dispossessed", authors=[le_guin])
    make_work("The Left Hand of Darkness", authors=[le_guin])
    make_work("The Dispossessed", authors=[le_guin_lf])
    author_duplicates_propose()
    assert proposals() == [("Ursula K. Le Guin", "Le Guin, Ursula K.", Reason.NAME_AND_WORK)]


def test_the_reason_shown_for_names_in_two_orders_claims_no_transliteration():
    """The proposal's reason reads true of a pair whose names are one name in two orders (the
    label said "Same name (transliterated)", which "Le Guin, Ursula K." is not)."""
    le_guin = make_author("Ursula K. Le Guin")
    make_work("The Dispossessed", authors=[le_guin, make_author("Le Guin, Ursula K.")])
    author_duplicates_propose()
    (merge,) = AuthorMerge.objects.all()
    assert merge.get_reason_display() == "Names that agree and a shared work"


def test_the_real_mapmyreads_spellings_of_rumi():
    """The Essential Rumi, as the two real exports credit it: Goodreads' Author and Author l-f
    are one name in two orders; StoryGraph's "Rumi" is a surname alone."""
    goodreads = mapmyreads_row("goodreads_library_export.csv", "ISBN13", "9780062509598")
    storygraph = mapmyreads_row("storygraph_export.csv", "ISBN/UID", "9780062509598")
    assert goodreads["Author l-f"] == "ar-Rumi, Jalal ad-Din Muhammad"
    title = goodreads["Title"]
    first = make_author(goodreads["Author"])
    first_edition = make_edition(make_work(title, authors=[first]), isbn13="9780062509598")
    make_edition(first_edition.work, isbn13=None, isbn10="0062509594")
    make_work(title, authors=[make_author(goodreads["Author l-f"])])
    make_work(storygraph["Title"], authors=[make_author(storygraph["Authors"])])

    author_duplicates_propose()

    assert proposals() == [
        ("Jalal ad-Din Muhammad ar-Rumi", "ar-Rumi, Jalal ad-Din Muhammad", Reason.NAME_AND_WORK)
    ]


def _subject_headings(title: str) -> list[str]:
    """The name headings among the subjects of a real Open Library dump edition line (the
    2020-04-30 dump, tests/fixtures/openlibrary_dump/PROVENANCE.md), subdivisions dropped."""
    for line in (DUMP / "booklink_editions_grep_dostoyevsky50.txt").open(encoding="utf-8"):
        record = json.loads(line.split("\t")[4])
        if record.get("title") == title:
            return [subject.split(" -- ")[0] for subject in record.get("subjects", [])]
    raise AssertionError(f"{title} is not in the dump's lines")


def test_a_heading_with_a_title_of_nobility_and_the_name_sharing_a_work_are_proposed():
    """`Tolstoy, Leo, graf, 1828-1910`, as the Library of Congress (and Open Library, from its
    MARC records) writes him: the "graf" read as a third name made it "several people", no one
    person's name, and the pair with `Leo Tolstoy` on one title was never proposed. Aleksey
    Tolstoy, a count of the same family, is another person."""
    heading = next(h for h in _subject_headings("Dostojevskij og Tolstoj") if "Tolstoy" in h)
    assert heading == "Tolstoy, Leo, graf, 1828-1910"
    count = make_author(heading)
    leo = make_author("Leo Tolstoy")
    aleksey = make_author("Tolstoy, Aleksey Nikolaevich, graf, 1883-1945")
    make_work("Anna Karenina", authors=[count])
    make_work("Anna Karenina", authors=[leo])
    make_work("War and Peace", authors=[leo, aleksey])

    result = author_duplicates_propose()

    assert proposals() == [("Leo Tolstoy", heading, Reason.NAME_AND_WORK)]  # more credits
    assert result.proposed == 1
    assert AuthorMerge.objects.get().evidence["name_score"] == 5


def test_one_name_in_two_romanisations_of_x_sharing_a_work_is_proposed():
    """`Alexander` and `Aleksandr` (Александр; German `Tschechow`, English `Chekhov`: Чехов) are
    one name romanised two ways: they scored "other given names" and were never proposed."""
    make_work("Eugene Onegin", authors=[make_author("Alexander Pushkin")])
    make_work("Eugene Onegin", authors=[make_author("Aleksandr Pushkin")])
    make_work("Die Möwe", authors=[make_author("Tschechow, Anton")])
    make_work("Die Möwe", authors=[make_author("Anton Chekhov")])

    result = author_duplicates_propose()

    assert result.by_reason == {Reason.NAME_AND_WORK: 2}


def test_a_russian_name_in_another_language_s_form_or_with_hacheks_sharing_a_work_is_proposed():
    """`Лев Толстой` is `Leo Tolstoy` in English (Лев: Lev, Leo, Léon), and `Čechov, Anton
    Pavlovič` (the scholarly and Czech romanisation) is `Anton Chekhov`: they scored "another
    given name" (1) and "nearly" (3), and were never proposed. His son Ilya, on one title with
    him, is another person."""
    leo = make_author("Leo Tolstoy")
    make_work("Anna Karenina", authors=[leo])
    make_work("Anna Karenina", authors=[make_author("Лев Толстой")])
    make_work("Reminiscences of Tolstoy", authors=[leo, make_author("Ilya Tolstoy")])
    make_work("The Seagull", authors=[make_author("Čechov, Anton Pavlovič")])
    make_work("The Seagull", authors=[make_author("Anton Chekhov")])

    result = author_duplicates_propose()

    assert result.by_reason == {Reason.NAME_AND_WORK: 2}
    assert sorted((kept, duplicate) for kept, duplicate, _reason in proposals()) == [
        ("Leo Tolstoy", "Лев Толстой"),
        ("Čechov, Anton Pavlovič", "Anton Chekhov"),
    ]


def test_a_name_with_and_without_its_particle_sharing_a_work_is_proposed():
    """`Johann Wolfgang von Goethe` (Open Library's name for OL13193A, its 2019 search answer)
    and `Goethe, Johann Wolfgang` as a catalogue sorts him: "nearly" (3), never proposed."""
    make_work("Faust", authors=[make_author("Johann Wolfgang von Goethe")])
    make_work("Faust", authors=[make_author("Goethe, Johann Wolfgang")])

    result = author_duplicates_propose()

    assert result.by_reason == {Reason.NAME_AND_WORK: 1}


def test_a_chinese_name_family_name_first_and_given_name_first_sharing_a_work_is_proposed():
    """`Yao jun hua`, a real Open Library author name (OL7846056A, the dump's authors tail:
    family name first, the given name's syllables apart), and `Junhua Yao` as an English export
    writes him: "another name", never proposed."""
    make_work("Zhongguo jin dai shi", authors=[make_author("Yao jun hua")])
    make_work("Zhongguo jin dai shi", authors=[make_author("Junhua Yao")])

    result = author_duplicates_propose()

    assert result.by_reason == {Reason.NAME_AND_WORK: 1}


def test_one_author_in_two_scripts_is_proposed_by_a_shared_id_and_known_by_both_names_after():
    """ "Уилки Колинс" (so Inventaire's Bulgarian description of The Moonstone names its author,
    Wikidata's Q210740, its P50: shared fixtures) and "Wilkie Collins" (an English name written
    in Cyrillic and read back: no romanisation rule joins them) share a Wikidata id: proposed.
    Once merged, the Cyrillic name is Wilkie Collins's too, so a Cyrillic credit written surname
    first on one of his works is proposed with him (it agrees with no other name of his)."""
    english = make_author("Wilkie Collins", wikidata_id="Q210740")
    make_work("The Moonstone", authors=[english])
    make_work("The Woman in White", authors=[english])
    cyrillic = make_author("Уилки Колинс", wikidata_id="Q210740")

    assert proposals() == [] and author_duplicates_propose().proposed == 1
    merge = AuthorMerge.objects.get()
    assert (merge.kept, merge.duplicate, merge.reason) == (english, cyrillic, Reason.SHARED_ID)
    assert author_merges.author_merge_apply(merge=merge, actor=None).done

    turned = make_author("Колинс, Уилки")
    make_work("The Moonstone", authors=[turned])
    result = author_duplicates_propose()

    assert result.by_reason == {Reason.NAME_AND_WORK: 1}
    merge = AuthorMerge.objects.get(duplicate=turned)
    assert merge.kept == english
    assert merge.evidence["name_reason"] == "'Колинс, Уилки' is 'Уилки Колинс'"


def test_two_open_library_records_of_one_name_sharing_a_work_are_one_person_proposed():
    """Open Library holds one person under several records until it merges them: its import made
    `Michael Forwell` twice, 85 seconds apart (OL7305209A and OL7305269A, real lines of its
    authors dump). Two authors enriched from one each, on one work, were "two people" for their
    different ids and never proposed; the reviewer now sees both keys."""
    lines = [
        json.loads(line.split("\t")[4])
        for line in (DUMP / "booklink_authors_grep_orwell37.txt").read_text().splitlines()
        if "Michael Forwell" in line
    ]
    keys = sorted(record["key"].rsplit("/", 1)[-1] for record in lines)
    assert keys == ["OL7305209A", "OL7305269A"]
    first, second = (make_author("Michael Forwell", openlibrary_key=key) for key in keys)
    make_work("Synthetic work both are credited on", authors=[first])
    make_work("Synthetic work both are credited on", authors=[second])

    result = author_duplicates_propose()

    assert (result.proposed, result.conflicting_ids) == (1, 0)
    merge = AuthorMerge.objects.get()
    assert merge.evidence["conflicting_ids"] == {"openlibrary_author": keys}


def test_redirects_are_not_reconciled_again():
    kept = make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    make_author("Le Guin, Ursula K.", wikidata_id="Q181659", merged_into=kept)
    assert author_duplicates_propose().proposed == 0


def test_an_open_or_decided_pair_is_not_proposed_again():
    a = make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    b = make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    assert author_duplicates_propose().proposed == 1
    again = author_duplicates_propose()
    assert again.proposed == 0 and again.already_proposed == 1
    AuthorMerge.objects.update(status=AuthorMerge.Status.DISMISSED)
    assert author_duplicates_propose().proposed == 0  # a dismissed pair stays dismissed
    assert AuthorMerge.objects.count() == 1
    # A proposal the other way round is the same pair.
    AuthorMerge.objects.all().delete()
    AuthorMerge.objects.create(kept=b, duplicate=a, reason=Reason.SHARED_ID)
    assert author_duplicates_propose().proposed == 0


def synthetic_name(n: int) -> str:
    """A made-up name of its own for each n, far from every other: "Bacd Fghk"."""
    letters = "bcdfghklmnprstvz"
    word = "".join(letters[int(d, 16)] + "aeiou"[i % 5] for i, d in enumerate(f"{n:04x}"))
    return f"{word.title()} {word[::-1].title()}"


def test_a_crowded_title_still_finds_its_duplicates():
    for n in range(reconcile.PAIRWISE_GROUP_MAX + 10):
        make_work("Requiem", authors=[make_author(synthetic_name(n))])
    make_work("Requiem", authors=[make_author("Анна Ахматова")])
    make_work("Requiem", authors=[make_author("Anna Akhmatova")])
    author_duplicates_propose()
    assert proposals() == [("Анна Ахматова", "Anna Akhmatova", Reason.NAME_AND_WORK)]


def test_a_crowded_title_finds_a_name_written_family_name_first_or_romanised_otherwise():
    """On a title shared by more authors than are compared pair by pair, only names under one
    surname initial were: `Murakami Haruki` (family name first, read "h") never met `Haruki
    Murakami` ("m"), nor `Tschechow, Anton` ("t") `Anton Chekhov` ("c"), nor `Johann Wolfgang
    von Goethe` ("v") `Goethe, Johann Wolfgang` ("g")."""
    for n in range(reconcile.PAIRWISE_GROUP_MAX + 10):
        make_work("Requiem", authors=[make_author(synthetic_name(n))])
    for name in (
        "Murakami Haruki",
        "Haruki Murakami",
        "Tschechow, Anton",
        "Anton Chekhov",
        "Johann Wolfgang von Goethe",
        "Goethe, Johann Wolfgang",
    ):
        make_work("Requiem", authors=[make_author(name)])

    result = author_duplicates_propose()

    assert proposals() == [
        ("Johann Wolfgang von Goethe", "Goethe, Johann Wolfgang", Reason.NAME_AND_WORK),
        ("Murakami Haruki", "Haruki Murakami", Reason.NAME_AND_WORK),
        ("Tschechow, Anton", "Anton Chekhov", Reason.NAME_AND_WORK),
    ]
    assert result.proposed == 3


def test_a_generic_title_is_no_shared_work():
    """Two writers named alike whose only shared title names a kind of writing ("Poems",
    "Selected Poems", "Collected Stories", "Œuvres complètes"): a name alone, never proposed.
    A title of their own still is a shared work, and the generic one is no evidence on it."""
    for (title, name), (spelled, namesake) in [
        (("Poems", "Thomas Moore"), ("Poems", "Moore, Thomas")),
        (("Selected Poems", "John Davies"), ("Selected poems, 1950-1970", "John C. Davies")),
        (("The Collected Stories", "Robert Burns"), ("Collected Stories", "Burns, Robert")),
        (("Œuvres complètes", "Anne Hébert"), ("Oeuvres completes", "Hébert, Anne")),
        (("Стихотворения", "Иван Петров"), ("Стихотворения", "Ivan Petrov")),
    ]:
        make_work(title, authors=[make_author(name)])
        make_work(spelled, authors=[make_author(namesake)])
    anne = make_author("Anne Finch")
    make_work("Poems", authors=[anne])
    make_work("The Spleen", authors=[anne])
    finch = make_author("Finch, Anne")
    make_work("Poems", authors=[finch])
    make_work("The Spleen", authors=[finch])

    result = author_duplicates_propose()

    assert proposals() == [("Anne Finch", "Finch, Anne", Reason.NAME_AND_WORK)]
    assert AuthorMerge.objects.get().evidence["works"] == ["The Spleen"]
    assert result.proposed == 1


def _catalog_of(size: int) -> None:
    for n in range(size):
        author = make_author(synthetic_name(n), goodreads_author_id=str(1000 + n))
        make_edition(make_work(f"Book {n}", authors=[author]))
    pair = [make_author("Сергей Лукьяненко"), make_author("Sergei Lukyanenko")]
    make_work("Night Watch", authors=pair)
    make_work("The Dispossessed", authors=[make_author("Ursula K. Le Guin")])
    make_work("The Dispossessed", authors=[make_author("Ursula Le Guin")])


def _queries_to_reconcile() -> int:
    with CaptureQueriesContext(connection) as captured:
        reconcile.find_duplicate_pairs()
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_catalog():
    _catalog_of(5)
    small = _queries_to_reconcile()
    _catalog_of(80)
    assert _queries_to_reconcile() == small


def test_the_command_prints_counts_and_json():
    a = make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    make_work("The Dispossessed", authors=[a])
    out = io.StringIO()
    call_command("reconcile_authors", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "proposed": 1,
        "by_reason": {"shared_id": 1, "name_and_work": 0},
        "already_proposed": 0,
        "conflicting_ids": 0,
        "conflicting_years": 0,
        "different_generations": 0,
        "person_and_organisation": 0,
    }
    out = io.StringIO()
    call_command("reconcile_authors", stdout=out)
    assert "Proposed 0 merges" in out.getvalue()
    assert "1 pair was proposed before (open or decided): left as it is." in out.getvalue()


def test_a_daily_schedule_proposes_merges_and_merges_nothing():
    [schedule] = Schedule.objects.filter(func="enrichment.tasks.propose_author_merges")
    assert schedule.schedule_type == Schedule.DAILY
    make_author("Ursula K. Le Guin", wikidata_id="Q181659")
    make_author("Le Guin, Ursula K.", wikidata_id="Q181659")
    assert tasks.propose_author_merges()["proposed"] == 1
    assert AuthorMerge.objects.get().status == AuthorMerge.Status.PROPOSED
    assert not Author.objects.filter(merged_into__isnull=False).exists()
