"""verify_cover: which fetched bytes count as a cover. Pure: no database, no network."""

import hashlib
import struct
import time
import warnings
import zlib
from io import BytesIO

import pytest
from PIL import Image

from enrichment.covers import CoverRejected, RejectionReason, verify_cover
from enrichment.covers import placeholders as placeholder_facts
from tests.fixtures.covers import synthetic


def rejection(data: bytes, **kwargs) -> RejectionReason:
    with pytest.raises(CoverRejected) as caught:
        verify_cover(data, **kwargs)
    return caught.value.reason


def test_a_real_jpeg_is_a_cover_with_its_size_and_hash():
    data = synthetic.read("synthetic-cover-400x600.jpg")
    image = verify_cover(data)
    assert (image.format, image.width, image.height) == ("JPEG", 400, 600)
    assert image.sha256 == hashlib.sha256(data).hexdigest()
    assert image.byte_size == len(data)
    assert image.preview.size == (300, 450)  # the medium thumbnail's pixels


def test_a_real_png_is_a_cover():
    image = verify_cover(synthetic.read("synthetic-cover-320x480.png"))
    assert (image.format, image.width, image.height) == ("PNG", 320, 480)


def test_a_png_saved_as_jpg_is_read_as_the_png_it_is():
    image = verify_cover(
        synthetic.read("synthetic-png-named-as.jpg"), url="https://covers.example/cover.jpg"
    )
    assert image.format == "PNG"


def test_webp_and_gif_covers_are_allowed():
    picture = synthetic.cover_image(300, 450, seed=5, noise=False)
    assert verify_cover(synthetic.encode(picture, "WEBP")).format == "WEBP"
    assert verify_cover(synthetic.encode(picture.convert("P"), "GIF")).format == "GIF"


def test_a_jpeg_with_extra_pictures_is_a_jpeg():
    first, second = synthetic.cover_image(300, 450, seed=1), synthetic.cover_image(300, 450, seed=2)
    mpo = synthetic.encode(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(BytesIO(mpo)).format == "MPO"
    assert verify_cover(mpo).format == "JPEG"


def test_open_librarys_43_byte_missing_cover_gif_is_a_placeholder():
    gif = synthetic.read("synthetic-openlibrary-missing-1x1.gif")
    assert len(gif) == 43
    assert rejection(gif, url="https://covers.openlibrary.org/b/isbn/9780000000002-L.jpg") == (
        RejectionReason.PLACEHOLDER
    )


def test_any_other_1x1_gif_is_too_small():
    tiny = synthetic.encode(Image.new("P", (1, 1)), "GIF")
    assert rejection(tiny) == RejectionReason.TOO_SMALL


def test_googles_image_not_available_md5s_are_the_documented_ones():
    assert {
        "0de4383ebad0adad5eeb8975cd796657",
        "a64fa89d7ebc97075c1d363fc5fea71f",
    } == placeholder_facts.GOOGLE_PLACEHOLDER_MD5S


def test_an_image_with_a_google_placeholder_md5_is_refused(monkeypatch):
    # Google's own image is not ours to ship: list a synthetic image's MD5 instead.
    data = synthetic.cover_jpeg(128, 192, seed=9)
    listed = {*placeholder_facts.GOOGLE_PLACEHOLDER_MD5S, hashlib.md5(data).hexdigest()}
    monkeypatch.setattr(placeholder_facts, "GOOGLE_PLACEHOLDER_MD5S", frozenset(listed))
    assert rejection(data) == RejectionReason.PLACEHOLDER


@pytest.mark.parametrize(
    "url",
    [
        "https://images-na.ssl-images-amazon.com/images/I/01RmK+J4pJL._SL500_.gif",
        "https://m.media-amazon.com/images/G/01/x-site/icons/no-img-sm._CB192198896_.gif",
        "https://images-na.ssl-images-amazon.com/images/G/01/nav2/dp/no-image-avail-img-map.gif",
        "https://images-eu.ssl-images-amazon.com/images/G/02/loading-large._V1_.gif",
    ],
)
def test_amazon_placeholder_urls_are_refused_whatever_their_bytes(url):
    assert rejection(synthetic.cover_jpeg(), url=url) == RejectionReason.PLACEHOLDER


def test_a_decompression_bomb_is_refused_from_its_header_without_decoding():
    bomb = synthetic.read("synthetic-bomb-20000x20000.png")
    assert len(bomb) < 100_000  # tens of kB on disk, 400 megapixels decoded
    started = time.perf_counter()
    assert rejection(bomb) == RejectionReason.DECOMPRESSION_BOMB
    assert time.perf_counter() - started < 1.0


def progressive_jpeg_with_scans_repeated(times: int) -> bytes:
    """A synthetic 2000x3000 progressive JPEG whose last scan (a dozen bytes) comes `times`
    times more: each scan is one more pass over every block to decode."""
    out = BytesIO()
    Image.new("RGB", (2000, 3000), (120, 130, 140)).save(out, "JPEG", progressive=True)
    data = out.getvalue()
    assert data.endswith(b"\xff\xd9")
    last_scan = data[data.rindex(b"\xff\xda") : -2]
    assert len(last_scan) < 50
    return data[:-2] + last_scan * times + b"\xff\xd9"


def test_a_jpeg_of_thousands_of_scans_is_refused_before_decoding():
    # 60 kB that took 2 s of CPU to decode (a 10 MB one, minutes), and twice: verified, then
    # decoded again to store.
    bomb = progressive_jpeg_with_scans_repeated(5000)
    started = time.perf_counter()
    with pytest.raises(CoverRejected) as caught:
        verify_cover(bomb)
    assert caught.value.reason == RejectionReason.CORRUPT
    assert "5010 scans" in caught.value.message
    assert time.perf_counter() - started < 0.5


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data).to_bytes(4, "big")
    return len(data).to_bytes(4, "big") + kind + data + crc


