from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from catalog.importers import BaseImporter
from catalog.importers.generic import FIELDS, REQUIRED_FIELDS
from catalog.models import Edition, ImportJob, Work


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


def _with_sizes(message: str, size: int) -> str:
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    return message % {"size": filesizeformat(size), "limit": filesizeformat(limit)}


class ImportUploadTooLarge(forms.ValidationError):
    """Reading an upload stopped: its files passed IMPORT_MAX_UPLOAD_BYTES."""


class StopAtImportUploadLimit(FileUploadHandler):
    """First among a request's upload handlers: reading stops as soon as the files sent pass
    IMPORT_MAX_UPLOAD_BYTES together (ImportUploadTooLarge), so that a huge upload (or a hundred
    large ones) is not received and stored whole in temporary files to be refused after."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0  # bytes of every file of the request

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if _over_import_limit(self.received):
            message = _gettext(
                "This file is over %(size)s; the limit is %(limit)s. Split the export, or ask "
                "an administrator to raise IMPORT_MAX_UPLOAD_BYTES."
            )
            raise ImportUploadTooLarge(_with_sizes(message, self.received))
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
        columns = [(name, name) for name in dict.fromkeys(name for name in header if name)]
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


class WorkAdminForm(forms.ModelForm):
    """The work page's form: subjects one per line, the cover fields by their own labels."""

    subjects = LinesField(label=_("Subjects"), required=False, help_text=_("One per line."))

    class Meta:
        model = Work
        # The admin names the fields (its fieldsets); the labels reach its form through this Meta.
        fields = ["subjects"]
        labels = COVER_FIELD_LABELS


class EditionAdminForm(forms.ModelForm):
    class Meta:
        model = Edition
        fields = ["cover"]
        labels = COVER_FIELD_LABELS
