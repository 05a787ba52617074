"""People in one author cell (catalog.importers.cells.split_people) and the surname particles
the import and author matching share (catalog.name_order.SURNAME_PARTICLES), read without a
database.
Cells are synthetic, written in the shape of real exports' author cells."""

import pytest

from catalog.importers.cells import person_from_sort_name, split_at_ampersands, split_people
from catalog.person_names import name_as_written
from catalog.text import normalize_person_name
from enrichment.author_matching import score_author_name


@pytest.mark.parametrize(
    ("value", "people"),
    [
        ("Neil Gaiman, Terry Pratchett", [("Neil Gaiman", ""), ("Terry Pratchett", "")]),
        ("Le Guin, Ursula K.", [("Ursula K. Le Guin", "Le Guin, Ursula K.")]),
        ("García Márquez, Gabriel", [("Gabriel García Márquez", "García Márquez, Gabriel")]),
        ("Smith, Mark", [("Mark Smith", "Smith, Mark")]),
        ("Tolkien, J.R.R.", [("J.R.R. Tolkien", "Tolkien, J.R.R.")]),
        ("Martin Luther King, Jr.", [("Martin Luther King, Jr.", "")]),
        ("King, Stephen, Straub, Peter",
         [("Stephen King", "King, Stephen"), ("Peter Straub", "Straub, Peter")]),
        ("Gaiman, Neil & Pratchett, Terry",
         [("Neil Gaiman", "Gaiman, Neil"), ("Terry Pratchett", "Pratchett, Terry")]),
        ("A. Author; B. Writer | C. Poet", [("A. Author", ""), ("B. Writer", ""), ("C. Poet", "")]),
        ("Jane Doe and John Roe", [("Jane Doe", ""), ("John Roe", "")]),
        ("Jane Doe, Jane Doe", [("Jane Doe", "")]),
        ("琅俨", [("琅俨", "")]),
        # Names in CJK script are listed at a comma, never turned around at it; a family and a
        # given name alone may be sorted (`司馬, 遼太郎`, as a library writes it).
        ("竹井, 金子 司", [("竹井", ""), ("金子 司", "")]),
        ("Katsumi Enami, 犬塚惇平", [("Katsumi Enami", ""), ("犬塚惇平", "")]),
        ("司馬, 遼太郎", [("司馬遼太郎", "司馬, 遼太郎")]),
        ("Jesse Tilly, Eric M. Burke", [("Jesse Tilly", ""), ("Eric M. Burke", "")]),
        ("", []),
    ],
)  # fmt: skip
def test_split_people(value, people):
    assert [(c.name, c.sort_name) for c in split_people(value)] == people


@pytest.mark.parametrize(
    ("value", "people"),
    [
        # A surname written once, in the sorted form, goes to each given name after it.
        ("Strugatsky, Arkady and Boris",
         [("Arkady Strugatsky", "Strugatsky, Arkady"), ("Boris Strugatsky", "Strugatsky, Boris")]),
        ("Grimm, Jacob & Wilhelm",
         [("Jacob Grimm", "Grimm, Jacob"), ("Wilhelm Grimm", "Grimm, Wilhelm")]),
        ("Brontë, Charlotte and Emily and Anne",
         [("Charlotte Brontë", "Brontë, Charlotte"), ("Emily Brontë", "Brontë, Emily"),
          ("Anne Brontë", "Brontë, Anne")]),
        ("de Goncourt, Edmond and Jules",
         [("Edmond de Goncourt", "de Goncourt, Edmond"),
          ("Jules de Goncourt", "de Goncourt, Jules")]),
    ],
)  # fmt: skip
def test_split_people_gives_a_surname_written_once_to_each_given_name(value, people):
    assert [(c.name, c.sort_name) for c in split_people(value)] == people


BRONTES = [
    ("Charlotte Brontë", "Brontë, Charlotte"),
    ("Emily Brontë", "Brontë, Emily"),
    ("Anne Brontë", "Brontë, Anne"),
]


@pytest.mark.parametrize(
    ("value", "people"),
    [
        ("Brontë, Charlotte, Emily and Anne", BRONTES),
        ("Brontë, Charlotte, Emily, and Anne", BRONTES),
        ("Brontë, Charlotte, Emily & Anne", BRONTES),
        ("Jane Doe; Brontë, Charlotte, Emily and Anne", [("Jane Doe", ""), *BRONTES]),
    ],
)
def test_split_people_gives_a_surname_written_once_to_each_given_name_a_comma_lists(value, people):
    """`Surname, First, First and First`: every given name between takes the surname too,
    where the cell made the one-word authors `Brontë`, `Charlotte`, `Emily` and `Anne`."""
    assert [(c.name, c.sort_name) for c in split_people(value)] == people


