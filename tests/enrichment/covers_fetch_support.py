"""Shared by the fetch_cover_bytes tests: provider settings, a DNS table the test writes
(socket.getaddrinfo patched: no network), `responses` as the HTTP side, and a rejection caught."""

import ipaddress

import pytest

from enrichment.covers import CoverRejected, fetch_cover_bytes
from tests.fixtures.covers import synthetic

PUBLIC_IP = "93.184.216.34"
JPEG = synthetic.read("synthetic-cover-400x600.jpg")
OL_COVER = "https://covers.openlibrary.org/b/id/240727-L.jpg"
GOOGLE_COVER = "https://books.google.com/books/content?id=49T5twEACAAJ&printsec=frontcover&img=1"


def rejection(url: str, **kwargs) -> CoverRejected:
    with pytest.raises(CoverRejected) as caught:
        fetch_cover_bytes(url, **kwargs)
    return caught.value


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True
