"""Test helpers shared by the provider and throttle tests: recorded bodies and a fake clock."""

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "providers"
START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC


def body(provider: str, name: str) -> bytes:
    """A recorded (or synthetic-*) body, byte for byte."""
    return (FIXTURES / provider / name).read_bytes()


def load(provider: str, name: str) -> Any:
    return json.loads(body(provider, name).decode("utf-8-sig"))


class FakeClock:
    """Epoch seconds that move only when told to, or when someone sleeps."""

    def __init__(self, start: float = START):
        self.now = start
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
