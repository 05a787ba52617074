"""The books: works, their editions, the people who made them, series and credits.

A Work is the abstract book ("Neverwhere"); an Edition is one published form of it with its own
ISBN, publisher and cover. A Work shows its own cover or, failing that, one of its editions'.
"""

from django.db import models
from django.db.models import Q
from django.db.models.fields.files import ImageFieldFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import text
from catalog.models.bases import CoverFields, EnrichmentStatus, TimeStampedModel, TimeStampedPart


class Author(TimeStampedModel):
    name = models.CharField(max_length=255)
    sort_name = models.CharField(max_length=255, blank=True, help_text=_("e.g. 'Gaiman, Neil'"))
    name_normalized = models.CharField(max_length=255, db_index=True, editable=False)
    birth_year = models.SmallIntegerField(null=True, blank=True)
    death_year = models.SmallIntegerField(null=True, blank=True)
    bio = models.TextField(blank=True)
    # Unique identifiers are NULL when unknown (not ""), so a plain unique index serves lookups.
    openlibrary_key = models.CharField(
        _("Open Library author key"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text=_("e.g. OL23919A"),
    )
    wikidata_id = models.CharField(_("Wikidata id"), max_length=32, blank=True)
    goodreads_author_id = models.CharField(_("Goodreads author id"), max_length=32, blank=True)
    viaf_id = models.CharField(_("VIAF id"), max_length=32, blank=True)
    isni = models.CharField(_("ISNI"), max_length=32, blank=True)
    # What enrichment fills (only when empty, unless a reviewer chooses otherwise).
    birth_date = models.CharField(
        max_length=64, blank=True, help_text=_("As the source states it, e.g. 13 September 1916.")
    )
    death_date = models.CharField(max_length=64, blank=True)
    gender = models.CharField(max_length=32, blank=True, help_text=_("The source's word."))
    nationality = models.CharField(
        max_length=255, blank=True, help_text=_("Citizenship, countries separated by commas.")
    )
    short_description = models.CharField(
        max_length=500, blank=True, help_text=_("One line, e.g. English novelist (1903–1950).")
    )
    bio_source = models.URLField(
        max_length=1000, blank=True, help_text=_("The page the bio was taken from.")
    )
    # A portrait, verified and stored like a cover (content-hash names, thumbnails).
    photo = models.ImageField(upload_to="authors/", blank=True, max_length=255)
    photo_thumbnail = models.ImageField(upload_to="authors/", blank=True, max_length=255)
    photo_source = models.CharField(max_length=32, blank=True)
    photo_source_url = models.URLField(max_length=1000, blank=True)
    photo_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    photo_width = models.PositiveIntegerField(null=True, blank=True)
    photo_height = models.PositiveIntegerField(null=True, blank=True)
    photo_verified_at = models.DateTimeField(null=True, blank=True)
    photo_licence = models.CharField(
        max_length=128, blank=True, help_text=_("e.g. CC BY-SA 4.0, as its source states it.")
    )
    photo_licence_url = models.URLField(max_length=1000, blank=True)
    photo_artist = models.CharField(
        max_length=255, blank=True, help_text=_("The attribution the licence asks for.")
    )
    # A duplicate merged into another author stays as a redirect (a merge can be reverted).
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text=_("Set when this author was merged into another: this one is a redirect."),
    )
    enrichment_status = models.CharField(
        max_length=16, choices=EnrichmentStatus.choices, blank=True, default=""
    )
    enrichment_confidence = models.CharField(max_length=8, blank=True)
    last_enriched_at = models.DateTimeField(null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(
        default=0, help_text=_("Percent of the author's fields that hold a value.")
    )

    class Meta:
        ordering = ["sort_name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(death_year__isnull=True)
                | Q(death_year__gte=models.F("birth_year")),
                name="author_death_after_birth",
            ),
        ]
        indexes = [
            models.Index(fields=["wikidata_id"], name="author_wikidata_idx"),
            models.Index(fields=["completeness"], name="author_completeness_idx"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A denormalized lookup key, not business logic: it must never drift from the name.
        self.name_normalized = text.normalize_person_name(self.name)
        super().save(*args, **kwargs)


class Work(TimeStampedModel, CoverFields):
    EnrichmentStatus = EnrichmentStatus

    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    title_normalized = models.CharField(max_length=500, db_index=True, editable=False)
    # The export named no title (an Open Library reading log gives keys only): `title` holds the
    # key until enrichment or a librarian gives the real one, which may then replace it.
    title_is_placeholder = models.BooleanField(default=False)
    series = models.CharField(max_length=255, blank=True)
    series_number = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)
    first_published_year = models.SmallIntegerField(null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    # Annotated: the stubs' plugin cannot type a `through` model named before it is defined.
    authors: "models.ManyToManyField[Author, WorkAuthor]" = models.ManyToManyField(
        Author, through="WorkAuthor", related_name="works"
    )
    openlibrary_work_key = models.CharField(
        _("Open Library work key"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text=_("e.g. OL27258W"),
    )
    # Written by enrichment: where this work stands, so lists can filter on it.
    enrichment_status = models.CharField(
        max_length=16, choices=EnrichmentStatus.choices, blank=True, default=""
    )
    enrichment_confidence = models.CharField(max_length=8, blank=True)
    last_enriched_at = models.DateTimeField(null=True, blank=True)
    completeness = models.PositiveSmallIntegerField(
        default=0, help_text=_("0–100: the weighted share of key fields that hold a value.")
    )
    # Found by the catalog backfill, but no provider resolved it to an ISBN yet: the discovery's
    # data is kept in `discovery` and the work is never shown as resolved. A daily task retries
    # it and upgrades it in place when a provider resolves it.
    synthetic = models.BooleanField(
        default=False, help_text=_("Discovered by a backfill; no provider has resolved it yet.")
    )
    # How a backfill found the work: the source(s), the month, and what the source said about it
    # (authors, year, description, genres), as the source said it. Empty for imported works.
    discovery = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["title_normalized", "id"]
        indexes = [
            models.Index(fields=["enrichment_status"], name="work_enrichment_status_idx"),
            models.Index(fields=["id"], condition=Q(synthetic=True), name="work_synthetic_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.title_normalized = text.normalize_title(self.title)
        super().save(*args, **kwargs)

    @property
    def display_cover(self):
        """The work's own cover, else its first edition's that has one (edition -> work
        inheritance). Lists use `catalog.selectors.works_with_display_cover`, which annotates
        the edition's file names so that no row makes a query."""
        return self.cover or self._edition_image("edition_cover_name", "cover")

    @property
    def display_thumbnail(self):
        return (
            self.cover_thumbnail
            or self._edition_image("edition_thumbnail_name", "cover_thumbnail")
            or self.display_cover
        )

    def _edition_image(self, annotation: str, field_name: str):
        if hasattr(self, annotation):
            name = getattr(self, annotation)
        else:
            name = (
                self.editions.exclude(**{field_name: ""})
                .order_by("id")
                .values_list(field_name, flat=True)
                .first()
            )
        if not name:
            return None
        field = self._meta.get_field(field_name)
        if not isinstance(field, models.ImageField):
            raise TypeError(f"{field_name} is not an image field")
        return ImageFieldFile(self, field, name)


class WorkSeries(TimeStampedPart):
    """A series the work belongs to, with its number there. A book may be in several
    (`Raising Steam (Discworld, #40; Moist von Lipwig, #3)`); position 0 is the primary one,
    which Work.series / Work.series_number repeat for lists and search."""

    # Found by work through the unique (work, name) index: no index of its own.
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="series_entries", db_index=False
    )
    name = models.CharField(max_length=255)
    number = models.CharField(max_length=16, blank=True, help_text=_("e.g. 2, 0.5, 1-3"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        verbose_name_plural = _("work series")
        constraints = [
            models.UniqueConstraint(fields=["work", "name"], name="workseries_unique_name"),
        ]
        indexes = [models.Index(fields=["name"], name="workseries_name_idx")]

    def __str__(self):
        return f"{self.name} #{self.number}" if self.number else self.name


class WorkAuthor(TimeStampedPart):
    """An ordered credit: who did what on a work (author, translator, narrator, ...)."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Author")
        TRANSLATOR = "translator", _("Translator")
        NARRATOR = "narrator", _("Narrator")
        ILLUSTRATOR = "illustrator", _("Illustrator")
        EDITOR = "editor", _("Editor")
        CONTRIBUTOR = "contributor", _("Contributor")

    # Found by work through the unique (work, author, role) index: no index of its own.
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="credits", db_index=False)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        # A translator's or a narrator's credit too: Django's "work author" named them all so
        # (a deletion's list, the History).
        verbose_name = _("credit")
        verbose_name_plural = _("credits")
        constraints = [
            models.UniqueConstraint(
                fields=["work", "author", "role"], name="workauthor_unique_credit"
            ),
        ]

    def __str__(self):
        # With its work: deleting an author lists its credits, one line per book it leaves.
        return gettext("%(author)s (%(role)s) of %(work)s") % {
            "author": self.author,
            "role": self.get_role_display(),
            "work": self.work,
        }


#: What an edition's stored ISBNs look like, whatever was imported (the database refuses any
#: other): the API's schema declares them as its values' patterns.
ISBN13_SHAPE = r"^97[89][0-9]{10}$"
ISBN10_SHAPE = r"^[0-9]{9}[0-9X]$"


#: The identifiers an edition is found by, in the order a librarian looks for one, and how a
#: name or a sentence says which one it is ("ISBN 9780261102217", "Open Library OL7353617M").
EDITION_IDENTIFIERS = {
    "isbn13": _("ISBN"),
    "isbn10": _("ISBN-10"),
    "asin": _("ASIN"),
    "openlibrary_edition_key": _("Open Library"),
    "goodreads_book_id": _("Goodreads"),
    "librarything_id": _("LibraryThing"),
    "google_books_id": _("Google Books"),
}


class Edition(TimeStampedModel, CoverFields):
    class Format(models.TextChoices):
        HARDCOVER = "hardcover", _("Hardcover")
        PAPERBACK = "paperback", _("Paperback")
        MASS_MARKET = "mass_market", _("Mass market paperback")
        EBOOK = "ebook", _("E-book")
        AUDIOBOOK = "audiobook", _("Audiobook")
        OTHER = "other", _("Other")

        @classmethod
        def has_pages(cls, book_format: str) -> bool:
            """False for a format without pages (an audiobook): a page count given for one
            counts something else (discs, hours), and neither an import nor a provider keeps
            it."""
            return book_format != cls.AUDIOBOOK

    class DatePrecision(models.TextChoices):
        YEAR = "year", _("Year")
        MONTH = "month", _("Month")
        DAY = "day", _("Day")

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="editions")
    isbn13 = models.CharField(_("ISBN-13"), max_length=13, null=True, blank=True, unique=True)
    isbn10 = models.CharField(_("ISBN-10"), max_length=10, blank=True)
    asin = models.CharField(_("ASIN"), max_length=10, blank=True)
    title = models.CharField(max_length=500, blank=True)
    subtitle = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=255, blank=True)
    # A date known only to the year is stored as Jan 1 with precision "year": the precision
    # says how much of the date is real.
    publication_date = models.DateField(null=True, blank=True)
    publication_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, blank=True
    )
    page_count = models.PositiveIntegerField(null=True, blank=True)
    format = models.CharField(max_length=16, choices=Format.choices, blank=True)
    language = models.CharField(max_length=16, blank=True, help_text=_("ISO 639 code, e.g. 'en'"))
    openlibrary_edition_key = models.CharField(
        _("Open Library edition key"),
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text=_("e.g. OL7353617M"),
    )
    google_books_id = models.CharField(_("Google Books id"), max_length=32, blank=True)
    goodreads_book_id = models.CharField(_("Goodreads book id"), max_length=32, blank=True)
    librarything_id = models.CharField(
        _("LibraryThing id"),
        max_length=32,
        blank=True,
        help_text=_("The book's id in the LibraryThing catalog it was exported from."),
    )

    class Meta:
        ordering = ["work", "publication_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(isbn13__isnull=True) | Q(isbn13__regex=ISBN13_SHAPE),
                name="edition_isbn13_shape",
            ),
            models.CheckConstraint(
                condition=Q(isbn10="") | Q(isbn10__regex=ISBN10_SHAPE),
                name="edition_isbn10_shape",
            ),
            models.CheckConstraint(
                condition=Q(publication_date__isnull=True) | ~Q(publication_date_precision=""),
                name="edition_date_has_precision",
            ),
        ]
        indexes = [
            models.Index(fields=["isbn10"], name="edition_isbn10_idx"),
            models.Index(fields=["goodreads_book_id"], name="edition_goodreads_idx"),
            models.Index(fields=["google_books_id"], name="edition_google_idx"),
            models.Index(fields=["asin"], name="edition_asin_idx"),
            # An import looks up each batch's LibraryThing ids (catalog.services.index).
            models.Index(fields=["librarything_id"], name="edition_librarything_idx"),
        ]

    def __str__(self):
        """How lists, headlines and sentences name an edition: its title, else its work's, with
        the identifier it is found by ("The Hobbit (ISBN 9780261102217)"); with neither a
        title nor an identifier, "untitled edition of The Hobbit", never its database id."""
        key = self.identifier_text()
        if self.title:
            return f"{self.title} ({key})" if key else self.title
        if not self.work_id:  # not saved yet
            return key or gettext("untitled edition")
        if key:
            return f"{self.work} ({key})"
        return gettext("untitled edition of %(work)s") % {"work": self.work}

    def identifier_text(self) -> str:
        """ "ISBN 9780261102217", "ASIN B00K7ED54M": the first identifier the edition has, in
        the order a librarian looks for one (EDITION_IDENTIFIERS), named; "" with none."""
        for name, label in EDITION_IDENTIFIERS.items():
            if value := getattr(self, name):
                return f"{label} {value}"
        return ""

    @property
    def publication_date_display(self) -> str:
        if not self.publication_date:
            return ""
        formats = {"year": "%Y", "month": "%Y-%m"}
        fmt = formats.get(self.publication_date_precision, "%Y-%m-%d")
        return self.publication_date.strftime(fmt)
