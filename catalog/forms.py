import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from django.utils.functional import cached_property
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from catalog import isbn, services
from catalog.importers import BaseImporter
from catalog.importers.generic import FIELDS, REQUIRED_FIELDS
from catalog.importers.parsing import cell_shown
from catalog.life_years import year_text
from catalog.models import Author, Edition, ImportJob, Work, WorkAuthor


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV export"),
        help_text=_(
            "The file exactly as Goodreads, StoryGraph, LibraryThing, Libib, calibre, Open "
            "Library, BookWyrm or Openreads exported it, or any CSV or tab-separated file: "
            "you will map its columns."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.tsv,.txt,text/csv,text/tab-separated-values"}
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ImportJob.Format.choices,
        initial="auto",
        help_text=_(
            "Detected from the header. A format chosen here must match the file's columns; "
            "“Any CSV” lets you map the columns yourself."
        ),
    )
    enrich = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Queue enrichment"),
        help_text=_("Look up covers and missing metadata for the imported books."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limit before the upload, not only in the refusal of a file over it.
        file = self.fields["file"]
        file.help_text = "{} {}".format(
            file.help_text, _gettext("Up to %(limit)s.") % {"limit": _import_limit_shown()}
        )
        if not services.import_enrichment_available():
            # Offered ticked, it promised what no import would do: the box says why it is off.
            enrich = self.fields["enrich"]
            enrich.disabled, enrich.initial = True, False
            enrich.help_text = _(
                "Automatic enrichment is off on this server (ENRICHMENT_AUTO_ENABLED): the "
                "imported books will not be queued. To queue them afterwards, run manage.py "
                "enrich_missing, or use “Enrich all missing covers / metadata” on the works list."
            )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_import_upload_size(upload)
        return upload


def validate_import_upload_size(upload) -> None:
    """An uploaded export over IMPORT_MAX_UPLOAD_BYTES is refused, saying both sizes (the
    upload form and the API's imports/ share this rule)."""
    if _over_import_limit(upload.size):
        message = _gettext(
            "This file is %(size)s; the limit is %(limit)s. Split the export, or ask an "
            "administrator to raise IMPORT_MAX_UPLOAD_BYTES."
        )
        raise forms.ValidationError(_with_sizes(message, upload.size))


def _over_import_limit(size: int) -> bool:
    return size > settings.IMPORT_MAX_UPLOAD_BYTES


def _import_limit_shown() -> str:
    return filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)


def _with_sizes(message: str, size: int) -> str:
    return message % {"size": filesizeformat(size), "limit": _import_limit_shown()}


class ImportUploadTooLarge(forms.ValidationError):
    """Reading an upload stopped: its files passed IMPORT_MAX_UPLOAD_BYTES."""


class StopAtImportUploadLimit(FileUploadHandler):
    """First among a request's upload handlers: reading stops as soon as the files sent pass
    IMPORT_MAX_UPLOAD_BYTES together (ImportUploadTooLarge), so that a huge upload (or a hundred
    large ones) is not received and stored whole in temporary files to be refused after."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0  # bytes of every file of the request
        self.request_length = 0  # the Content-Length of the request, when it gives one

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0
        return None  # the upload is read as usual

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if _over_import_limit(self.received):
            # Said with the size the request announced (the file's, give or take the form's few
            # fields), not how far reading got: "over 64.0 KB" of a 620 KB file misleads.
            if self.request_length > self.received:
                size = self.request_length
                message = _gettext(
                    "This file is about %(size)s; the limit is %(limit)s. Split the export, or "
                    "ask an administrator to raise IMPORT_MAX_UPLOAD_BYTES."
                )
            else:
                size = self.received
                message = _gettext(
                    "This file is over %(size)s; the limit is %(limit)s. Split the export, or "
                    "ask an administrator to raise IMPORT_MAX_UPLOAD_BYTES."
                )
            raise ImportUploadTooLarge(_with_sizes(message, size))
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


class ImportRowCellsForm(forms.Form):
    """One input per column of an import's header, prefilled with a row's cells: a librarian
    corrects a failed row here before it is re-run."""

    def __init__(self, *args, header: list[str], cells: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.column_count = len(header)
        columns = BaseImporter(header)
        for index in range(len(header)):
            value = cells[index] if index < len(cells) else ""
            long_value = len(value) > 80 or "\n" in value
            self.fields[f"cell_{index}"] = forms.CharField(
                label=columns.column_name(index),
                required=False,
                strip=False,  # the cell as typed: the importer cleans it like any other
                initial=value,
                widget=(
                    forms.Textarea(attrs={"rows": 3, "cols": 70})
                    if long_value
                    else forms.TextInput(attrs={"size": 70})
                ),
            )

    def cells(self) -> list[str]:
        # Browsers send a text area's line breaks as CRLF; the file's cells use LF.
        return [
            self.cleaned_data[f"cell_{index}"].replace("\r\n", "\n")
            for index in range(self.column_count)
        ]


class ColumnMapForm(forms.Form):
    """The mapping step of an upload the importers did not recognise: which of the file's
    columns holds each catalog field (only the title is required)."""

    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, header: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        columns = [
            (name, cell_shown(name)) for name in dict.fromkeys(name for name in header if name)
        ]
        choices = [("", _("— not in this file —")), *columns]
        for name, label in FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, required=name in REQUIRED_FIELDS
            )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        chosen: dict[str, str] = {}
        for name in FIELDS:
            column = cleaned.get(name)
            if not column:
                continue
            if column in chosen:
                self.add_error(
                    name,
                    _gettext("The column “%(column)s” is already chosen for %(field)s.")
                    % {"column": column, "field": FIELDS[chosen[column]]},
                )
            chosen.setdefault(column, name)
        return cleaned

    def column_map(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in FIELDS if self.cleaned_data.get(name)}


class LinesField(forms.Field):
    """A list of short texts (a work's subjects) edited one per line, not as raw JSON; blank
    lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 60})

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, (list, tuple)):
            return list(value)
        return [line.strip() for line in str(value).splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial) != self.to_python(data)


