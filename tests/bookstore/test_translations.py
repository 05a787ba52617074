"""Every user-facing string of the web UI goes through gettext (style.md, 13).

A static check over the admin, views and forms modules (`ast`) and over the templates names the
file and line of each string a librarian would read that bypasses gettext; a tiny in-test
catalog shows that such strings are translated when a translation exists.
"""

import ast
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import translation

from catalog.models import Work
from tests.enrichment.test_review import needs_review
from tests.enrichment.test_review_admin import decision_url, librarian
from tests.factories import make_edition, make_work
from tests.synthetic_translations import use_synthetic_catalog

ROOT = Path(__file__).resolve().parents[2]
#: The web UI's Python modules: what the admin, its views and forms put on screen.
UI_MODULES = [
    "catalog/views.py",
    "catalog/forms.py",
    "catalog/admin/*.py",
    "enrichment/views.py",
    "enrichment/forms.py",
    "enrichment/admin/*.py",
    "bookstore/admin_site.py",
    "bookstore/admin_lists.py",
    "bookstore/views.py",
]
GETTEXT_NAMES = {
    "_",
    "_gettext",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
#: Keyword arguments whose value is shown: a column's or an action's name, a form field's.
SHOWN_KEYWORDS = {"description", "label", "help_text", "empty_label", "verbose_name"}
#: Class attributes whose value is shown: a filter's title, a list's search help, a site's name.
SHOWN_ATTRIBUTES = {
    "title",
    "search_help_text",
    "verbose_name",
    "verbose_name_plural",
    "site_header",
    "site_title",
    "index_title",
    "empty_value_display",
}


def words(text: str) -> bool:
    """Whether a literal holds words a person reads: HTML tags, entities and format
    placeholders ("{}", "%(n)s") are not words."""
    text = re.sub(r"<[^>]*>|&\w+;|\{[^}]*\}|%\(\w+\)\w", " ", text)
    return re.search(r"[^\W\d_]{2,}", text) is not None


def bare_literal(node: ast.expr | None) -> bool:
    """A string literal, f-string, concatenation or %-format with words, not inside gettext."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(bare_literal(part) for part in node.values)
    if isinstance(node, ast.BinOp):
        return bare_literal(node.left) or bare_literal(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and bare_literal(node.func.value)
    return False


def call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def shown_arguments(call: ast.Call) -> list[ast.expr]:
    """The arguments of a call that end up on screen as they are."""
    name, func = call_name(call), call.func
    receiver = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
    shown = [k.value for k in call.keywords if k.arg in SHOWN_KEYWORDS]
    if receiver == "messages" and name in MESSAGE_LEVELS:
        shown += call.args[1:2] + [k.value for k in call.keywords if k.arg == "message"]
    elif receiver == "messages" and name == "add_message":
        shown += call.args[2:3] + [k.value for k in call.keywords if k.arg == "message"]
    elif name == "message_user":
        shown += call.args[1:2] + [k.value for k in call.keywords if k.arg == "message"]
    elif name in {"ValidationError", "Http404", "format_html", "mark_safe"}:
        shown += call.args[:1]
    elif name == "add_error":
        shown += call.args[1:2]
    return shown


def untranslated_strings(source: str, filename: str) -> list[str]:
    """`file:line: code` for each user-facing string of a module that bypasses gettext."""
    found = []

    def report(node: ast.AST) -> None:
        found.append(f"{filename}:{node.lineno}: {ast.unparse(node)[:90]}")

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and call_name(node) not in GETTEXT_NAMES:
            for argument in shown_arguments(node):
                if bare_literal(argument):
                    report(argument)
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and bare_literal(statement.value):
                    targets = {getattr(t, "id", "") for t in statement.targets}
                    if targets & SHOWN_ATTRIBUTES:
                        report(statement)
                elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.List):
                    targets = {getattr(t, "id", "") for t in statement.targets}
                    if "fieldsets" in targets:  # each fieldset's heading
                        for fieldset in statement.value.elts:
                            if isinstance(fieldset, ast.Tuple) and bare_literal(fieldset.elts[0]):
                                report(fieldset.elts[0])
        elif isinstance(node, ast.FunctionDef) and node.name == "lookups":
            for returned in ast.walk(node):  # a filter's choices: (value, label)
                pair = isinstance(returned, ast.Tuple) and len(returned.elts) == 2
                if pair and bare_literal(returned.elts[1]):
                    report(returned.elts[1])
    return found


def ui_module_paths() -> list[Path]:
    return sorted({path for pattern in UI_MODULES for path in ROOT.glob(pattern)})


def test_no_user_facing_string_of_the_web_ui_bypasses_gettext():
    assert len(ui_module_paths()) > 15  # the globs found the modules
    offenders = [
        line
        for path in ui_module_paths()
        for line in untranslated_strings(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not offenders, "Wrap these in gettext / gettext_lazy:\n" + "\n".join(offenders)


SYNTHETIC_OFFENDERS = """
from django.contrib import admin, messages
from django.utils.translation import gettext as _


class CoverFilter(admin.SimpleListFilter):
    title = "cover"

    def lookups(self, request, model_admin):
        return [("yes", "Has a cover"), ("no", _("No cover"))]


class WorkAdmin(admin.ModelAdmin):
    search_help_text = "Title or ISBN."
    fieldsets = [(None, {"fields": ["title"]}), ("Record", {"fields": ["created_at"]})]

    @admin.display(description="Cover")
    def cover(self, work):
        return format_html("<b>{}</b>", work.cover)  # markup only: nothing to translate

    @admin.action(description=_("Enrich"))
    def enrich(self, request, queryset):
        self.message_user(request, f"Queued {queryset.count():,} works.")


def view(request, n):
    messages.info(request, "Nothing was imported.")
    messages.success(request, _("Imported %(n)s rows.") % {"n": n})
    messages.warning(request, "%s rows failed" % n)
    messages.add_message(request, messages.INFO, format_html("Dismissed {}.", n))
    raise Http404("No such import.")
"""


def test_the_check_names_the_file_and_line_of_each_bare_string():
    found = untranslated_strings(SYNTHETIC_OFFENDERS, "synthetic-admin.py")
    assert [line.split(": ", 1)[0] for line in found] == [
        "synthetic-admin.py:7",  # title = "cover"
        "synthetic-admin.py:10",  # ("yes", "Has a cover")
        "synthetic-admin.py:14",  # search_help_text
        "synthetic-admin.py:15",  # the "Record" fieldset
        "synthetic-admin.py:17",  # description="Cover"
        "synthetic-admin.py:23",  # message_user(request, f"...")
        "synthetic-admin.py:27",  # messages.info(request, "...")
        "synthetic-admin.py:29",  # "%s rows failed" % n
        "synthetic-admin.py:30",  # format_html("Dismissed {}.", n)
        "synthetic-admin.py:31",  # Http404("...")
    ] or found


# --- Templates ------------------------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
#: Attributes a person reads (tooltips, alternative texts, labels, hints).
SHOWN_ATTRIBUTE = re.compile(r'\b(title|alt|aria-label|placeholder)="([^"]*)"')
#: What is no text of the page: translated blocks, tags, variables, comments, scripts, classes.
NOT_TEXT = [
    r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}",
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}",
    r"{%\s*block bodyclass\s*%}.*?{%\s*endblock\s*%}",
    r"{#.*?#}",
    r"<script.*?</script>",
    r"<style.*?</style>",
    r"{%.*?%}",
    r"{{.*?}}",
]


def untranslated_template_text(source: str, filename: str) -> list[str]:
    """`file:line: text` for each piece of template text outside {% translate %} and
    {% blocktranslate %}; what is removed keeps its line breaks, so lines stay true."""
    for pattern in NOT_TEXT:
        source = re.sub(pattern, lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    found = []
    for match in SHOWN_ATTRIBUTE.finditer(source):
        if words(match.group(2)):
            found.append(f"{filename}:{source.count(chr(10), 0, match.start()) + 1}: {match[0]}")
    text = re.sub(r"<[^>]*>", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    for number, line in enumerate(text.split("\n"), start=1):
        if words(line):
            found.append(f"{filename}:{number}: {line.strip()[:90]}")
    return found


def test_no_template_text_bypasses_translate():
    paths = sorted(TEMPLATES.rglob("*.html"))
    assert len(paths) > 20
    offenders = [
        line
        for path in paths
        for line in untranslated_template_text(path.read_text(), str(path.relative_to(ROOT)))
    ]
    assert not offenders, "Wrap these in {% translate %} / {% blocktranslate %}:\n" + "\n".join(
        offenders
    )


def test_the_template_check_names_the_line_of_each_bare_text():
    source = (
        "{% load i18n %}\n"
        "<h2>Progress</h2>\n"
        '<p>{% translate "Covers" %} <img alt="Current cover" src="{{ url }}"></p>\n'
        "{% blocktranslate with n=count %}\n  {{ n }} works\n{% endblocktranslate %}\n"
        "<p>{{ n }} of {{ total }} rows</p>\n"
    )
    found = untranslated_template_text(source, "synthetic.html")
    assert found == [
        'synthetic.html:3: alt="Current cover"',
        "synthetic.html:2: Progress",
        "synthetic.html:7: of  rows",
    ]


# --- Translated when a translation exists -------------------------------------------------------

#: A tiny catalog standing in for a .mo file: English message -> its (French) translation.
SYNTHETIC_CATALOG = {
    "Tick the fields to apply, or approve the safe proposal.": (
        "Cochez les champs à appliquer, ou approuvez la proposition sûre."
    ),
    "Has a verified cover": "A une couverture vérifiée",
    "Import CSV": "Importer un CSV",
    "Title, author, series, or an ISBN in any form (hyphens, ISBN-10 or 13).": (
        "Titre, auteur, série, ou un ISBN sous toute forme (tirets, ISBN-10 ou 13)."
    ),
    # enrichment.review's reasons: module constants, so translated lazily.
    "the work is already queued": "l’œuvre est déjà en file d’attente",
    "the work has a cover and complete metadata: nothing to look up": (
        "l’œuvre a une couverture et des métadonnées complètes : rien à chercher"
    ),
}


@pytest.fixture
def synthetic_translation(monkeypatch):
    """gettext (and so gettext_lazy, {% translate %} and {% blocktranslate %}) answers from
    SYNTHETIC_CATALOG, every other message as Django's own catalogs do."""
    use_synthetic_catalog(monkeypatch, SYNTHETIC_CATALOG)
    assert translation.gettext("Import CSV") == "Importer un CSV"


@pytest.mark.django_db
def test_a_message_after_a_view_is_shown_translated(client, sent_tasks, synthetic_translation):
    request = needs_review()
    client.force_login(librarian())
    response = client.post(decision_url(request, "approve"), {"_chosen": "1"}, follow=True)
    page = response.content.decode()
    assert "Cochez les champs à appliquer, ou approuvez la proposition sûre." in page
    assert "Tick the fields to apply" not in page


@pytest.mark.django_db
def test_the_works_list_shows_its_filter_link_and_search_help_translated(
    client, synthetic_translation
):
    client.force_login(User.objects.create_superuser("boss", password="pw"))
    page = client.get(reverse("admin:catalog_work_changelist")).content.decode()
    assert "A une couverture vérifiée" in page  # a filter's choice (lookups)
    assert "Importer un CSV" in page  # the template's object tool
    assert "Titre, auteur, série, ou un ISBN sous toute forme" in page  # search_help_text
    assert "Has a verified cover" not in page and ">Import CSV<" not in page


@pytest.mark.django_db
def test_why_a_rerun_queued_nothing_is_shown_translated(client, sent_tasks, synthetic_translation):
    request = needs_review()
    client.force_login(librarian())
    rerun = reverse("admin:enrichment_enrichmentrequest_rerun", args=[request.pk])
    client.post(rerun)  # queued again: the first re-run supersedes the proposal

    page = client.post(rerun, follow=True).content.decode()

    assert "Not queued: l’œuvre est déjà en file d’attente." in page
    assert "the work is already queued" not in page


@pytest.mark.django_db
def test_why_a_bulk_enrich_left_works_as_they_were_is_shown_translated(
    client, sent_tasks, synthetic_translation
):
    complete = make_work("Complete", description="d", first_published_year=2000, subjects=["x"])
    make_edition(complete, publisher="P", page_count=10)
    Work.objects.filter(pk=complete.pk).update(cover="covers/x.jpg")
    client.force_login(librarian())
    data = {"action": "enrich_selected", "_selected_action": [complete.pk], "post": "yes"}

    response = client.post(reverse("admin:catalog_work_changelist"), data, follow=True)

    (message,) = (str(m) for m in response.context["messages"])
    assert "1 l’œuvre a une couverture et des métadonnées complètes : rien à chercher" in message
    assert "nothing to look up" not in message
