"""The ceiling on the files any request may send (FILE_UPLOAD_HANDLERS puts this handler first).

Django caps a request's form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not its files: without a
ceiling, a file posted to any form (a cover on a work's page) is received whole into a temporary
file, gigabytes of disk, before the form refuses it. Reading stops once the files pass the
largest upload the product takes (`upload_ceiling_bytes`); Django answers its 400, as for any
request over its own limits. The import form and the API's upload stop sooner, at
IMPORT_MAX_UPLOAD_BYTES, with their own message (catalog.forms.StopAtImportUploadLimit)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler


class UploadOverCeiling(RequestDataTooBig):
    """The files a request sends are over upload_ceiling_bytes()."""


def upload_ceiling_bytes() -> int:
    """The largest upload the product takes: an import, or a cover (uploaded by hand)."""
    return max(settings.IMPORT_MAX_UPLOAD_BYTES, settings.COVER_MAX_BYTES)


class StopAtUploadCeiling(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0  # bytes of every file of the request

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > upload_ceiling_bytes():
            raise UploadOverCeiling(
                f"The files sent are over {upload_ceiling_bytes()} bytes "
                "(the larger of IMPORT_MAX_UPLOAD_BYTES and COVER_MAX_BYTES)."
            )
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
