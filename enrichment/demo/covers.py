"""Cover images for the demo provider, drawn with Pillow and visibly marked DEMO.

No real cover is bundled (their rights are the publishers'): each image is drawn from the book's
title, in the sizes Open Library serves, so that it passes the real cover verifier like a real
cover would. Pillow's bundled font draws plain ASCII letters only: accents are dropped, and a
title in another script shows the cover's id instead.
"""

import hashlib
import textwrap
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from catalog.text import strip_accents

#: Open Library's sizes: L (what the pipeline asks for first), M and S.
SIZES = {"L": (400, 600), "M": (180, 270), "S": (60, 90)}


def demo_cover_jpeg(*, title: str, key: str, size: str = "L") -> bytes:
    """A JPEG cover for `title` (drawn differently for each `key`), marked DEMO."""
    width, height = SIZES.get(size, SIZES["L"])
    digest = hashlib.sha256(key.encode()).digest()
    top, bottom = tuple(digest[:3]), tuple(digest[3:6])
    image = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), _darker(bottom)),
        Image.new("RGB", (width, height), _darker(top)),
        image,
    )
    draw = ImageDraw.Draw(image)
    # Diagonal stripes, so no one mistakes it for a publisher's cover.
    for x in range(-height, width, max(width // 8, 6)):
        draw.line([(x, height), (x + height, 0)], fill=_lighter(top), width=max(width // 40, 1))
    band = (0, height // 12, width, height // 12 + height // 4)
    draw.rectangle(band, fill=(255, 255, 255))
    demo_font = ImageFont.load_default(size=max(width // 4, 10))
    draw.text(
        (width // 2, (band[1] + band[3]) // 2),
        "DEMO",
        font=demo_font,
        fill=(200, 0, 0),
        anchor="mm",
    )
    label = strip_accents(title or "")
    if not label.isascii():
        label = key.split(":", 1)[-1]
    lines = textwrap.wrap(label, width=16)[:5]
    title_size = max(width // 13, 6)
    title_font = ImageFont.load_default(size=title_size)
    y = band[3] + height // 12
    for line in lines:
        draw.text((width // 2, y), line, font=title_font, fill=(255, 255, 255), anchor="ma")
        y += title_size * 5 // 4
    note_font = ImageFont.load_default(size=max(width // 28, 5))
    draw.text(
        (width // 2, height - height // 20),
        "cover drawn by the demo provider",
        font=note_font,
        fill=(255, 255, 255),
        anchor="md",
    )
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _darker(colour: tuple[int, ...]) -> tuple[int, int, int]:
    red, green, blue = (40 + value * 120 // 255 for value in colour[:3])
    return red, green, blue


def _lighter(colour: tuple[int, ...]) -> tuple[int, int, int]:
    red, green, blue = (90 + value * 120 // 255 for value in colour[:3])
    return red, green, blue
