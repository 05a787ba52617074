"""A small progress bar for management commands: drawn only on a terminal, never in --json."""

import sys
import time


class TerminalProgress:
    def __init__(
        self, total: int, *, label: str = "", unit: str = "rows", stream=None, enabled=None
    ):
        self.total = max(total, 0)
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.started = time.monotonic()
        self._last_draw = 0.0
        self.done = 0

    def update(self, done: int, *, force: bool = False) -> None:
        self.done = done
        now = time.monotonic()
        if not self.enabled or (not force and now - self._last_draw < 0.1):
            return
        self._last_draw = now
        self.stream.write("\r" + self.render(now) + "\033[K")
        self.stream.flush()

    def render(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        rate = self.done / elapsed
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        width = 30
        bar = "#" * int(fraction * width) + "-" * (width - int(fraction * width))
        eta = (self.total - self.done) / rate if rate and self.total else 0
        return (
            f"{self.label}[{bar}] {fraction:4.0%} {self.done:,}/{self.total:,} {self.unit}"
            f"  {rate:,.0f}/s  ETA {int(eta // 60)}:{int(eta % 60):02d}"
        )

    def close(self) -> None:
        if self.enabled:
            self.update(self.done, force=True)
            self.stream.write("\n")
            self.stream.flush()