def test_a_png_of_hundreds_of_thousands_of_chunks_is_refused_before_decoding():
    # A synthetic cover PNG with 800,000 empty private chunks (valid: a decoder skips them)
    # before its image data: 10 MB that took 21 s of CPU to verify, decode and store.
    png = synthetic.cover_png()
    bomb = png[:33] + png_chunk(b"zzZz", b"") * 800_000 + png[33:]
    started = time.perf_counter()
    with pytest.raises(CoverRejected) as caught:
        verify_cover(bomb)
    assert caught.value.reason == RejectionReason.CORRUPT
    assert "over 10000 chunks" in caught.value.message
    assert time.perf_counter() - started < 0.5


def test_a_gif_of_a_million_comments_before_its_picture_is_refused_before_decoding():
    # A synthetic cover GIF with 1.5 million one-byte comments (valid: a decoder skips them)
    # before its picture: 8 MB that took 9 s of CPU to verify, decode and store.
    gif = BytesIO()
    Image.open(BytesIO(synthetic.cover_png())).convert("P").save(gif, "GIF")
    data = gif.getvalue()
    picture = 13 + (3 << ((data[10] & 7) + 1))  # after the header and the global palette
    assert data[picture : picture + 1] == b","
    bomb = data[:picture] + b"!\xfe\x01a\x00" * 1_500_000 + data[picture:]
    started = time.perf_counter()
    with pytest.raises(CoverRejected) as caught:
        verify_cover(bomb)
    assert caught.value.reason == RejectionReason.CORRUPT
    assert "over 10000 blocks" in caught.value.message
    assert time.perf_counter() - started < 0.5
    assert verify_cover(data).format == "GIF"  # the same GIF without them is a cover


