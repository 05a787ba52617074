"""Is this byte string a real cover? Pure: bytes in, a VerifiedImage or CoverRejected out.

Every downloaded image is hostile until proved otherwise: only JPEG, PNG, WebP and GIF are
opened, the pixel count (and a JPEG's number of scans) is checked before anything is decoded,
Pillow's decompression-bomb warning is an error, `verify()` runs before a fresh decode (which fails
on a truncated file), and known placeholders, tiny and near-uniform images are refused.
"""

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from io import BytesIO

from django.conf import settings
from PIL import ExifTags, Image, ImageOps, ImageStat, UnidentifiedImageError

from enrichment.covers import placeholders
from enrichment.covers.errors import CoverRejected, RejectionReason

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
#: The preview kept in memory is the medium thumbnail's pixels: at most this box, never upscaled.
PREVIEW_BOX = (300, 600)
#: Size labels whose images must meet COVER_MIN_SIDE_LARGE (Open Library "L", Google "large").
LARGE_SIZE_LABELS = frozenset({"l", "large", "extralarge"})
#: Below this standard deviation on every RGB band (0-255) an image is one flat colour.
UNIFORM_MAX_STDDEV = 4.0
#: More scans than any encoder writes (libjpeg's progressive default is 10; a phone's extra
#: pictures and an EXIF thumbnail add theirs). Each scan is a pass over every block of the image:
#: a 1 MB file of tiny repeated scans took 38 s of CPU to decode, a 10 MB one minutes.
MAX_JPEG_SCANS = 100
#: Segments (and fill bytes) before a JPEG's first scan are read one by one in Python: 2 million
#: empty comments in 9 MB took 19 s. A camera's JPEG has a few dozen (ICC and EXIF included).
MAX_JPEG_SEGMENTS = 1_000
#: A PNG's chunks are read one by one in Python, three times (verify, decode, store): 800,000
#: empty ones in 10 MB took 21 s. Encoders write a handful, and image data in pieces of 8 kB+.
#: An animated PNG has two per frame, so this refuses one of about 5,000 frames: a cover is one
#: still picture (only the first frame is kept), and no cover needs an animation that long.
MAX_PNG_CHUNKS = 10_000
#: A GIF's blocks before its first picture are read one by one in Python too: 1.5 million empty
#: comments in 8 MB took 9 s. A GIF has a few (a loop count, a frame's timing, XMP's ~300).
MAX_GIF_BLOCKS = 10_000
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_OPENLIBRARY_LARGE_URL = re.compile(r"-L\.jpg$", re.IGNORECASE)


@dataclass(frozen=True, eq=False, slots=True)
class VerifiedImage:
    """Fetched bytes that passed every check; not stored yet."""

    data: bytes  # exactly as fetched
    sha256: str  # of `data`: the stored files' name
    format: str  # "JPEG", "PNG", "WEBP" or "GIF", from the bytes (never the URL or headers)
    width: int  # as displayed, after EXIF orientation
    height: int
    # Oriented RGB/RGBA pixels fitted into PREVIEW_BOX, decoded at reduced scale for JPEG.
    preview: Image.Image = field(repr=False)

    @property
    def byte_size(self) -> int:
        return len(self.data)


def verify_cover(data: bytes, *, url: str = "", size_label: str = "") -> VerifiedImage:
    """Check fetched bytes; `url` and `size_label` ("L", "large", ...) tighten the checks."""
    if not data:
        raise CoverRejected(RejectionReason.NOT_AN_IMAGE, "no bytes")
    known_placeholder = placeholders.placeholder_url_reason(url)
    known_placeholder = known_placeholder or placeholders.placeholder_bytes_reason(data)
    if known_placeholder:
        raise CoverRejected(RejectionReason.PLACEHOLDER, known_placeholder)
    if not size_label and _OPENLIBRARY_LARGE_URL.search(url.split("?", 1)[0]):
        size_label = "L"
    # Scoped to this call: Pillow's warning for oversized images must stop the decode here.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _verify(data, size_label)
        except CoverRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise CoverRejected(RejectionReason.DECOMPRESSION_BOMB, str(error)) from None
        except Exception as error:  # Pillow raises many types on hostile input
            if isinstance(error, EOFError) or "truncated" in str(error).lower():
                raise CoverRejected(RejectionReason.TRUNCATED, str(error) or "truncated") from None
            raise CoverRejected(
                RejectionReason.CORRUPT, f"{type(error).__name__}: {error}"
            ) from None