@pytest.mark.parametrize(
    ("value", "invented"),
    [
        # Written like a shared surname, but one may not be: no surname is handed on.
        ("Voltaire and Jean-Jacques Rousseau", "Voltaire Rousseau"),
        ("Arkady and Boris Strugatsky", "Arkady Strugatsky"),
        ("McKinsey & Company Inc.", "McKinsey Inc."),  # real: bsanser's Goodreads Author
        ("Inc., McKinsey & Company", "Company Inc."),  # real: its Author l-f
        ("Rita Falk, Klüpfel & Kobr", "Kobr Rita Falk"),  # real: argv1's Additional Authors
        ("Pratchett, Terry; Gaiman", "Gaiman Pratchett"),  # `;` lists people, written any way
        ("Le Guin, Ursula K. and Jane Doe", "Jane Doe Le Guin"),
        ("King, Martin Luther, Jr. and Coretta", "Coretta King"),
        ("King, Martin Luther, Jr., and Coretta", "Coretta King"),
        # sort names in pairs (`King, Stephen, Straub, Peter`), then a given name: no surname
        ("King, Stephen, Straub, Peter and Jane", "Straub King"),
        # real: argv1's Goodreads Author l-f, a list of four people, with `and` added
        ("Thimmel, Ulrich Brand, Bettina Lösch, Benjamin Opratko and Stefan", "Stefan Thimmel"),
        # real: mouse-reeve's Book Catalogue author_details
        ("Project, The American Poetry and Literacy", "Literacy Project"),
    ],
)
def test_split_people_hands_no_surname_to_a_name_that_may_be_whole(value, invented):
    names = [c.name for c in split_people(value)]
    assert invented not in names and len(names) >= 1


@pytest.mark.parametrize(
    ("value", "people"),
    [
        # Beside a one-word name ` & ` is inside one: a firm's, or a pair's credited together.
        ("McKinsey & Company Inc.", [("McKinsey & Company Inc.", "")]),  # real: bsanser's Author
        ("Inc., McKinsey & Company",  # real: its Author l-f
         [("McKinsey & Company Inc.", "Inc., McKinsey & Company")]),
        ("Robby & Marc. Herbst", [("Robby & Marc. Herbst", "")]),  # real: eeeurico's Author
        ("Simon & Schuster", [("Simon & Schuster", "")]),
        ("W. W. Norton & Company", [("W. W. Norton & Company", "")]),
        # real: argv1's Additional Authors, a writer and a pair who write as one
        ("Rita Falk, Klüpfel & Kobr", [("Rita Falk", ""), ("Klüpfel & Kobr", "")]),
    ],
)  # fmt: skip
def test_split_people_reads_an_ampersand_beside_a_one_word_name_as_inside_one_name(value, people):
    assert [(c.name, c.sort_name) for c in split_people(value)] == people


@pytest.mark.parametrize(
    "value",
    [
        "José Ortega y Gasset",  # real: ayyucedemirbas' Goodreads Author
        "João Céu e Silva",  # real: argv1's Goodreads Author
        "Вероника и Ангелина Шэн",  # real: advokatb's Goodreads Author, two sisters' one credit
        "Erckmann-Chatrian",
    ],
)
def test_split_people_reads_no_separator_in_the_words_of_a_name(value):
    """`y`, `e`, `и` inside one name (`Ortega y Gasset`) or one credit separate no one."""
    assert [c.name for c in split_people(value)] == [value]


@pytest.mark.parametrize(
    ("value", "people"),
    [
        # A role after a name, as CSVs made from calibre libraries write it (synthetic names in
        # the real shapes of tests/fixtures/imports/real_shapes/calibre-derived-akienm-roles…).
        ("Jane Doe (Editor)", [("Jane Doe", "editor")]),
        ("John Smith (Translator)", [("John Smith", "translator")]),
        ("Jane Doe (ed.)", [("Jane Doe", "editor")]),
        ("Smith, John (Illustrator)", [("John Smith", "illustrator")]),
        ("Jane Doe, John Smith (Illustrator)",
         [("Jane Doe", "author"), ("John Smith", "illustrator")]),
        # A plural role is every listed person's; a singular one only the name's it follows.
        ("Jane Doe; John Smith (eds.)", [("Jane Doe", "editor"), ("John Smith", "editor")]),
        ("Jane Doe; John Smith (Editor)", [("Jane Doe", "author"), ("John Smith", "editor")]),
        ("Jane Doe (Translated by John Smith and Ann Roe)",
         [("Jane Doe", "author"), ("John Smith", "translator"), ("Ann Roe", "translator")]),
        # A parenthesis that names no role stays in the name.
        ("Plato (Ancient Greek philosopher)", [("Plato (Ancient Greek philosopher)", "author")]),
        ("John Doe (pseud.)", [("John Doe (pseud.)", "author")]),
    ],
)  # fmt: skip
def test_split_people_reads_a_role_after_a_name(value, people):
    assert [(c.name, c.role) for c in split_people(value)] == people


