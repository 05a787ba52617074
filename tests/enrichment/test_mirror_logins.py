"""A provider's mirror or cover host named with a login (`https://user:password@mirror/…`) is
refused at start-up (enrichment.E007), where every cover built from it was refused one by one
as `bad_url` ("URL carries credentials") and its record links showed the password to reviewers.

The URLs built from these settings are data: cover URLs and record pages are stored with every
proposal, shown on the review page and the API, and kept in the audit. A login in them would be
copied into all of it; the check names the setting without the password.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from tests.enrichment.raw_http_server import raw_http_server

pytestmark = pytest.mark.django_db
JPEG_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 2\r\n\r\nok"


def check_output() -> str:
    with pytest.raises(SystemCheckError) as raised:
        call_command("check")
    return str(raised.value)


def test_a_covers_mirror_with_a_login_is_refused_at_start_up(settings, cover_settings):
    with raw_http_server(lambda conn, head: conn.sendall(JPEG_ANSWER)) as server:
        login_url = server.url.replace("http://", "http://reader:s3cret@")
        cover_settings.OPENLIBRARY_COVERS_URL = login_url
        # What every cover from it met at run time, with nothing asked of the mirror:
        with pytest.raises(CoverRejected) as caught:
            fetch_cover_bytes(f"{login_url}/b/id/1-L.jpg")
        output = check_output()
    assert caught.value.reason == RejectionReason.BAD_URL and not server.heads
    assert "enrichment.E007" in output
    assert f"OPENLIBRARY_COVERS_URL ({server.url}) carries a login" in output
    assert "s3cret" not in output and "reader" not in output


def test_a_provider_url_with_a_login_is_refused_at_start_up(settings):
    settings.ARCHIVE_ORG_URL = "https://reader:s3cret@mirror.example.org/ia"

    output = check_output()

    assert "enrichment.E007" in output
    assert "ARCHIVE_ORG_URL (https://mirror.example.org/ia) carries a login" in output
    assert "s3cret" not in output


def test_a_cover_host_entry_with_a_login_is_refused_at_start_up(settings):
    settings.COVER_ALLOWED_HOSTS = ["covers.example.org", "reader:s3cret@mirror.example.org:8080"]

    output = check_output()

    assert "enrichment.E007" in output and "COVER_ALLOWED_HOSTS" in output
    assert "s3cret" not in output and "covers.example.org" not in output


def test_a_mirror_without_a_login_passes(settings):
    settings.ARCHIVE_ORG_URL = "http://127.0.0.1:8765/ia"
    settings.COVER_ALLOWED_HOSTS = ["covers.example.org:8080", "*.mirror.example.org"]

    call_command("check")