def _verify(data: bytes, size_label: str) -> VerifiedImage:
    _refuse_costly_structure(data)  # before Pillow reads a header: that reads PNG chunks too
    header = _open(data, ALLOWED_FORMATS)
    # Pillow names a JPEG with extra pictures (phones' depth maps) "MPO"; its first is the JPEG.
    image_format = "JPEG" if header.format == "MPO" else header.format
    if image_format is None:  # only images made in memory lack one; never a file Pillow opened
        raise CoverRejected(RejectionReason.NOT_AN_IMAGE, "no image format")
    width, height = header.size
    # Pillow's own limit is process-wide; ours (COVER_MAX_PIXELS) is checked per image.
    if width * height > settings.COVER_MAX_PIXELS:
        raise CoverRejected(
            RejectionReason.DECOMPRESSION_BOMB,
            f"{width}x{height} is over {settings.COVER_MAX_PIXELS} pixels",
        )
    min_side = settings.COVER_MIN_SIDE
    if size_label.strip().lower() in LARGE_SIZE_LABELS:
        min_side = max(min_side, settings.COVER_MIN_SIDE_LARGE)
    if min(width, height) < min_side:
        raise CoverRejected(
            RejectionReason.TOO_SMALL, f"{width}x{height}, under {min_side} px a side"
        )
    header.verify()  # structure and checksums; the image cannot be decoded after this
    image = _open(data, (image_format,))
    if image_format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale (still reading every byte, so truncation shows).
        image.draft("RGB", (PREVIEW_BOX[0], PREVIEW_BOX[0]))
    image.load()
    if image.getexif().get(ExifTags.Base.Orientation, 1) in _SWAPPING_ORIENTATIONS:
        width, height = height, width
    preview = display_pixels(image, data)
    preview.thumbnail(PREVIEW_BOX, Image.Resampling.LANCZOS)
    if _is_uniform(preview):
        raise CoverRejected(RejectionReason.UNIFORM, "a near-uniform single colour")
    return VerifiedImage(
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        format=image_format,
        width=width,
        height=height,
        preview=preview,
    )


def _refuse_costly_structure(data: bytes) -> None:
    """CORRUPT for a file whose pixels are few but whose structure takes minutes to read."""
    if data.startswith(b"\xff\xd8"):  # JPEG
        # A marker's 0xFF is never unescaped inside entropy-coded data: this counts every scan.
        scans = data.count(b"\xff\xda")
        if scans > MAX_JPEG_SCANS:
            raise CoverRejected(
                RejectionReason.CORRUPT, f"a JPEG of {scans} scans, over {MAX_JPEG_SCANS}"
            )
        if _jpeg_segments_before_scan(data, stop_after=MAX_JPEG_SEGMENTS) > MAX_JPEG_SEGMENTS:
            raise CoverRejected(
                RejectionReason.CORRUPT,
                f"a JPEG of over {MAX_JPEG_SEGMENTS} segments before its first scan",
            )
    is_png = data.startswith(b"\x89PNG\r\n\x1a\n")
    chunks, frames = _png_chunk_count(data, stop_after=MAX_PNG_CHUNKS) if is_png else (0, 0)
    if chunks > MAX_PNG_CHUNKS and frames * 3 >= chunks:  # most of them are its frames'
        raise CoverRejected(
            RejectionReason.TOO_MANY_FRAMES,
            f"an animated PNG of at least {frames:,} frames: a cover is one still picture "
            f"(only its first frame would be kept), and one of over {MAX_PNG_CHUNKS:,} chunks "
            "takes seconds to read",
        )
    if chunks > MAX_PNG_CHUNKS:
        raise CoverRejected(RejectionReason.CORRUPT, f"a PNG of over {MAX_PNG_CHUNKS} chunks")
    is_gif = data[:6] in (b"GIF87a", b"GIF89a")
    if is_gif and _gif_blocks_before_picture(data, stop_after=MAX_GIF_BLOCKS) > MAX_GIF_BLOCKS:
        raise CoverRejected(
            RejectionReason.CORRUPT, f"a GIF of over {MAX_GIF_BLOCKS} blocks before its picture"
        )


def _jpeg_segments_before_scan(data: bytes, *, stop_after: int) -> int:
    """How many segments and fill bytes come before the first scan (counting stops past
    `stop_after`; at anything not a marker too, left to Pillow to refuse)."""
    position, count = 2, 0
    while position + 4 <= len(data) and data[position] == 0xFF and count <= stop_after:
        marker = data[position + 1]
        if marker == 0xDA:  # the first scan
            break
        if marker == 0xFF or marker == 0x01 or 0xD0 <= marker <= 0xD7:  # fill, TEM, RSTn
            position += 1 if marker == 0xFF else 2
        else:
            position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        count += 1
    return count


