"""Cover pipeline throughput on one core: verify + thumbnails, and store, in covers per second.

    .venv/bin/python bench/covers.py [--covers 300] [--runs 5] [--seed 1]

Makes a few hundred cover-like JPEGs with Pillow (gradients, blocks, grain; 300x450 up to
1000x1500) in a temp dir, then times, on one pinned core, the median of several runs of:
  * verify + thumbnails: verify_cover() and render_thumbnails() (the goal: >= 50 covers/s);
  * store: store_cover() into a fresh temp FileSystemStorage (re-encoded original + 2 WebP);
  * two machine baselines in the same run, so figures from noisy machines can be compared:
    Pillow's full decode of the same files, and a fixed pure-Python loop.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

from machine import BENCH_SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")
os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)

import django  # noqa: E402

django.setup()

import PIL  # noqa: E402
from django.core.files.storage import FileSystemStorage  # noqa: E402
from PIL import Image, ImageDraw, features  # noqa: E402

from enrichment.covers import render_thumbnails, store_cover, verify_cover  # noqa: E402

GOAL_COVERS_PER_SECOND = 50


def make_cover_jpeg(rnd: random.Random) -> bytes:
    width = rnd.randrange(300, 1001)
    height = min(1500, max(450, round(width * rnd.uniform(1.4, 1.6))))
    background = Image.merge(
        "RGB",
        (
            Image.linear_gradient("L").rotate(rnd.choice((0, 90, 180))).resize((width, height)),
            Image.radial_gradient("L").resize((width, height)),
            Image.new("L", (width, height), rnd.randrange(256)),
        ),
    )
    draw = ImageDraw.Draw(background)
    for _ in range(rnd.randrange(4, 14)):
        x, y = rnd.randrange(width), rnd.randrange(height)
        shape = [x, y, x + rnd.randrange(10, width // 2), y + rnd.randrange(10, height // 3)]
        colour = tuple(rnd.randrange(256) for _ in range(3))
        (draw.rectangle if rnd.random() < 0.5 else draw.ellipse)(shape, fill=colour)
    draw.text((width // 10, height // 10), "BENCHMARK COVER", fill="white")
    grain = Image.frombytes("L", (width, height), rnd.randbytes(width * height))
    image = Image.blend(background, Image.merge("RGB", (grain, grain, grain)), 0.05)
    out = BytesIO()
    image.save(out, "JPEG", quality=rnd.choice((75, 85, 90)))
    return out.getvalue()


def _area(size: tuple[int, int]) -> int:
    return size[0] * size[1]


def _size(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


def cpu_loop() -> int:
    total = 0
    for i in range(1_000_000):
        total += i * i % 7
    return total


def rate(count: int, work) -> float:
    started = time.perf_counter()
    work()
    return count / (time.perf_counter() - started)


def median_rate(runs: int, count: int, work) -> tuple[float, list[float]]:
    rates = [rate(count, work) for _ in range(runs)]
    return statistics.median(rates), rates


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--covers", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    if hasattr(os, "sched_setaffinity"):  # per core: one process on one CPU
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(
        f"python {platform.python_version()}, Pillow {PIL.__version__}, "
        f"libjpeg-turbo {features.version('libjpeg_turbo') or 'no'}, "
        f"libwebp {features.version('webp') or 'no'}; pinned to one core"
    )

    rnd = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="bench-covers-") as temp:
        directory = Path(temp)
        started = time.perf_counter()
        for index in range(args.covers):
            (directory / f"cover-{index:04d}.jpg").write_bytes(make_cover_jpeg(rnd))
        files = [path.read_bytes() for path in sorted(directory.glob("cover-*.jpg"))]
        sizes = [Image.open(BytesIO(data)).size for data in files]
        megapixels = sum(w * h for w, h in sizes) / len(sizes) / 1e6
        print(
            f"{len(files)} JPEGs made in {time.perf_counter() - started:.1f} s: "
            f"{_size(min(sizes, key=_area))} to {_size(max(sizes, key=_area))}, "
            f"mean {megapixels:.2f} MP, "
            f"mean {sum(map(len, files)) / len(files) / 1024:.0f} KiB"
        )

        def decode_all():
            for data in files:
                Image.open(BytesIO(data)).load()

        def verify_and_thumbnail_all():
            for data in files:
                render_thumbnails(verify_cover(data, size_label="L"))

        verified = [verify_cover(data) for data in files]
        store_runs = iter(range(args.runs * 2))

        def store_all():
            storage = FileSystemStorage(location=directory / f"store-{next(store_runs)}")
            for image in verified:
                store_cover(image, storage=storage)

        verify_and_thumbnail_all()  # warm up (plugin imports, caches)
        loop_rate, loop_rates = median_rate(args.runs, 1, cpu_loop)
        decode_rate, decode_rates = median_rate(args.runs, len(files), decode_all)
        cover_rate, cover_rates = median_rate(args.runs, len(files), verify_and_thumbnail_all)
        store_rate, store_rates = median_rate(args.runs, len(files), store_all)

    def runs(rates):
        return ", ".join(f"{value:.1f}" for value in rates)

    print(f"median of {args.runs} runs (each run's figure in brackets):")
    print(f"  baseline, fixed CPU loop:      {loop_rate:8.2f} loops/s  [{runs(loop_rates)}]")
    print(f"  baseline, Pillow full decode:  {decode_rate:8.1f} images/s [{runs(decode_rates)}]")
    print(f"  verify + thumbnails:           {cover_rate:8.1f} covers/s [{runs(cover_rates)}]")
    print(f"  store (original + 2 WebP):     {store_rate:8.1f} covers/s [{runs(store_rates)}]")
    print(
        f"  ratios: verify+thumbnails / full decode = {cover_rate / decode_rate:.2f}; "
        f"covers per CPU-loop time = {cover_rate / loop_rate:.1f}"
    )
    verdict = "meets" if cover_rate >= GOAL_COVERS_PER_SECOND else "MISSES"
    print(f"verify + thumbnails {verdict} the goal of {GOAL_COVERS_PER_SECOND} covers/s per core")


if __name__ == "__main__":
    main()
