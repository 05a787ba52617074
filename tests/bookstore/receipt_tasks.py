"""A task for tests/bookstore/test_receipt_worker_death.py, run by a real qcluster."""

import os
import time
from pathlib import Path


def hold_first_run(marker_dir: str) -> str:
    """The first run writes its worker's pid to `held` and holds until its worker is killed;
    a later run writes its own pid to `done`."""
    directory = Path(marker_dir)
    held = directory / "held"
    if not held.exists():
        held.write_text(str(os.getpid()))
        time.sleep(120)
    (directory / "done").write_text(str(os.getpid()))
    return "done"
