"""What other people's real titles make in the catalog (tests/fixtures/imports/real_shapes,
each file's source in its PROVENANCE.md): series and language suffixes read off a title, and the
title keys migrations give stored works, so that an import finds them again."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from catalog import services
from catalog.models import Edition, ImportRow, Work
from catalog.text import split_subtitle
from tests.catalog.test_import_real_lines import import_real
from tests.factories import make_work

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "real_shapes"


@pytest.mark.django_db
def test_a_series_in_amazons_words_is_the_works_series_and_a_bare_volume_stays_its_title():
    """`The Protocols (TCP/IP Illustrated, Volume 1)` was a work of that whole title with no
    series. `Akira (Part 1)` and `Hokuto No Ken (Volume 1)` name no series: taken off, every
    volume would have one title."""
    import_real("goodreads-sartak-volume-series.csv")
    import_real("goodreads-sartak-legacy-bare-volumes.csv")
    works = Work.objects.order_by("title").values_list("title", "series", "series_number")
    assert list(works) == [
        ("Akira (Part 1)", "", ""),
        ("Hokuto No Ken (Volume 1)", "", ""),
        ("The Implementation", "TCP/IP Illustrated", "2"),
        ("The Protocols", "TCP/IP Illustrated", "1"),
    ]


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_a_series_in_words_the_new_key():
    """A work stored as `Mirage (The Oregon Files Book 9)` under the earlier rule is found by
    the same book's row, whose title is now `Mirage`, instead of being made again."""
    migration = importlib.import_module("catalog.migrations.0026_title_keys_amazon_suffixes")
    stored = make_work("Mirage (The Oregon Files Book 9)", authors=["Clive Cussler"])
    other = make_work("Akira (Part 1)", authors=["Katsuhiro Otomo"])
    # As the earlier rule keyed them.
    Work.objects.filter(pk=stored.pk).update(title_normalized="mirage the oregon files book 9")

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {stored.pk: "mirage", other.pk: "akira part 1"}
    job = import_real("goodreads-eitanshay-book-series.csv")
    assert (job.created_count, Work.objects.count()) == (0, 2)
    assert job.rows.get().matched_by == ImportRow.MatchedBy.TITLE_AUTHOR


@pytest.mark.django_db
def test_a_language_suffix_in_other_words_is_the_editions_language_not_its_title():
    """`Vagabond Volume 4 (in Japanese)` and `Lehakir Et Hamas (Getting to Know Hamas, Hebrew
    Edition)` were works of those whole titles, their editions of no language."""
    import_real("goodreads-sartak-legacy-in-japanese.csv")
    import_real("goodreads-eitanshay-hebrew-edition.csv")
    editions = Edition.objects.order_by("work__title").values_list("work__title", "language")
    assert list(editions) == [
        ("Deathnote Vol. 2", "ja"),
        ("Lehakir Et Hamas (Getting to Know Hamas)", "he"),
        ("Vagabond Volume 4", "ja"),
    ]


