"""A tiny in-test message catalog standing in for a .mo file: the project ships no translations,
and a test that a message is said in the reader's language needs one."""

from collections.abc import Mapping

from django.utils import translation


def use_synthetic_catalog(monkeypatch, catalog: Mapping[str, str], *, language: str = "") -> None:
    """gettext (and so gettext_lazy, {% translate %} and {% blocktranslate %}) answers from
    `catalog`, in `language` only when one is given (else whatever the active language); every
    other message as Django's own catalogs do."""
    real = translation._trans.gettext

    def gettext(message):
        if not language or translation.get_language() == language:
            return catalog.get(message, real(message))
        return real(message)

    monkeypatch.setattr(translation._trans, "gettext", gettext)
