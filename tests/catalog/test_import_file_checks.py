"""Files a librarian may pick by mistake, or that arrive damaged, on the upload form and in
`import_books`: each is refused or read with a message that says what the file is.

The files are written here (synthetic): their bytes are described where they are made.
"""

import random

import pytest

from catalog.models import ImportJob
from tests.catalog.test_import_admin import staff, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def librarian_client(client):
    client.force_login(staff("import_books", "view_importjob", "view_importrow"))
    return client


def synthetic_random_bytes(size: int = 5000) -> bytes:
    """Bytes as a compressed or encrypted file holds them (no known signature), without a NUL:
    every value but 0, from a seeded generator."""
    generator = random.Random(7)
    return bytes(generator.randrange(1, 256) for _ in range(size))


def test_a_binary_file_without_a_known_signature_is_refused_as_binary(librarian_client):
    response = upload(librarian_client, synthetic_random_bytes(), name="books.csv")
    page = response.content.decode()
    assert "This file is not a CSV export: it contains binary data" in page
    assert "Map the columns" not in page  # not offered its "columns" to map
    assert not ImportJob.objects.exists()