@pytest.mark.parametrize("segment", [b"\xff\xfe\x00\x02", b"\xff\xe5\x00\x02", b"\xff"])
def test_a_jpeg_of_millions_of_segments_before_its_scan_is_refused_before_decoding(segment):
    # A synthetic cover JPEG with 9 MB of empty comments, empty APP5 segments or fill bytes
    # (valid: a decoder skips them) before its picture: 19-24 s of CPU to verify, decode and
    # store.
    jpeg = synthetic.cover_jpeg()
    bomb = jpeg[:2] + segment * (9_000_000 // len(segment)) + jpeg[2:]
    started = time.perf_counter()
    with pytest.raises(CoverRejected) as caught:
        verify_cover(bomb)
    assert caught.value.reason == RejectionReason.CORRUPT
    assert "over 1000 segments" in caught.value.message
    assert time.perf_counter() - started < 0.5


def test_a_progressive_jpeg_of_usual_scans_is_a_cover():
    out = BytesIO()
    Image.open(BytesIO(synthetic.cover_jpeg())).save(out, "JPEG", progressive=True)
    assert verify_cover(out.getvalue()).format == "JPEG"


def test_pillows_bomb_warning_is_an_error_and_does_not_leak():
    # 100 Mpx: over Pillow's warning threshold (89 Mpx), under its hard error (179 Mpx).
    bomb = synthetic.decompression_bomb_png(10_000, 10_000)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert rejection(bomb) == RejectionReason.DECOMPRESSION_BOMB
    assert not [w for w in seen if issubclass(w.category, Image.DecompressionBombWarning)]


def test_cover_max_pixels_is_the_limit(settings):
    settings.COVER_MAX_PIXELS = 1_000_000
    assert rejection(synthetic.cover_jpeg(1000, 1500)) == RejectionReason.DECOMPRESSION_BOMB
    assert verify_cover(synthetic.cover_jpeg(600, 900)).width == 600


def test_verifying_leaves_pillows_global_settings_alone(settings):
    limit_before, filters_before = Image.MAX_IMAGE_PIXELS, list(warnings.filters)
    settings.COVER_MAX_PIXELS = 1_000
    with pytest.raises(CoverRejected):
        verify_cover(synthetic.cover_jpeg())
    assert limit_before == Image.MAX_IMAGE_PIXELS
    assert list(warnings.filters) == filters_before


def test_a_truncated_jpeg_is_refused():
    data = synthetic.read("synthetic-truncated-400x600.jpg")
    assert rejection(data) == RejectionReason.TRUNCATED


def test_a_truncated_png_is_refused():
    data = synthetic.cover_png()
    assert rejection(data[: len(data) // 2]) == RejectionReason.TRUNCATED


def test_a_png_with_a_bad_checksum_is_refused():
    data = bytearray(synthetic.cover_png())
    data[data.index(b"IDAT") + 100] ^= 0xFF  # the chunk's CRC no longer matches
    assert rejection(bytes(data)) == RejectionReason.CORRUPT


def test_an_svg_is_not_an_allowed_format():
    assert rejection(synthetic.read("synthetic-cover.svg")) == RejectionReason.FORMAT_NOT_ALLOWED


@pytest.mark.parametrize("image_format", ["BMP", "TIFF"])
def test_other_raster_formats_are_not_allowed(image_format):
    data = synthetic.encode(synthetic.cover_image(300, 450), image_format)
    assert rejection(data) == RejectionReason.FORMAT_NOT_ALLOWED


def test_an_html_page_is_not_an_image():
    assert rejection(synthetic.read("synthetic-html-page.html")) == RejectionReason.NOT_AN_IMAGE


def test_empty_bytes_are_not_an_image():
    assert rejection(b"") == RejectionReason.NOT_AN_IMAGE


def test_a_side_under_the_minimum_is_too_small(settings):
    settings.COVER_MIN_SIDE = 50
    assert rejection(synthetic.cover_jpeg(40, 400)) == RejectionReason.TOO_SMALL
    assert verify_cover(synthetic.cover_jpeg(60, 90)).width == 60


@pytest.mark.parametrize("size_label", ["L", "large", "extraLarge"])
def test_large_covers_must_meet_the_large_minimum(settings, size_label):
    settings.COVER_MIN_SIDE_LARGE = 150
    small_but_fine = synthetic.cover_jpeg(100, 150)
    assert verify_cover(small_but_fine, size_label="M").width == 100
    assert rejection(small_but_fine, size_label=size_label) == RejectionReason.TOO_SMALL


def test_an_open_library_large_url_implies_the_large_minimum(settings):
    settings.COVER_MIN_SIDE_LARGE = 150
    url = "https://covers.openlibrary.org/b/id/12345-L.jpg"
    assert rejection(synthetic.cover_jpeg(100, 150), url=url) == RejectionReason.TOO_SMALL


@pytest.mark.parametrize("jitter", [0, 3])
def test_a_near_uniform_single_colour_is_refused(jitter):
    assert rejection(synthetic.uniform_jpeg(jitter=jitter)) == RejectionReason.UNIFORM


def test_a_fully_transparent_png_is_uniform():
    clear = synthetic.encode(Image.new("RGBA", (300, 450), (10, 200, 10, 0)), "PNG")
    assert rejection(clear) == RejectionReason.UNIFORM


def test_a_plain_cover_with_a_small_title_is_not_uniform():
    plain = Image.new("RGB", (300, 450), "white")
    plain.paste((0, 0, 0), (40, 60, 260, 90))  # a title band
    assert verify_cover(synthetic.encode(plain, "JPEG")).format == "JPEG"


def test_exif_orientation_gives_the_size_as_displayed():
    image = verify_cover(synthetic.read("synthetic-exif-orientation-6.jpg"))
    assert (image.width, image.height) == (200, 300)
    assert image.preview.size == (200, 300)
    red, green, blue = image.preview.getpixel((100, 5))  # the band painted on top
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize("mode", ["CMYK", "L"])
def test_cmyk_and_greyscale_jpegs_are_covers_with_rgb_pixels(mode):
    picture = synthetic.cover_image(1000, 1500).convert(mode)
    image = verify_cover(synthetic.encode(picture, "JPEG"))
    assert (image.width, image.height, image.preview.mode) == (1000, 1500, "RGB")


def test_a_large_jpeg_is_decoded_at_reduced_scale_but_reports_its_full_size():
    image = verify_cover(synthetic.cover_jpeg(1000, 1500))
    assert (image.width, image.height) == (1000, 1500)
    assert image.preview.size == (300, 450)


def test_a_16_bit_greyscale_png_is_a_cover():
    ramp = Image.linear_gradient("L").resize((300, 450)).point(lambda v: v * 256, "I")
    buffer = BytesIO()
    ramp.convert("I;16").save(buffer, "PNG")
    assert verify_cover(buffer.getvalue()).format == "PNG"


def animated_png(frames: int) -> bytes:
    """A synthetic cover PNG made an animation of `frames` frames (acTL, then an fcTL before
    its image data, and for each further frame an fcTL and a one-pixel fdAT at the corner)."""
    png = synthetic.cover_png()
    width, height = Image.open(BytesIO(png)).size
    header_end = 33  # the signature and IHDR
    control = png_chunk(b"acTL", struct.pack(">II", frames, 0))
    first = png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 0, width, height, 0, 0, 1, 10, 0, 0))
    idat = png.index(b"IDAT") - 4
    iend = png.index(b"IEND") - 4
    pixel = zlib.compress(b"\x00\xff\x00\x00")  # one filter byte, one red pixel
    rest = b"".join(
        png_chunk(b"fcTL", struct.pack(">IIIIIHHBB", 2 * n - 1, 1, 1, 0, 0, 1, 10, 0, 0))
        + png_chunk(b"fdAT", struct.pack(">I", 2 * n) + pixel)
        for n in range(1, frames)
    )
    return (
        png[:header_end]
        + control
        + png[header_end:idat]
        + first
        + png[idat:iend]
        + rest
        + png[iend:]
    )


def test_an_animated_png_of_a_few_frames_is_a_cover_of_its_first():
    image = verify_cover(animated_png(3))
    assert (image.format, image.width, image.height) == ("PNG", 320, 480)


def test_an_animated_png_of_thousands_of_frames_is_refused_saying_why():
    """About 5,000 frames reach the chunk limit: a cover is one still picture, so the refusal
    stands, but the librarian is told it is an animation too long for a cover, not that the
    file is damaged."""
    started = time.perf_counter()
    with pytest.raises(CoverRejected) as caught:
        verify_cover(animated_png(6_000))
    assert caught.value.reason == RejectionReason.TOO_MANY_FRAMES
    message = caught.value.message
    assert message.startswith("an animated PNG of at least 5,000 frames:"), message
    assert "a cover is one still picture" in message
    assert "corrupt" not in message and "damaged" not in message
    assert time.perf_counter() - started < 0.5
