"""A PNG's tRNS colour key (one grey level or one RGB colour marks the transparent pixels, in
the file's bit depth) keeps its transparency through verify and store: the stored original and
both WebP thumbnails are transparent there, as the palette's tRNS always was. The pixels the key
marked came out opaque in their own colour (most often black) on every page that shows the
cover.

Each PNG is written here chunk by chunk (Pillow writes no 16-bit or 2-bit truecolour key): a
200x300 cover whose 40-pixel margin is the key colour around a striped picture.
"""

import struct
import zlib
from collections.abc import Callable
from io import BytesIO

import pytest
from django.core.files.storage import storages
from PIL import Image

from enrichment.covers import store_cover, verify_cover

WIDTH, HEIGHT, MARGIN = 200, 300, 40
pytestmark = pytest.mark.django_db


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(depth: int, colour_type: int, sample: Callable[[int, int], tuple], key: tuple) -> bytes:
    """A PNG whose margin is `key` and whose middle is sample(x, y), both as that many samples
    of `depth` bits, with tRNS naming `key`."""
    rows = []
    for y in range(HEIGHT):
        values: list[int] = []
        for x in range(WIDTH):
            inside = MARGIN <= x < WIDTH - MARGIN and MARGIN <= y < HEIGHT - MARGIN
            values += sample(x, y) if inside else key
        if depth >= 8:
            rows.append(b"\0" + b"".join(v.to_bytes(depth // 8, "big") for v in values))
        else:  # samples packed into bytes, high bits first
            bits = "".join(format(v, f"0{depth}b") for v in values)
            bits += "0" * (-len(bits) % 8)
            rows.append(b"\0" + int(bits, 2).to_bytes(len(bits) // 8, "big"))
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, depth, colour_type, 0, 0, 0)
    transparency = b"".join(v.to_bytes(2, "big") for v in key)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tRNS", transparency)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def stripes(levels: int, channels: int) -> Callable[[int, int], tuple]:
    """Diagonal stripes over the sample values 0 to levels - 2 (the keys are above them)."""
    return lambda x, y: tuple(((x + y * (c + 1)) // 7) % (levels - 1) for c in range(channels))


#: (bit depth, PNG colour type: 0 grey, 2 truecolour, the picture, the key).
SHAPES = {
    "8-bit RGB, black": (8, 2, stripes(255, 3), (0, 0, 0)),
    "8-bit RGB, a colour": (8, 2, stripes(200, 3), (250, 10, 250)),
    "16-bit RGB": (16, 2, stripes(40000, 3), (0x1234, 0xFEDC, 0xABCD)),
    "16-bit grey": (16, 0, stripes(4000, 1), (0xF234,)),
    "2-bit grey, white": (2, 0, stripes(4, 1), (3,)),
    "4-bit grey": (4, 0, stripes(10, 1), (12,)),
}


def open_stored(name: str) -> Image.Image:
    with storages["default"].open(name) as stored:
        image = Image.open(BytesIO(stored.read()))
        image.load()
    return image.convert("RGBA")


def alpha(image: Image.Image, xy: tuple[int, int]) -> int:
    return image.getchannel("A").getpixel(xy)  # type: ignore[return-value]  # one band: an int


@pytest.mark.parametrize("shape", SHAPES)
def test_a_png_colour_key_is_transparent_in_the_stored_cover_and_its_thumbnails(shape):
    image = verify_cover(png(*SHAPES[shape]))
    stored = store_cover(image)

    for name in (stored.original_name, stored.medium_name, stored.small_name):
        pixels = open_stored(name)
        width, height = pixels.size
        assert alpha(pixels, (1, 1)) == 0, (name, pixels.getpixel((1, 1)))
        assert alpha(pixels, (width - 2, height - 2)) == 0, name
        assert alpha(pixels, (width // 2, height // 2)) == 255, name
    # On the review page's white the margin is white, never black.
    preview = Image.new("RGB", image.preview.size, "white")
    preview.paste(image.preview, mask=image.preview.getchannel("A"))
    assert preview.getpixel((1, 1)) == (255, 255, 255)


def test_a_png_whose_key_colour_is_absent_stays_opaque():
    """The key names a colour no pixel has (black here): nothing turns transparent."""
    data = png(*SHAPES["8-bit RGB, a colour"])
    # The same picture, its margin a colour the tRNS chunk does not name.
    data = data.replace(chunk(b"tRNS", bytes.fromhex("00fa000a00fa")), chunk(b"tRNS", bytes(6)))
    stored = store_cover(verify_cover(data))
    assert open_stored(stored.original_name).getpixel((1, 1)) == (250, 10, 250, 255)
    assert alpha(open_stored(stored.medium_name), (1, 1)) == 255
