"""A cover a librarian uploads on a work or an edition page passes the checks a downloaded cover
passes (`enrichment.covers.verify`: only JPEG, PNG, WebP and GIF, no decompression bomb, not
truncated, not tiny, not a placeholder or one flat colour) and is stored the same way: by the
hash of its bytes, with its thumbnails, so lists show the small thumbnail and two books with
the same image share its files. A refused image is a form error naming why, and nothing is
saved. The files of the cover it replaces (or that a librarian clears) are deleted once nothing
uses them (`enrichment.covers.cleanup`). A storage that fails to store it (S3 refusing, or silent
past its timeouts; a full disk) is a form error too: nothing of the form is saved, and its
History says nothing changed. Neither does a save that fails after the image was stored leave
its files for no row: the cover step's guard (`cover_files_kept_only_if_saved`) deletes them.

Catalog's admin (`CoverFieldsMixin.cover_replaced`) only forgets what was known of the replaced
image; catalog never imports enrichment, so this side adds the checks."""

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.admin.works import EditionAdmin
from catalog.forms import EditionAdminForm, WorkAdminForm
from catalog.models import Edition
from enrichment.admin.editions import EditionHistoryMixin
from enrichment.covers.cleanup import (
    cover_files_delete_unused_on_commit,
    cover_files_kept_only_if_saved,
)
from enrichment.covers.errors import CoverRejected, RejectionReason
from enrichment.covers.store import UPLOADED_BY_HAND, StoredCover, set_stored_image, store_cover
from enrichment.covers.verify import VerifiedImage, verify_cover
from enrichment.presenters import cover_source_label, cover_source_labels

logger = logging.getLogger(__name__)

#: Why an uploaded image was refused, for the librarian (the check's own detail follows).
REFUSALS = {
    RejectionReason.NOT_AN_IMAGE: gettext_lazy("it is not a JPEG, PNG, WebP or GIF image"),
    RejectionReason.FORMAT_NOT_ALLOWED: gettext_lazy("it is not a JPEG, PNG, WebP or GIF image"),
    RejectionReason.DECOMPRESSION_BOMB: gettext_lazy("it has too many pixels"),
    RejectionReason.TRUNCATED: gettext_lazy("the file is cut short"),
    RejectionReason.CORRUPT: gettext_lazy("the file is damaged"),
    RejectionReason.TOO_MANY_FRAMES: gettext_lazy("it is an animation of thousands of frames"),
    RejectionReason.TOO_SMALL: gettext_lazy("it is too small"),
    RejectionReason.PLACEHOLDER: gettext_lazy("it is a known 'no cover' placeholder"),
    RejectionReason.UNIFORM: gettext_lazy("it is one flat colour"),
}


def upload_head(upload: UploadedFile) -> bytes:
    """The uploaded file's first bytes, one more than a cover may have (more: refused)."""
    upload.seek(0)
    data = upload.read(settings.COVER_MAX_BYTES + 1)
    upload.seek(0)
    return data


def uploaded_cover_sha256(request) -> str:
    """The hash a cover posted on this request would be stored under (verify_cover names the
    files by the SHA-256 of the bytes); empty without one, or one over the byte cap."""
    upload = request.FILES.get("cover") if request.method == "POST" else None
    if upload is None:
        return ""
    data = upload_head(upload)
    return hashlib.sha256(data).hexdigest() if len(data) <= settings.COVER_MAX_BYTES else ""


def verified_upload(upload: UploadedFile) -> VerifiedImage:
    """The uploaded file's bytes, checked as a downloaded cover's are (raises ValidationError
    with the reason)."""
    data = upload_head(upload)
    if len(data) > settings.COVER_MAX_BYTES:
        raise forms.ValidationError(
            _("This image is larger than %(size)s: it cannot be a cover.")
            % {"size": filesizeformat(settings.COVER_MAX_BYTES)},
            code="too_large",
        )
    try:
        return verify_cover(data)
    except CoverRejected as rejected:
        reason = REFUSALS.get(rejected.reason, rejected.reason.value.replace("_", " "))
        raise forms.ValidationError(
            _("This image cannot be a cover: %(reason)s (%(detail)s).")
            % {"reason": reason, "detail": rejected.message},
            code=str(rejected.reason),
        ) from None


class ListedTextInput(forms.TextInput):
    """A text input that suggests `options` (an HTML datalist) and takes any other text too."""

    def __init__(self, options, attrs=None):
        super().__init__(attrs)
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        list_id = f"{(attrs or {}).get('id') or name}-options"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">', ((o,) for o in self.options))
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class CoverSourceField(forms.CharField):
    """A cover's source by its label ("Open Library", "Uploaded by hand"), never its key: a
    known label (in any case) is stored as its key, as enrichment stores it and the dashboard
    counts it; any other text as typed (a librarian may name a source of their own)."""

    def __init__(self, *, labels: dict[str, str], **kwargs):
        self.labels = labels
        self.keys = {label.casefold(): key for key, label in labels.items()}
        widget = ListedTextInput(labels.values(), attrs={"class": "vTextField"})  # as the admin's
        super().__init__(widget=widget, **kwargs)

    def prepare_value(self, value):
        return self.labels.get(value, value)

    def to_python(self, value):
        text = super().to_python(value) or ""
        return self.keys.get(text.casefold(), text)