@pytest.mark.django_db
def test_a_bilingual_editions_suffix_is_the_editions_language_not_its_title():
    """`Pather Panchali (English and Bengali Edition)`, `Final Judgment: … (English and Russian
    Edition)`: English translations facing the original. The work is `Pather Panchali`, found
    by the same book from any other source, and the edition's language is the first named, the
    translation's."""
    import_real("goodreads-alexkhype-bilingual-editions.csv")
    import_real("goodreads-4dahalibut-bilingual-edition.csv")
    editions = Edition.objects.order_by("work__title").values_list(
        "work__title", "work__subtitle", "language"
    )
    assert list(editions) == [
        ("Final Judgment", "My Life As a Soviet Defense Attorney", "en"),
        ("Pather Panchali", "", "en"),
        ("The School for Wives", "Robert; Genevieve: Or, the Unfinished Confidence", "en"),
    ]


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_of_bilingual_editions_the_new_key():
    """A work stored as `Pather Panchali (English and Bengali Edition)` is found by the same
    book's row; an edition's suffix that names no languages keeps its key."""
    migration = importlib.import_module("catalog.migrations.0035_title_keys_bilingual_editions")
    stored = make_work(
        "Pather Panchali (English and Bengali Edition)", authors=["Bibhutibhushan Bandyopadhyay"]
    )
    kept = make_work("Synthetic Guide (Updated and Expanded Edition)")
    Work.objects.filter(pk=stored.pk).update(
        title_normalized="pather panchali english and bengali edition"
    )

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {
        stored.pk: "pather panchali",
        kept.pk: "synthetic guide updated and expanded edition",
    }
    job = import_real("goodreads-alexkhype-bilingual-editions.csv", lines=slice(1, 2))
    assert (job.created_count, job.rows.get().matched_by) == (0, ImportRow.MatchedBy.TITLE_AUTHOR)


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_a_language_suffix_the_new_key():
    """A work stored as `Vagabond Volume 4 (in Japanese)` is found by the same book's row."""
    migration = importlib.import_module("catalog.migrations.0026_title_keys_amazon_suffixes")
    stored = make_work("Vagabond Volume 4 (in Japanese)", authors=["Takehiko Inoue"])
    synthetic = make_work("Synthetic Novel, Spanish Edition")  # the shape without parentheses
    Work.objects.filter(pk=stored.pk).update(title_normalized="vagabond volume 4 in japanese")
    Work.objects.filter(pk=synthetic.pk).update(title_normalized="synthetic novel spanish edition")

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {stored.pk: "vagabond volume 4", synthetic.pk: "synthetic novel"}
    job = import_real("goodreads-sartak-legacy-in-japanese.csv", lines=slice(0, 1))
    assert (job.created_count, job.rows.get().matched_by) == (0, ImportRow.MatchedBy.TITLE_AUTHOR)


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_a_comma_numbered_series_the_new_key():
    """A work stored as `… Том 4 (Канашибари, 4)` under the earlier rule is found by the same
    book's row, whose title is now without it."""
    migration = importlib.import_module("catalog.migrations.0026_title_keys_amazon_suffixes")
    volume_4 = "Канашибари. Пока не погаснет последний фонарь. Том 4"
    series = make_work(f"{volume_4} (Канашибари, 4)", authors=["Ангелина Шэн"])
    roman = make_work("Synthetic Title (Synthetic Lessons, Volume III)")  # no real line yet
    kept = make_work("Synthetic Proceedings (Berlin, 1998)")  # a year: the title's
    # As the earlier rule keyed them.
    old_keys = {
        series.pk: "канашибари пока не погаснет последнии фонарь том 4 канашибари 4",
        roman.pk: "synthetic title synthetic lessons volume iii",
    }
    for pk, key in old_keys.items():
        Work.objects.filter(pk=pk).update(title_normalized=key)

    migration.recompute_keys(django_apps, None)

    assert dict(Work.objects.values_list("pk", "title_normalized")) == {
        series.pk: "канашибари пока не погаснет последнии фонарь том 4",
        roman.pk: "synthetic title",
        kept.pk: "synthetic proceedings berlin 1998",
    }
    job = import_real("goodreads-advokatb-comma-number-series.csv", lines=slice(0, 1))
    assert (job.created_count, job.rows.get().matched_by) == (0, ImportRow.MatchedBy.TITLE_AUTHOR)


@pytest.mark.django_db
def test_two_catalogs_series_after_a_title_are_both_read_and_a_reworded_repeat_goes():
    """`(Learn to Play Go, Volume II) (Learn to Play Go Ser)` and `(The Baby-sitters Club Graphic
    Novel #9) (The Baby-Sitters Club Graphix)` were read as the whole title with no series (only
    the last parenthesis was read); `(Power Japanese Series) (Kodansha's Children's Classics)`
    kept the first series in the subtitle. A parenthesis that names no series stays the title's:
    `(Dragonball)`, `(English/Italian)` (a bilingual edition, or a dictionary's pair of languages);
    `(Folio) (Folio)` names the row's publisher, Folio, twice: its imprint, read off."""
    for name in (
        "goodreads-sartak-two-series-parentheses.csv",
        "goodreads-eitanshay-two-series-parentheses.csv",
        "librarything-aipotu-two-series-parentheses.tsv",
    ):
        import_real(name)
    works = Work.objects.order_by("title").values_list("title", "series", "series_number")
    assert list(works) == [
        ("Basic Connections", "Power Japanese Series", ""),
        ("Claudia and the New Girl", "The Baby-sitters Club Graphic Novel", "9"),
        ("Dragonball Vol. 30 (Dragonball)", "", ""),
        ("Inferno (English/Italian)", "", ""),
        ("Souris Et Des Hommes", "Collection Folio", ""),
        ("The Dragon Style", "Learn to Play Go", "3"),
        ("The Paradiso", "Barnes & Noble Classics Series", ""),
        ("The Way of the Moving Horse", "Learn to Play Go", "2"),
        ("Zazie dans le Métro", "", ""),
    ]
    connections = Work.objects.get(title="Basic Connections")
    assert connections.subtitle == "Making Your Japanese Flow"
    assert list(connections.series_entries.values_list("name", flat=True)) == [
        "Power Japanese Series",
        "Kodansha's Children's Classics",
    ]