def _png_chunk_count(data: bytes, *, stop_after: int) -> tuple[int, int]:
    """How many chunks follow the signature, and how many of them start an animation's frame
    (fcTL), counting stops past `stop_after`."""
    position, count, frames = 8, 0, 0
    while position + 8 <= len(data) and count <= stop_after:
        frames += data[position + 4 : position + 8] == b"fcTL"
        position += 12 + int.from_bytes(data[position : position + 4], "big")
        count += 1
    return count, frames


def _gif_blocks_before_picture(data: bytes, *, stop_after: int) -> int:
    """How many extension blocks and their sub-blocks come before the first picture (counting
    stops past `stop_after`)."""
    position, count = 13, 0
    if len(data) > 10 and data[10] & 0x80:  # a global colour table follows the screen
        position += 3 << ((data[10] & 7) + 1)
    while position < len(data) and data[position] == 0x21 and count <= stop_after:
        position += 2  # the introducer and the label, then sub-blocks up to an empty one
        while position < len(data) and data[position] and count <= stop_after:
            position += 1 + data[position]
            count += 1
        position += 1
        count += 1
    return count


def display_pixels(image: Image.Image, data: bytes) -> Image.Image:
    """The image as shown: EXIF orientation applied, RGB (RGBA when it has transparency, a
    PNG's tRNS colour included). `image` is `data` decoded.

    Works in place on `image` where it can (a freshly decoded image nobody else holds)."""
    ImageOps.exif_transpose(image, in_place=True)
    oriented = image
    if oriented.mode == "RGBA" or (oriented.mode == "RGB" and not oriented.has_transparency_data):
        return oriented
    if oriented.mode.startswith("I"):  # 16-bit greyscale PNG
        oriented = oriented.point(lambda value: value / 256).convert("L")
    _scale_png_colour_key(oriented, data)
    return oriented.convert("RGBA" if oriented.has_transparency_data else "RGB")


def _scale_png_colour_key(image: Image.Image, data: bytes) -> None:
    """A greyscale or truecolour PNG's tRNS colour in the 8-bit samples Pillow decodes.

    The chunk gives it in the file's bit depth, and Pillow keeps it so: a 16-bit key (4660 for
    0x1234) matched no 8-bit pixel and a 2- or 4-bit grey (3 for white) the wrong one, so the
    cover's transparent parts came out in their colour, often black. A 16-bit key becomes its
    high byte, as the pixels do (so colours within 1/256 of it are transparent too)."""
    key = image.info.get("transparency")
    bits = data[24] if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 24 else 8
    if image.mode not in ("L", "RGB") or bits == 8 or not isinstance(key, int | tuple):
        return
    if bits == 16:
        image.info["transparency"] = _map_key(key, lambda sample: sample >> 8)
    elif bits in (1, 2, 4):  # Pillow scales a grey sample to 0-255: 2 bits give 0, 85, 170, 255
        image.info["transparency"] = _map_key(key, lambda sample: sample * 255 // (2**bits - 1))


def _map_key(key, scale):
    return tuple(scale(sample) for sample in key) if isinstance(key, tuple) else scale(key)


def _open(data: bytes, formats: tuple[str, ...]) -> Image.Image:
    try:
        return Image.open(BytesIO(data), formats=formats)
    except UnidentifiedImageError:
        other = _other_format(data)
        if other:
            raise CoverRejected(RejectionReason.FORMAT_NOT_ALLOWED, other) from None
        raise CoverRejected(RejectionReason.NOT_AN_IMAGE, "not a JPEG, PNG, WebP or GIF") from None


def _other_format(data: bytes) -> str:
    """Name an image format we refuse, from its signature ("" when it is not one we know)."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head and b"<html" not in head:
        return "SVG"
    signatures = {
        b"BM": "BMP",
        b"II*\x00": "TIFF",
        b"MM\x00*": "TIFF",
        b"\x00\x00\x01\x00": "ICO",
        b"%PDF": "PDF",
        b"\xff\x0a": "JPEG XL",
        b"\x00\x00\x00\x0cjXL ": "JPEG XL",
        b"\x00\x00\x00\x0cjP  ": "JPEG 2000",
    }
    for signature, name in signatures.items():
        if data.startswith(signature):
            return name
    if data[4:8] == b"ftyp":
        return "AVIF/HEIF"
    return ""


def _is_uniform(preview: Image.Image) -> bool:
    if preview.mode == "RGBA":  # judge what a reader sees: transparency over white
        flattened = Image.new("RGB", preview.size, "white")
        flattened.paste(preview, mask=preview.getchannel("A"))
        preview = flattened
    return max(ImageStat.Stat(preview).stddev) < UNIFORM_MAX_STDDEV
