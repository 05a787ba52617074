"""The catalog: works, their editions, and the people who made them.

A Work is the abstract book ("Neverwhere"); an Edition is one published form of it with its own
ISBN, publisher and cover. A Work shows its own cover or, failing that, one of its editions'.
"""

from django.db import models
from django.db.models import Q

from catalog import text


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class CoverFields(models.Model):
    """A verified cover image: only bytes that were fetched and checked count as a cover."""

    cover = models.ImageField(upload_to="covers/", blank=True, max_length=255)
    cover_thumbnail = models.ImageField(
        upload_to="covers/", blank=True, max_length=255, help_text="Small WebP for lists."
    )
    cover_source = models.CharField(
        max_length=32, blank=True, help_text="The provider the image came from."
    )
    cover_source_url = models.URLField(max_length=1000, blank=True)
    cover_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    cover_width = models.PositiveIntegerField(null=True, blank=True)
    cover_height = models.PositiveIntegerField(null=True, blank=True)
    cover_verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def has_cover(self) -> bool:
        return bool(self.cover)


class Author(TimeStampedModel):
    name = models.CharField(max_length=255)
    sort_name = models.CharField(max_length=255, blank=True, help_text="e.g. 'Gaiman, Neil'")
    name_normalized = models.CharField(max_length=255, db_index=True, editable=False)
    birth_year = models.SmallIntegerField(null=True, blank=True)
    death_year = models.SmallIntegerField(null=True, blank=True)
    bio = models.TextField(blank=True)
    # Unique identifiers are NULL when unknown (not ""), so a plain unique index serves lookups.
    openlibrary_key = models.CharField(
        "Open Library author key",
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text="e.g. OL23919A",
    )
    wikidata_id = models.CharField("Wikidata id", max_length=32, blank=True)
    goodreads_author_id = models.CharField("Goodreads author id", max_length=32, blank=True)

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
        indexes = [models.Index(fields=["wikidata_id"], name="author_wikidata_idx")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A denormalized lookup key, not business logic: it must never drift from the name.
        self.name_normalized = text.normalize_person_name(self.name)
        super().save(*args, **kwargs)


class Work(TimeStampedModel, CoverFields):
    title = models.CharField(max_length=500)
    subtitle = models.CharField(max_length=500, blank=True)
    title_normalized = models.CharField(max_length=500, db_index=True, editable=False)
    series = models.CharField(max_length=255, blank=True)
    series_number = models.CharField(max_length=16, blank=True)
    description = models.TextField(blank=True)
    first_published_year = models.SmallIntegerField(null=True, blank=True)
    subjects = models.JSONField(default=list, blank=True)
    authors = models.ManyToManyField(Author, through="WorkAuthor", related_name="works")
    openlibrary_work_key = models.CharField(
        "Open Library work key",
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text="e.g. OL27258W",
    )

    class Meta:
        ordering = ["title_normalized", "id"]

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
        return field.attr_class(self, field, name)


class WorkAuthor(TimeStampedModel):
    """An ordered credit: who did what on a work (author, translator, narrator, ...)."""

    class Role(models.TextChoices):
        AUTHOR = "author", "Author"
        TRANSLATOR = "translator", "Translator"
        NARRATOR = "narrator", "Narrator"
        ILLUSTRATOR = "illustrator", "Illustrator"
        EDITOR = "editor", "Editor"
        CONTRIBUTOR = "contributor", "Contributor"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="credits")
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["work", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["work", "author", "role"], name="workauthor_unique_credit"
            ),
        ]

    def __str__(self):
        return f"{self.author} ({self.get_role_display()})"


class Edition(TimeStampedModel, CoverFields):
    class Format(models.TextChoices):
        HARDCOVER = "hardcover", "Hardcover"
        PAPERBACK = "paperback", "Paperback"
        MASS_MARKET = "mass_market", "Mass market paperback"
        EBOOK = "ebook", "E-book"
        AUDIOBOOK = "audiobook", "Audiobook"
        OTHER = "other", "Other"

    class DatePrecision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="editions")
    isbn13 = models.CharField("ISBN-13", max_length=13, null=True, blank=True, unique=True)
    isbn10 = models.CharField("ISBN-10", max_length=10, blank=True)
    asin = models.CharField("ASIN", max_length=10, blank=True)
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
    language = models.CharField(max_length=16, blank=True, help_text="ISO 639 code, e.g. 'en'")
    openlibrary_edition_key = models.CharField(
        "Open Library edition key",
        max_length=32,
        null=True,
        blank=True,
        unique=True,
        help_text="e.g. OL7353617M",
    )
    google_books_id = models.CharField("Google Books id", max_length=32, blank=True)
    goodreads_book_id = models.CharField("Goodreads book id", max_length=32, blank=True)

    class Meta:
        ordering = ["work", "publication_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(isbn13__isnull=True) | Q(isbn13__regex=r"^97[89][0-9]{10}$"),
                name="edition_isbn13_shape",
            ),
            models.CheckConstraint(
                condition=Q(isbn10="") | Q(isbn10__regex=r"^[0-9]{9}[0-9X]$"),
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
        ]

    def __str__(self):
        label = self.title or f"Edition {self.pk}"
        return f"{label} ({self.isbn13})" if self.isbn13 else label

    @property
    def publication_date_display(self) -> str:
        if not self.publication_date:
            return ""
        formats = {"year": "%Y", "month": "%Y-%m"}
        fmt = formats.get(self.publication_date_precision, "%Y-%m-%d")
        return self.publication_date.strftime(fmt)