@pytest.mark.django_db
def test_a_japanese_publishers_series_after_a_title_is_its_series_not_its_title():
    """Amazon.co.jp writes a book's imprint series after its title (`異邦人 (新潮文庫)`, `蒼天の拳
    (1) (Bunch comics)`), with the book's number in it (`ハヤカワ文庫 SF 543`): it stayed in the
    title, so the same book from another source (`異邦人`) had another title key. A bare volume
    number stays the title's: every volume keeps its own title."""
    import_real("goodreads-sartak-japanese-publisher-series.csv")
    works = Work.objects.order_by("title").values_list("title", "series", "series_number")
    assert list(works) == [
        ("からくりサーカス (1)", "少年サンデーコミックス", ""),
        ("デューン砂漠の神皇帝 1", "ハヤカワ文庫 SF", "543"),
        ("ポケットモンスターSPECIAL (1)", "てんとう虫コミックススペシャル", ""),
        ("異邦人", "新潮文庫", ""),
        ("蒼天の拳 (1)", "Bunch comics", ""),
    ]


@pytest.mark.django_db
def test_a_language_suffix_in_french_is_the_editions_language_not_its_title():
    """A French LibraryThing's `The Catcher in the Rye (en anglais)` ("in English") was a work
    of that whole title, apart from the same book imported from anywhere else."""
    import_real("librarything-aipotu-in-french.tsv")
    edition = Edition.objects.get()
    assert (edition.work.title, edition.language) == ("The Catcher in the Rye", "en")


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_two_series_parentheses_the_new_key():
    """Works stored under the earlier rule, with both parentheses or a Japanese publisher's
    series in their title, are found by the same books' rows, whose titles are now without
    them, instead of being made again; a parenthesis that names no series keeps its key."""
    migration = importlib.import_module("catalog.migrations.0027_title_keys_series_parentheses")
    old_keys = {
        "The Way of the Moving Horse (Learn to Play Go, Volume II) (Learn to Play Go Ser)": (
            "Janice Kim",
            "the way of the moving horse learn to play go volume ii learn to play go ser",
        ),
        "異邦人 (新潮文庫)": ("窪田 啓作", "異邦人 新潮文庫"),
        "The Catcher in the Rye (en anglais)": (
            "J.D. Salinger",
            "the catcher in the rye en anglais",
        ),
    }
    stored = {}
    for title, (author, key) in old_keys.items():
        work = make_work(title, authors=[author])
        Work.objects.filter(pk=work.pk).update(title_normalized=key)  # as the earlier rule
        stored[title] = work.pk
    listing = make_work("Synthetic Tomorrow 2nd Edition by Jane Doe, John Roe Paperback")
    Work.objects.filter(pk=listing.pk).update(
        title_normalized="synthetic tomorrow 2nd edition by jane doe john roe paperback"
    )
    kept = make_work("Zazie dans le Métro (Folio) (Folio)", authors=["Raymond Queneau"])

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {
        stored[
            "The Way of the Moving Horse (Learn to Play Go, Volume II) (Learn to Play Go Ser)"
        ]: ("the way of the moving horse"),
        stored["異邦人 (新潮文庫)"]: "異邦人",
        stored["The Catcher in the Rye (en anglais)"]: "the catcher in the rye",
        listing.pk: "synthetic tomorrow",
        kept.pk: "zazie dans le metro folio folio",
    }
    job = import_real("goodreads-sartak-japanese-publisher-series.csv", lines=slice(0, 1))
    assert (job.created_count, job.rows.get().matched_by) == (0, ImportRow.MatchedBy.TITLE_AUTHOR)


