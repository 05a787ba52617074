"""A provider's redirect is followed only to its own host, a host the operator named, or a name
that resolves only to public addresses: the answer is stored and shown, so a redirect to a
cloud's metadata service or a loopback port would read it back into the catalog.

The redirecting answers and the metadata body are synthetic, written here; DNS is the test's
table (the `dns` fixture) and HTTP is `responses`: no network."""

import pytest

from enrichment.candidates import LookupStatus
from enrichment.models import SourceRecord
from enrichment.providers.openlibrary import OpenLibraryProvider
from tests.enrichment.covers_fetch_support import PUBLIC_IP
from tests.enrichment.providers.helpers import body

BOOKS_API = "https://openlibrary.org/api/books"
USE_OF_WEAPONS = "books_api_jscmd_data__ISBN_9780316030571.json"
ISBN = "9780316030571"
#: What a cloud's metadata service answers (synthetic): credentials as JSON.
SECRET = {"AccessKeyId": "ASIA-synthetic", "SecretAccessKey": "synthetic-secret"}


@pytest.fixture
def openlibrary(make):
    return make(OpenLibraryProvider)


@pytest.mark.parametrize(
    "target",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/role",
        "http://127.0.0.1:8000/admin/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.0.0.5/internal.json",
        "http://metadata.example/computeMetadata/v1/",  # a name resolving to link-local
        "http://also-private.example/",  # one private address among public ones
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://openlibrary.org@127.0.0.1/",  # userinfo: the host is the address after the @
    ],
)
def test_a_redirect_to_a_private_address_is_refused_unread(http, dns, openlibrary, target):
    dns.table["metadata.example"] = ["169.254.169.254"]
    dns.table["also-private.example"] = [PUBLIC_IP, "192.168.1.10"]
    dns.table["2130706433"] = ["127.0.0.1"]
    http.get(BOOKS_API, status=302, headers={"Location": target})
    secret = http.get(target.replace("openlibrary.org@", ""), json=SECRET)

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.SERVER_ERROR
    assert "redirect" in result.error and "refused" in result.error
    assert secret.call_count == 0  # never asked
    assert not SourceRecord.objects.exists()  # nothing of it stored


def test_a_redirect_to_a_public_host_or_within_the_provider_is_followed(http, dns, openlibrary):
    dns.table["mirror.example"] = [PUBLIC_IP]
    http.get(BOOKS_API, status=302, headers={"Location": "https://mirror.example/api/books"})
    http.get("https://mirror.example/api/books", status=301, headers={"Location": "/v2/books"})
    http.get("https://mirror.example/v2/books", body=body("openlibrary", USE_OF_WEAPONS))

    result = openlibrary.lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.FOUND
    assert result.candidates[0].title == "Use of Weapons"


def test_a_redirect_to_a_host_the_operator_named_may_be_private(http, dns, settings, make):
    settings.OPENLIBRARY_URL = "http://ol-mirror.internal:8080"
    settings.COVER_ALLOWED_HOSTS = ["books-cache.internal"]
    dns.table["books-cache.internal"] = ["10.0.0.7"]
    mirror = "http://ol-mirror.internal:8080/api/books"
    http.get(mirror, status=302, headers={"Location": "http://books-cache.internal/api/books"})
    http.get("http://books-cache.internal/api/books", body=body("openlibrary", USE_OF_WEAPONS))

    result = make(OpenLibraryProvider).lookup_isbns([ISBN])[ISBN]

    assert result.status == LookupStatus.FOUND