#: The cover fields under the "Cover" fieldset: each labelled for what it is, not "Cover" again.
COVER_FIELD_LABELS = {
    "cover": _("Image file"),
    "cover_source": _("Source"),
    "cover_source_url": _("Source URL"),
}


class ShownValuesField(forms.CharField):
    """The values a change form showed, sent back hidden; never a change of its own."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


def _comparable(field: forms.Field, value):
    """A form value as its field reads it, so a value shown and one posted compare alike."""
    if isinstance(value, str):
        value = value.replace("\r\n", "\n")  # browsers post a textarea's lines with CRLF
    try:
        return field.to_python(value)
    except ValidationError:
        return value


class KeepsChangesMadeMeanwhileForm(forms.ModelForm):
    """A change form that remembers the values it showed. On save, a field the librarian left
    as shown keeps what it holds now if it changed elsewhere meanwhile (the enrichment worker
    filled it, a colleague edited it); a field changed both here and elsewhere is refused with
    the value now held, and saved if the form is sent again. Without this, saving a page opened
    a while ago wrote its old values over those changes, unseen. The admin lists
    `shown_values` in its fields."""

    shown_values = ShownValuesField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept_meanwhile: list[str] = []  # the labels of the fields given the value found
        self.kept_meanwhile_names: list[str] = []
        if self.instance.pk is not None:
            self.initial["shown_values"] = self._values_now()

    @cached_property
    def changed_data(self) -> list[str]:
        # A field kept at its new value was not changed by the librarian: not in the page's
        # History, and an edition under the work whose only difference it is is not saved.
        return [name for name in super().changed_data if name not in self.kept_meanwhile_names]

    def _compared(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if name != "shown_values"
            and name in self.initial
            # A file is replaced only by an upload, which is always the librarian's choice.
            and not isinstance(field, forms.FileField)
        ]

    def _values_now(self) -> str:
        values = {
            name: self.fields[name].prepare_value(self.initial.get(name))
            for name in self._compared()
        }
        return json.dumps(values, default=str)

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        posted = self.data.get(self.add_prefix("shown_values")) if self.is_bound else None
        try:
            shown = json.loads(posted) if posted and self.instance.pk is not None else {}
        except ValueError:
            shown = {}
        if not isinstance(shown, dict):
            shown = {}
        for name in self._compared():
            if name not in shown or name not in cleaned:
                continue
            field = self.fields[name]
            then = _comparable(field, shown[name])
            held = field.prepare_value(self.initial.get(name))
            now = _comparable(field, held)
            if then == now:
                continue  # nobody else changed it
            mine = _comparable(field, self[name].data)
            if mine == then:
                cleaned[name] = self.initial.get(name)
                self.kept_meanwhile_names.append(name)
                self.kept_meanwhile.append(str(field.label or name))
            elif mine != now:
                shown_now = str(held if held not in (None, "") else _gettext("empty"))
                self.add_error(
                    name,
                    _gettext(
                        "Changed since you opened this page (by the enrichment worker or a "
                        "colleague): it now holds “%(now)s”. Your value is kept here: save again "
                        "to replace it."
                    )
                    % {"now": shown_now[:300]},
                )
        self.__dict__.pop("changed_data", None)  # counted again without the fields kept
        if self.errors and self.is_bound:
            # Shown again: a field kept shows the value it holds now, and the form sent again
            # replaces only the values it has now shown.
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            for name in self.kept_meanwhile_names:
                held = self.fields[name].prepare_value(self.initial.get(name))
                data[self.add_prefix(name)] = "" if held is None else held
            data[self.add_prefix("shown_values")] = self._values_now()
            self.data = data
        return cleaned


class WorkAdminForm(KeepsChangesMadeMeanwhileForm):
    """The work page's form: subjects one per line, the cover fields by their own labels."""

    subjects = LinesField(label=_("Subjects"), required=False, help_text=_("One per line."))

    class Meta:
        model = Work
        # The admin names the fields (its fieldsets); the labels reach its form through this Meta.
        fields = ["subjects"]
        labels = COVER_FIELD_LABELS