@pytest.mark.django_db
def test_a_series_numbered_with_n_and_a_degree_sign_is_the_works_series():
    """Amazon.es numbers a series with nº (`REY DE CRISTAL (Inspector Santana nº 2) (Spanish
    Edition)`, a publisher's `(HarperCollins nº 4007)`): it stayed in the title, with no series."""
    import_real("goodreads-carlosperezzz-numbered-series-n.csv")
    works = Work.objects.order_by("title").values_list("title", "series", "series_number")
    assert list(works) == [
        ("A Kilómetros de Distancia", "Lorena a dos Mundos", "1"),
        ("Meteoro y el señor conejo", "HarperCollins", "4007"),
        ("REY DE CRISTAL", "Inspector Santana", "2"),
    ]
    assert set(Edition.objects.values_list("language", flat=True)) == {"es"}


@pytest.mark.django_db
def test_a_booksellers_listing_suffix_is_not_the_books_subtitle():
    """Goodreads copies an Amazon bookseller's listing title, the author and the date after the
    book's own (`Silence: Lectures and Writings by John Cage (1994-12-31)`, `… 1st edition by
    Huskinson, Lucy (2004) Paperback`): it stayed in the subtitle, which then disagreed with the
    same book's from anywhere else, so that book became a second work. `(The Economist by
    Xenophon)` names no bookseller's listing and stays."""
    import_real("goodreads-eeeurico-listing-suffixes.csv")
    import_real("goodreads-ayyucedemirbas-listing-suffixes.csv")
    works = Work.objects.order_by("title").values_list("title", "subtitle")
    assert list(works) == [
        ("Nietzsche and Jung", "The Whole Self in the Union of Opposites"),
        ("Research Design", "Qualitative, Quantitative, and Mixed Methods Approaches"),
        ("Silence", "Lectures and Writings"),
        ("Studio Culture", "The secret life of the graphic design studio"),
        ("The Economist", "Xenophon (The Economist by Xenophon)"),
        ("You are Here", "Art After the Internet"),
    ]


@pytest.mark.django_db
def test_a_parenthesis_naming_the_books_publisher_is_its_imprint_or_series_not_its_title():
    """A title's last parenthesis that names the row's own publisher stayed in the title, or the
    subtitle, where it names no series word: `… (Deusto)` (publisher Deusto), `The Portable
    Curmudgeon (Plume)` (Plume), `La diputada (ESPASA NARRATIVA)` (Espasa), `… (Dover Books on
    Physics)` (Dover Publications). The publisher's name alone is its imprint, read off; its
    name and more words are its series. A parenthesis that does not start with the publisher's
    name stays: `It (Eso)` (DeBolsillo), `La Retornada (NEFELIBATA)` (Duomo ediciones), and
    `La Torre Tesla (Halcón)`, whose row names no publisher."""
    import_real("goodreads-carlosperezzz-publisher-parentheses.csv")
    import_real("librarything-aipotu-publisher-imprint.tsv")
    import_real("librarything-robdmc-publisher-series.csv")
    works = Work.objects.values_list("title", "subtitle", "series")
    assert sorted(works) == [
        (
            "Beginning JavaScript and CSS Development with jQuery",
            "",
            "Wrox Programmer to Programmer",
        ),
        ("Calculus of Variations", "", "Dover Books on Mathematics"),
        ("Hazte quien eres", "Un código de costumbres", ""),
        ("It (Eso)", "", ""),
        ("La Retornada (NEFELIBATA)", "", ""),
        ("La Torre Tesla (Halcón)", "", ""),
        ("La diputada", "", "ESPASA NARRATIVA"),
        ("The Portable Curmudgeon", "", ""),
        ("The Variational Principles of Mechanics", "", "Dover Books on Physics"),
    ]
    assert Work.objects.get(title="La diputada").title_normalized == "la diputada"


