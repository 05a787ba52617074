from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from catalog.models import ImportJob


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV export",
        help_text="The file exactly as Goodreads (My Books → Import and export) or StoryGraph "
        "(Manage account → Export) produced it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    format = forms.ChoiceField(choices=ImportJob.Format.choices, initial="auto")
    enrich = forms.BooleanField(
        required=False,
        initial=True,
        label="Queue enrichment",
        help_text="Look up covers and missing metadata for the imported books.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}. Split the export, or ask an administrator to raise "
                "IMPORT_MAX_UPLOAD_BYTES."
            )
        return upload