def test_person_from_sort_name_keeps_corporate_names():
    assert person_from_sort_name("Anonymous").name == "Anonymous"
    assert person_from_sort_name("Cortázar, Julio", role="editor").role == "editor"


@pytest.mark.parametrize(
    "cell",
    [
        "Smith, Elder & Co.",
        "Penguin Books, Ltd.",
        "Farrar, Straus and Giroux",
        "University of California, Berkeley",
        "Aero-Metric Engineering, Inc.",  # real: krishardy's Zotero Author
        "Macmillan Publishing Co., Inc.",
    ],
)
def test_an_organisations_heading_is_credited_as_named_not_turned_around(cell):
    """A firm or a body after a comma is no `Last, First` person: LibraryThing's author cells
    and a mapped column read it as named (not `Elder & Co. Smith`), with no sort name, by the
    rule provider names follow (catalog.person_names.is_organisation_heading)."""
    credit = person_from_sort_name(cell)
    assert (credit.name, credit.sort_name) == (cell, "")
    assert name_as_written(cell) == cell


def test_a_firms_partners_after_its_ampersand_take_no_surname():
    """`Smith, Elder & Co.` is one firm, not the people `Elder Smith` and `Co. Smith`."""
    assert [(c.name, c.sort_name) for c in split_people("Smith, Elder & Co.")] == [
        ("Smith, Elder & Co.", "")
    ]
    assert split_at_ampersands("Smith, Elder & Co.") == ["Smith, Elder & Co."]


def test_a_comma_inside_a_meetings_qualifier_turns_no_name_around():
    # A real Open Library author (tests/fixtures/providers/openlibrary/search__start100__2019__…):
    # its one comma is the meeting's place, and the name read "Switzerland) International …".
    meeting = (
        "International Conference on Greenhouse Gas Control Technologies (4th 1998 "
        "Interlaken, Switzerland)"
    )
    assert [(c.name, c.sort_name) for c in split_people(meeting)] == [(meeting, "")]
    # A sort name before the brackets still turns: its comma is outside them.
    assert split_people("Eliot, T. S. (Thomas Stearns), 1888-1965")[0].name == "T. S. Eliot"


@pytest.mark.parametrize(
    ("value", "person"),
    [
        ("das Neves, Maria Helena", "Maria Helena das Neves"),
        ("des Cars, Jean Marie", "Jean Marie des Cars"),
        ("ibn Warraq, Abu Bakr", "Abu Bakr ibn Warraq"),
    ],
)
def test_a_sort_name_whose_surname_begins_with_a_particle_is_one_person(value, person):
    # The import's particles were a second list, without das, des, do, al, bin, ibn: these
    # cells were read as two people ("das Neves" and "Maria Helena").
    assert [c.name for c in split_people(value)] == [person]


def test_al_is_a_given_name_not_a_particle():
    # A real Additional Authors cell (goodXtausch's Goodreads export, line 1293).
    cell = "Al Franken, Janeane Garofalo"
    assert [c.name for c in split_people(cell)] == ["Al Franken", "Janeane Garofalo"]


def test_a_particle_before_a_surname_is_part_of_it_not_a_middle_name():
    # Author matching's particles were a second list, without St. or Saint: "St." was taken
    # for a middle name that one side leaves out.
    score, reason = score_author_name("Kassia St. Clair", "Kassia Clair")
    assert "middle name" not in reason
    assert score < score_author_name("Kassia Jane Clair", "Kassia Clair")[0]


@pytest.mark.parametrize(
    ("cell", "name", "sort_name"),
    [
        # Library headings of medieval names (written for the test): the byname after the
        # comma follows the name (catalog.name_order.sort_name_turned_around).
        ("Chrétien, de Troyes, active 12th century", "Chrétien de Troyes", "Chrétien, de Troyes"),
        (
            "Walther, von der Vogelweide",
            "Walther von der Vogelweide",
            "Walther, von der Vogelweide",
        ),
        ("Jackson, La Toya", "La Toya Jackson", "Jackson, La Toya"),
    ],
)
def test_a_headings_byname_reads_after_the_name(cell, name, sort_name):
    [credit] = split_people(cell)
    assert (credit.name, credit.sort_name) == (name, sort_name)