@pytest.mark.django_db
def test_a_place_after_the_publishers_name_is_not_part_of_it():
    """Goodreads' publisher cells name where the edition was published: `MIT Press (MA)`,
    `Penguin Books, Limited (UK)`, `Seal Press (CA)`, `Children's Press(CT)`, `John Wiley & Sons
    (Hoboken, NJ)`. The place stayed in the publisher's name, so that the same publisher was
    two, and a title's parenthesis naming it was no longer read as its series
    (`… (MIT Electrical Engineering and Computer Science)`, publisher `MIT Press (MA)`). A
    parenthesis naming no place stays: `Harper Perennial (HarperCollins)`, `集英社 (Shueisha)`."""
    for name in (
        "goodreads-sartak-publisher-place.csv",
        "goodreads-ayyucedemirbas-publisher-place.csv",
        "goodreads-adcalvoval-publisher-place.csv",
        "goodreads-erinbecker-publisher-place.csv",
    ):
        import_real(name)
    assert sorted(set(Edition.objects.values_list("publisher", flat=True))) == [
        "Children's Press",
        "Harper Perennial (HarperCollins)",
        "John Wiley & Sons",
        "MIT Press",
        "Penguin Books, Limited",
        "Seal Press",
        "集英社 (Shueisha)",
    ]
    sicp = Work.objects.get(title="Structure and Interpretation of Computer Programs")
    assert sicp.series == "MIT Electrical Engineering and Computer Science"


@pytest.mark.django_db
def test_an_alternative_title_is_the_subtitle_however_it_is_joined():
    """`The Hobbit, or There and Back Again` was a title of its own, where `The Hobbit: or There
    and Back Again` (another export) was The Hobbit with that subtitle: one book, two works.
    An alternative title is the subtitle after `;`, `:` or a comma alike, its `or` kept, never
    read as anything else (`Fall; or, Dodge in Hell (Crypto, #3)` keeps its series)."""
    import_real("goodreads-sartak-legacy-alternative-title.csv")
    job = import_real("goodreads-helgeegil-alternative-title.csv")
    assert (job.created_count, job.rows.get().matched_by) == (0, ImportRow.MatchedBy.TITLE_AUTHOR)
    import_real("goodreads-drkenreid-alternative-title.csv")
    import_real("goodreads-egor-alternative-title-series.csv")
    works = Work.objects.order_by("title").values_list("title", "subtitle", "series")
    assert list(works) == [
        ("Blood Meridian", "or, the Evening Redness in the West", ""),
        ("Fall", "or, Dodge in Hell", "Crypto"),
        ("The Hobbit", "or There and Back Again", "The Lord of the Rings"),
    ]
    job = services.import_job_create(
        data=(REAL / "gutenberg-catalog-sagekhan-alternative-titles.csv").read_bytes(),
        filename="pg_catalog.csv",
        enrich=False,
        requested_format="generic",
        column_map={"title": "Title", "author": "Authors"},
    )
    services.import_job_run(job=job)
    assert set(
        Work.objects.filter(title__in=["Moby-Dick", "Frankenstein", "Maria"]).values_list(
            "title", "subtitle"
        )
    ) == {
        ("Moby-Dick", "or, The Whale"),
        ("Frankenstein", "Or, The Modern Prometheus"),
        ("Maria", "Or, The Wrongs of Woman"),
    }


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_an_alternative_title_the_new_key():
    """A work stored as `The Hobbit, or There and Back Again` under the earlier rule is found by
    the same book's row; a list's `or` keeps its key."""
    migration = importlib.import_module("catalog.migrations.0028_title_keys_alternative_titles")
    stored = make_work("The Hobbit, or There and Back Again", authors=["J.R.R. Tolkien"])
    listed = make_work("Synthetic Red, White, or Blue")
    Work.objects.filter(pk=stored.pk).update(title_normalized="the hobbit or there and back again")

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {stored.pk: "the hobbit", listed.pk: "synthetic red white or blue"}
    job = import_real("goodreads-sartak-legacy-alternative-title.csv")
    assert (job.created_count, Work.objects.count()) == (0, 2)