class VerifiedCoverFormMixin:
    """On a work's or an edition's admin form: a newly uploaded cover is verified when the form
    is cleaned (`verified_cover`, None without a new upload); its source reads as its label."""

    verified_cover: VerifiedImage | None = None
    #: Why the storage failed to store this same post's cover (its page, posted again by
    #: VerifiedCoverUploadMixin.changeform_view), said on the form.
    cover_not_stored: str = ""
    #: The covers stored while saving this post (VerifiedCoverUploadMixin.changeform_view's
    #: guard deletes their files if the save fails).
    covers_stored: list[StoredCover] | None = None
    cleaned_data: dict
    fields: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # the ModelForm's
        typed = self.fields.get("cover_source")
        if typed is not None:
            self.fields["cover_source"] = CoverSourceField(
                labels=cover_source_labels(),
                label=typed.label,
                help_text=typed.help_text,
                required=False,
                max_length=typed.max_length,
            )

    def clean_cover(self):
        upload = self.cleaned_data.get("cover")
        if isinstance(upload, UploadedFile):  # a new file (a kept one is a FieldFile)
            if self.cover_not_stored:
                raise forms.ValidationError(self.cover_not_stored, code="not_stored")
            self.verified_cover = verified_upload(upload)
        return upload


class CoverNotStored(Exception):
    """The storage failed to store a verified upload: its message says so to the librarian."""


class VerifiedCoverUploadMixin:
    """On the work and edition admins: a verified upload is stored by its hash with its
    thumbnails and becomes the cover, checked now; the replaced cover's files go once unused.
    A storage that fails to store it leaves everything as it was and says so on the form; a
    save that fails once it is stored deletes its files (unless a row shows them)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            # Around the view's own transaction: the files are deleted if it does not commit.
            with cover_files_kept_only_if_saved(sha256=uploaded_cover_sha256(request)) as stored:
                request.covers_stored = stored
                return super().changeform_view(  # type: ignore[misc]
                    request, object_id, form_url, extra_context
                )
        except CoverNotStored as exc:
            # Raised while saving, inside the view's transaction, now rolled back: nothing of
            # the form was saved, no History entry says it was. The same post shows again, the
            # other fields as typed, the reason on the cover (get_form).
            request.cover_not_stored = str(exc)
            for _name, uploads in request.FILES.lists():
                for upload in uploads:
                    upload.seek(0)  # read once already: the form's checks read it again
            return super().changeform_view(  # type: ignore[misc]
                request, object_id, form_url, extra_context
            )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if obj is None or self.has_change_permission(request, obj):  # type: ignore[attr-defined]
            return fieldsets
        # Read, not edited: the source by its label ("Open Library"), as the form names it.
        return [
            (name, {**options, "fields": [_source_read(f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "cover_source_read"]  # type: ignore[misc]

    @admin.display(description=gettext_lazy("Source"))
    def cover_source_read(self, obj):
        if not obj.cover_source:
            return self.get_empty_value_display()  # type: ignore[attr-defined]
        return cover_source_label(obj.cover_source)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)  # type: ignore[misc]
        extra = {
            "cover_not_stored": getattr(request, "cover_not_stored", ""),
            "covers_stored": getattr(request, "covers_stored", None),
        }
        if extra["cover_not_stored"] or extra["covers_stored"] is not None:
            return type(form.__name__, (form,), extra)
        return form

    def cover_replaced(self, obj, form) -> None:
        previous_sha256 = obj.cover_sha256
        super().cover_replaced(obj, form)  # type: ignore[misc]  # catalog's CoverFieldsMixin
        verified = getattr(form, "verified_cover", None)
        if verified is not None:  # its stored name replaces the upload, which is not saved
            source = obj.cover_source or UPLOADED_BY_HAND
            try:
                stored = store_cover(verified)
            except Exception as exc:  # whatever the storage raises (botocore, OSError)
                logger.error(
                    "%s %s: the storage failed to store an uploaded cover: %s",
                    type(obj).__name__,
                    obj.pk,
                    exc,
                    exc_info=True,
                )
                raise CoverNotStored(
                    _(
                        "The storage failed to store this cover (the server's log has its "
                        "error): nothing was saved. Choose the image again and save, later."
                    )
                ) from exc
            stored_here = getattr(form, "covers_stored", None)
            if stored_here is not None:
                stored_here.append(stored)
            set_stored_image(obj, stored, source=source, source_url=obj.cover_source_url)
        if previous_sha256 and previous_sha256 != obj.cover_sha256:
            cover_files_delete_unused_on_commit(sha256s=[previous_sha256])


def _source_read(field):
    """A fieldset's entry with the cover's source read by its label (cover_source_read)."""
    if isinstance(field, (list, tuple)):
        return type(field)(_source_read(name) for name in field)
    return "cover_source_read" if field == "cover_source" else field


class VerifiedWorkAdminForm(VerifiedCoverFormMixin, WorkAdminForm):
    pass


class VerifiedEditionAdminForm(VerifiedCoverFormMixin, EditionAdminForm):
    pass


class EnrichmentEditionAdmin(EditionHistoryMixin, VerifiedCoverUploadMixin, EditionAdmin):
    """catalog's editions admin, whose uploaded covers are checked and stored as fetched ones,
    and whose History says where enrichment's changes to the edition are."""

    form = VerifiedEditionAdminForm


admin.site.unregister(Edition)
admin.site.register(Edition, EnrichmentEditionAdmin)
