"""What import_books, purge_imports and enrichment_report say in words goes through gettext /
ngettext: shown in the operator's language once a translation exists, while their --json
output (a contract for scripts) keeps its English keys and values. A tiny in-test catalog
stands in for a .mo file (as tests/enrichment/test_reasons_translated.py does)."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from enrichment.demo.recordings import DEMO_EXPORT
from tests.catalog.test_import_files import make_job

pytestmark = pytest.mark.django_db

#: English message -> its (French) translation.
SYNTHETIC_CATALOG = {
    "Import #%(job)s (%(source)s): %(rows)s in %(seconds)s s — %(created)s created, "
    "%(updated)s updated, %(duplicates)s, %(failed)s failed, %(warned)s with warnings; "
    "%(enqueued)s.": "Import n° %(job)s (%(source)s) : %(rows)s en %(seconds)s s — "
    "%(created)s créés, %(updated)s mis à jour, %(duplicates)s, %(failed)s en échec, "
    "%(warned)s avec avertissements ; %(enqueued)s.",
    "not queued for enrichment": "pas mis en file d'enrichissement",
    "Cannot read %(path)s: %(error)s.": "Impossible de lire %(path)s : %(error)s.",
    "Queue: %(statuses)s.": "File : %(statuses)s.",
    "Metric": "Mesure",
    "Count": "Nombre",
    "Percentage": "Pourcentage",
    "Total works": "Œuvres",
}
#: (singular, plural) -> (French singular, French plural).
SYNTHETIC_PLURALS = {
    ("%(count)s row", "%(count)s rows"): ("%(count)s ligne", "%(count)s lignes"),
    ("%(count)s duplicate", "%(count)s duplicates"): ("%(count)s doublon", "%(count)s doublons"),
    (
        "Deleted the uploaded file of %(count)s import older than %(days)s days.",
        "Deleted the uploaded files of %(count)s imports older than %(days)s days.",
    ): (
        "Fichier supprimé de %(count)s import de plus de %(days)s jours.",
        "Fichiers supprimés de %(count)s imports de plus de %(days)s jours.",
    ),
}


@pytest.fixture
def french(monkeypatch):
    real_gettext, real_ngettext = translation._trans.gettext, translation._trans.ngettext

    def ngettext(singular, plural, number):
        if (singular, plural) in SYNTHETIC_PLURALS:
            one, many = SYNTHETIC_PLURALS[(singular, plural)]
            return one if number <= 1 else many
        return real_ngettext(singular, plural, number)

    monkeypatch.setattr(
        translation._trans,
        "gettext",
        lambda message: SYNTHETIC_CATALOG.get(message, real_gettext(message)),
    )
    monkeypatch.setattr(translation._trans, "ngettext", ngettext)


def test_import_books_says_its_summary_in_the_operators_language(french):
    out = StringIO()
    call_command("import_books", str(DEMO_EXPORT), "--no-enrich", stdout=out)

    first = out.getvalue().splitlines()[0]
    assert first.startswith("Import n° ") and " lignes en " in first, first
    assert " 20 créés, " in first and " 0 doublon, " in first  # French: 0 is singular
    assert first.endswith("; pas mis en file d'enrichissement.")


def test_import_books_json_keeps_its_keys_and_values_in_english(french):
    out = StringIO()
    call_command("import_books", str(DEMO_EXPORT), "--no-enrich", "--json", stdout=out)

    summary = json.loads(out.getvalue())
    assert {"job", "rows", "created", "duplicates", "failed", "status"} <= set(summary)
    assert summary["status"] == "completed"


def test_import_books_says_a_file_it_cannot_read_in_the_operators_language(french, tmp_path):
    missing = tmp_path / "missing.csv"
    with pytest.raises(CommandError, match=r"Impossible de lire .*missing\.csv : No such file"):
        call_command("import_books", str(missing), stdout=StringIO())


def test_purge_imports_says_what_it_deleted_in_the_operators_language(french):
    make_job(days_old=10)
    out = StringIO()
    call_command("purge_imports", "--days", "7", stdout=out)

    assert out.getvalue() == "Fichier supprimé de 1 import de plus de 7 jours.\n"


def test_enrichment_report_says_its_table_and_queue_in_the_operators_language(french):
    out = StringIO()
    call_command("enrichment_report", stdout=out)

    text = out.getvalue()
    assert text.startswith("| Mesure | Nombre | Pourcentage |\n| :--- | ---: | ---: |\n")
    assert "| Œuvres | 0 | – |" in text
    assert "\nFile : " in text
    out = StringIO()
    call_command("enrichment_report", "--json", stdout=out)
    assert "works" in json.loads(out.getvalue())