@pytest.mark.django_db
def test_a_marketplace_listings_bracketed_tags_are_not_the_books_title():
    """Goodreads and LibraryThing copy a marketplace listing's title with its bracketed tags and
    what goes with them: `Birthday Stories (Haruki Murakami translated library) (2006) ISBN:
    4124034946 [Japanese Import]` was the title `… (2006) ISBN` with the subtitle `4124034946
    [Japanese Import]`; `…[INFLUENCE REV/E][Paperback]` and `Statistical Mechanics by Pathria,
    R K, Beale, Paul D.. (Academic Press,2011) [Paperback] 3rd EDITION` stayed whole."""
    import_real("goodreads-daghif-listing-title.csv")
    import_real("goodreads-olivier-listing-tags.csv")
    import_real("librarything-robdmc-listing-title.csv")
    works = Work.objects.order_by("title").values_list("title", "subtitle", "series")
    assert list(works) == [
        ("Birthday Stories", "", "Haruki Murakami translated library"),
        ("Influence( The Psychology of Persuasion)", "", ""),
        ("Statistical Mechanics", "", ""),
    ]
    birthday = Edition.objects.get(work__title="Birthday Stories")
    assert (birthday.isbn10, birthday.format) == ("4124034946", "paperback")  # Paperback Shinsho


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_listing_tags_the_new_key():
    """A work stored under the earlier rule with a listing's tags in its title is found by the
    same book's row; a title whose brackets name no binding or import keeps its key."""
    migration = importlib.import_module(
        "catalog.migrations.0029_title_keys_listing_tags_and_ranges"
    )
    title = "Influence( The Psychology of Persuasion)[INFLUENCE REV/E][Paperback]"
    stored = make_work(title, authors=["Robert B. Cialdini"])
    kept = make_work("[Oshi No Ko], Vol. 1")
    Work.objects.filter(pk=stored.pk).update(
        title_normalized="influence the psychology of persuasion influence rev e paperback"
    )

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {
        stored.pk: "influence the psychology of persuasion",
        kept.pk: "oshi no ko vol 1",
    }
    job = import_real("goodreads-olivier-listing-tags.csv")
    assert (job.created_count, Work.objects.count()) == (0, 2)


@pytest.mark.django_db
def test_a_range_of_years_across_a_dash_stays_in_the_title():
    """`A History of the Classical Greek World, 478 - 323 BC` was the title `…, 478` with the
    subtitle `323 BC (Blackwell History of the Ancient World)`, `A History of Babylon, 2200 BC -
    AD 75` the title `…, 2200 BC`, and `Living Earth. Field Notes from the Dark Ecology Project
    2014 - 2016` the title `… 2014` with the subtitle `2016`. A range after a colon stays the
    subtitle's (`A History of the Hellenistic World: 323 - 30 BC`)."""
    import_real("goodreads-eduardogc21-year-ranges.csv")
    import_real("goodreads-eeeurico-year-range.csv")
    works = Work.objects.order_by("title").values_list("title", "subtitle")
    assert list(works) == [
        ("A History of Babylon, 2200 BC - AD 75 (Blackwell History of the Ancient World)", ""),
        (
            "A History of the Classical Greek World, 478 - 323 BC (Blackwell History of the "
            "Ancient World)",
            "",
        ),
        ("A History of the Hellenistic World", "323 - 30 BC"),
        ("Living Earth. Field Notes from the Dark Ecology Project 2014 - 2016", ""),
    ]


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_with_a_range_of_years_the_new_key():
    """A work stored under the earlier rule, its key cut at the range's dash, is found by the
    same book's row; a dash before a subtitle keeps its key."""
    migration = importlib.import_module(
        "catalog.migrations.0029_title_keys_listing_tags_and_ranges"
    )
    title = "Living Earth. Field Notes from the Dark Ecology Project 2014 - 2016"
    stored = make_work(title, authors=["Arie Altena"])
    kept = make_work("2001 - A Space Odyssey")
    Work.objects.filter(pk=stored.pk).update(
        title_normalized="living earth field notes from the dark ecology project 2014"
    )

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {
        stored.pk: "living earth field notes from the dark ecology project 2014 2016",
        kept.pk: "2001",
    }
    job = import_real("goodreads-eeeurico-year-range.csv")
    assert (job.created_count, Work.objects.count()) == (0, 2)