def test_a_conjunction_of_another_language_separates_two_whole_names_never_one_surname():
    """`and` in Portuguese, Spanish, French, German, Swedish, Norwegian… between two whole
    names is two people, where they were one author `Steve Anderson e Karen Anderson`; inside
    one surname (`Ortega y Gasset`, `Costa e Silva`, `Natt och Dag`) or beside a given name
    whose surname the other names (`Jacob und Wilhelm Grimm`) it stays in the name."""
    two_people = {
        "Steve Anderson e Karen Anderson": ["Steve Anderson", "Karen Anderson"],  # real BookBuddy
        "Fábio Aguiar e Paulo Caroli": ["Fábio Aguiar", "Paulo Caroli"],  # real BookBuddy
        "Gabriel García Márquez y Mario Vargas Llosa": [
            "Gabriel García Márquez", "Mario Vargas Llosa"],
        "Jean-Paul Sartre et Simone de Beauvoir": ["Jean-Paul Sartre", "Simone de Beauvoir"],
        "Karl Marx und Friedrich Engels": ["Karl Marx", "Friedrich Engels"],
        "Maj Sjöwall och Per Wahlöö": ["Maj Sjöwall", "Per Wahlöö"],
        "Ingvar Ambjørnsen og Jan Kjærstad": ["Ingvar Ambjørnsen", "Jan Kjærstad"],
        "Илья Ильф и Евгений Петров": ["Илья Ильф", "Евгений Петров"],
        "Ortega y Gasset, José e Julián Marías": ["José Ortega y Gasset", "Julián Marías"],
        "José Ortega y Gasset e Julián Marías": ["José Ortega y Gasset", "Julián Marías"],
    }  # fmt: skip
    one_name = [
        "José Ortega y Gasset",
        "Santiago Ramón y Cajal",
        "Ramón y Cajal",
        "Artur da Costa e Silva",
        "João Céu e Silva",  # real: argv1's Goodreads Author
        "Niklas Natt och Dag",  # real: carlosperezzz's Goodreads Author
        "Jordi Sierra i Fabra",  # real: carlosperezzz's Goodreads Author
        "Mario Vargas Llosa",
        "Jacob und Wilhelm Grimm",
        "Pedro Pérez y de la Cruz",
        "John E Smith",  # an initial, never the Portuguese `e`
    ]
    assert {cell: [c.name for c in split_people(cell)] for cell in two_people} == two_people
    assert [[c.name for c in split_people(cell)] for cell in one_name] == [[n] for n in one_name]
    sorted_name = split_people("Ramón y Cajal, Santiago")
    assert [(c.name, c.sort_name) for c in sorted_name] == [
        ("Santiago Ramón y Cajal", "Ramón y Cajal, Santiago")
    ]


def test_a_name_and_its_title_of_rank_are_one_person():
    """`Charles V, Holy Roman Emperor` was two authors, `Charles V` and `Holy Roman Emperor`:
    a title of rank after the comma (catalog.name_order.is_title_of_rank) is the name's, read after
    it as catalog.name_order.sort_name_turned_around gives it, after a one-word name as before."""
    cells = [
        "Charles V, Holy Roman Emperor",
        "Marcus Aurelius, Emperor of Rome",
        "Frederick William, Crown Prince",
        "Elizabeth, Queen Mother",
        "Mary, Queen of Scots",
    ]
    assert [[c.name for c in split_people(cell)] for cell in cells] == [[cell] for cell in cells]
    listed = [[c.name for c in split_people(f"{cell} & Jane Doe")] for cell in cells]
    assert listed == [[cell, "Jane Doe"] for cell in cells]


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("司馬, 遼太郎", "司馬遼太郎"),
        ("夏目, 漱石", "夏目漱石"),
        ("金, 英夏", "金英夏"),
        ("한, 강", "한강"),  # Korean spelling rules write a name's two parts together
        ("莫, 言", "莫言"),
    ],
)
def test_a_sorted_name_in_cjk_script_is_stored_family_name_first(cell, name):
    """A library sorts `司馬, 遼太郎` (Shiba Ryōtarō) by his family name, which his name puts
    first: he was stored as `遼太郎 司馬`, given name first, where every source writes
    `司馬遼太郎`; the sort name stays, and his lookup key is his name's."""
    [person] = split_people(cell)
    assert (person.name, person.sort_name) == (name, cell)
    assert normalize_person_name(cell) == normalize_person_name(name)


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        # Project Gutenberg's catalog (tests/fixtures/imports/real_shapes, its PROVENANCE.md).
        ("Bryce, James Bryce, Viscount, 1838-1922", "James Bryce"),
        ("Lytton, Edward Robert Bulwer Lytton, Earl of, 1831-1891", "Edward Robert Bulwer Lytton"),
        ("Abbott, Edwin Abbott, 1838-1926", "Edwin Abbott Abbott"),
    ],
)
def test_a_peers_heading_with_a_rank_names_the_peer_once(heading, name):
    """`Bryce, James Bryce, Viscount` credited "James Bryce Bryce"."""
    assert [credit.name for credit in split_people(heading)] == [name]