def _isbn_typed(value: str) -> isbn.ParsedISBN:
    """An ISBN typed on an edition's page, in any spelling; refused in words, where the
    database's rule said "Constraint “edition_isbn13_shape” is violated."."""
    parsed = isbn.parse_isbn(value)
    if parsed is not None:
        return parsed
    if isbn.why_not_isbn(value) in ("isbn13_check", "isbn10_check"):
        message = _gettext("“%(value)s” has a wrong check digit: check it against the book.")
    else:
        message = _gettext(
            "“%(value)s” is not an ISBN: type its 13 digits (or the 10 of an older ISBN), "
            "with or without hyphens."
        )
    raise ValidationError(message % {"value": value})


class AuthorAdminForm(KeepsChangesMadeMeanwhileForm):
    class Meta:
        model = Author
        fields: list[str] = []  # the admin names them (its fieldsets)
        # The inputs hold numbers: how they say an era, and where a guess is said (once, for
        # both: the two inputs share a line).
        help_texts = {
            "birth_year": _(
                "Negative before the common era: -384 is 384 BC. A guess is said by the date."
            )
        }

    def clean(self):
        """A death year before the birth year is refused in words, on the death year: the
        database's rule said "Constraint “author_death_after_birth” is violated."."""
        cleaned = super().clean()
        born, died = cleaned.get("birth_year"), cleaned.get("death_year")
        if born is not None and died is not None and died < born:
            self.add_error(
                "death_year",
                _gettext("Before the birth year, %(born)s: check both years.")
                % {"born": year_text(born)},
            )
        return cleaned


class EditionAdminForm(KeepsChangesMadeMeanwhileForm):
    class Meta:
        model = Edition
        fields = ["cover"]
        labels = COVER_FIELD_LABELS

    # Room for an ISBN as printed, "ISBN 978-0-441-17271-9": the browser cut it at 13 characters.
    ISBN_INPUT_LENGTH = 24

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("isbn13", "isbn10"):
            if name in self.fields:
                field = self.fields[name]
                assert isinstance(field, forms.CharField)
                field.max_length = self.ISBN_INPUT_LENGTH
                field.widget.attrs["maxlength"] = str(self.ISBN_INPUT_LENGTH)
                field.validators = [
                    v for v in field.validators if not isinstance(v, MaxLengthValidator)
                ]

    def clean_isbn13(self):
        """Any spelling of an ISBN-13 or ISBN-10, kept as its 13 digits; None when empty."""
        value = self.cleaned_data.get("isbn13")
        if not value:
            return None
        return _isbn_typed(value).isbn13

    def clean_isbn10(self):
        """Any spelling of an ISBN-10 (or of the ISBN-13 it is part of), kept as its 10."""
        value = self.cleaned_data.get("isbn10")
        if not value:
            return ""
        parsed = _isbn_typed(value)
        if parsed.isbn10 is None:
            raise ValidationError(
                _gettext("%(isbn13)s starts with 979: it has no ISBN-10.")
                % {"isbn13": parsed.isbn13}
            )
        return parsed.isbn10

    def clean(self):
        """A date typed with no precision chosen is the day typed (the widget takes a whole
        date); a date cleared takes its precision with it. Saving refused both with "Constraint
        “edition_date_has_precision” is violated." (a date is stored with its precision)."""
        cleaned = super().clean()
        if "publication_date" in self.errors or "publication_date_precision" not in cleaned:
            return cleaned
        if cleaned.get("publication_date") is None:
            cleaned["publication_date_precision"] = ""
        elif not cleaned["publication_date_precision"]:
            cleaned["publication_date_precision"] = Edition.DatePrecision.DAY
        return cleaned


class WorkCreditForm(forms.ModelForm):
    """A credit of the work page: a new one's place may be left empty, and then follows the
    others in the order the rows were entered (WorkCreditFormSet), never all at 0."""

    class Meta:
        model = WorkAuthor
        fields = ["position", "author", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        position = self.fields.get("position")
        if position is None:  # a reader's rows: the place is shown instead (WorkAuthorInline)
            return
        position.required = False
        position.widget.attrs["placeholder"] = _gettext("next")
        if self.instance._state.adding:
            self.initial["position"] = None  # not the model's 0: each new row would be first


class WorkCreditFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """New credits with no place typed are numbered after every place held, in the order
        their rows were entered."""
        super().clean()
        kept = [
            form
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.cleaned_data.get("DELETE")
        ]
        places = [form.cleaned_data.get("position") for form in kept]
        following = max((place for place in places if place is not None), default=-1) + 1
        for form in kept:
            if form.has_changed() and form.cleaned_data.get("position") is None:
                form.instance.position = form.cleaned_data["position"] = following
                following += 1