@pytest.mark.django_db
def test_capitals_the_title_names_again_are_its_subject_not_a_series_marker():
    """`GDPR - Fix it Fast: Apply GDPR to Your Company in Ten Simple Steps` lost its subject: the
    capitals before the dash were read as a series' abbreviation (`NJO - Enemy Lines 2: Rebel
    Stand`, the New Jedi Order) and left out, the title stored as "Fix it Fast". Capitals the
    title names again are what it is about."""
    job = import_real("goodreads-olivier-topic-before-dash.csv")
    work = Work.objects.get()
    # Split at its first separator, as `SPQR - A History of Ancient Rome` is: nothing left out.
    assert (work.title, work.subtitle) == (
        "GDPR",
        "Fix it Fast: Apply GDPR to Your Company in Ten Simple Steps",
    )
    assert job.rows.get().messages == []  # no marker was left out


@pytest.mark.django_db
def test_a_number_alone_after_a_colon_is_the_volumes_title_not_a_subtitle():
    """`Hokuto No Ken: 15` and `Hokuto No Ken: 14` were the title `Hokuto No Ken` with the
    subtitles `15` and `14`: every volume had one title and one lookup key."""
    import_real("goodreads-sartak-volume-number-after-a-colon.csv")
    works = Work.objects.order_by("title").values_list("title", "subtitle", "title_normalized")
    assert list(works) == [
        ("Hokuto No Ken: 14", "", "hokuto no ken 14"),
        ("Hokuto No Ken: 15", "", "hokuto no ken 15"),
    ]


@pytest.mark.parametrize(
    ("cell", "title", "subtitle"),
    [
        # jsr6720/goodreads-csv-to-md, goodreads-data/goodreads-library-export-original.csv,
        # line 66; vss245/books-analysis, data/goodreads_library_export.csv, line 301.
        ("HBR Classics Collection - 1", "HBR Classics Collection - 1", ""),
        ("The Biologic Show, Number: 1", "The Biologic Show, Number: 1", ""),
    ],
)
def test_a_number_alone_after_a_dash_or_colon_stays_in_the_title(cell, title, subtitle):
    assert split_subtitle(cell) == (title, subtitle)


@pytest.mark.django_db
def test_the_migration_gives_stored_titles_ending_in_a_number_the_new_key():
    """A work stored under the earlier rule, its key without the volume's number, is found by
    the same volume's row, and the other volume is a book of its own; a subtitle's key stays."""
    migration = importlib.import_module(
        "catalog.migrations.0032_title_keys_number_after_colon_or_dash"
    )
    stored = make_work("Hokuto No Ken: 15", authors=["Buronson"])
    kept = make_work("Dune: Part 2")
    Work.objects.filter(pk=stored.pk).update(title_normalized="hokuto no ken")

    migration.recompute_keys(django_apps, None)

    keys = dict(Work.objects.values_list("pk", "title_normalized"))
    assert keys == {stored.pk: "hokuto no ken 15", kept.pk: "dune"}
    job = import_real("goodreads-sartak-volume-number-after-a-colon.csv")
    assert (job.created_count, Work.objects.count()) == (1, 3)


@pytest.mark.django_db
def test_a_publisher_named_with_the_house_its_imprint_belongs_to_is_the_imprint():
    """Goodreads writes `Belknap Press: An Imprint of Harvard University Press`, which the
    editions kept whole, where the providers' records of the same books give `Belknap Press`
    (the one rule: catalog.importers.publishers.without_parent_house)."""
    import_real("goodreads-actualgeniusintellectual-imprint-of-a-house.csv")
    assert list(Edition.objects.values_list("publisher", flat=True)) == ["Belknap Press"] * 2


@pytest.mark.django_db
def test_a_place_before_a_colon_or_after_a_comma_is_no_part_of_the_publisher():
    """Goodreads' cells write the place with the publisher (` New York: Random House`, `Oxford
    University Press, USA`, `Orion Books Ltd., London`, `Commonwealth Publishers,India`): each
    was kept whole, the same publisher stored under several names, where the providers read
    the place off (catalog.importers.publishers.without_place). A colon or comma before no
    place stays: `Random House: Modern Library`."""
    import_real("goodreads-romneyda-publisher-place.csv")
    import_real("goodreads-adrian-publisher-place-after-comma.csv")
    assert sorted(Edition.objects.values_list("publisher", flat=True)) == [
        "Commonwealth Publishers",
        "Orion Books Ltd.",
        "Oxford University Press",
        "Random House",
        "Random House: Modern Library",
    ]
