"""The management commands that take --json: what they print on stdout is one JSON object, on
failure too, so that a script reading stdout always has one to read."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext


class JsonCommand(BaseCommand):
    """A command whose `--json` (option `json`) prints one object on stdout: its summary through
    `write_json`, or, when it stops with a CommandError before writing one (a file missing, a
    month that is not one), `{"error": message}`; the message is on stderr too and the exit
    status non-zero either way. A summary written before the error (a job that failed, a dump
    refused) is the one object: no second one follows. Arguments argparse refuses (exit status
    2, usage on stderr) never reach the command: nothing is written on stdout for them. An
    unexpected error (the database gone, a storage refusing) is said the same way, its
    traceback on stderr as Django prints it."""

    json_written = False

    def write_json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False))
        self.json_written = True

    def execute(self, *args, **options):
        self.json_written = False
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if options.get("json") and not self.json_written:
                self.write_json({"error": str(exc)})
            raise
        except Exception as exc:
            if options.get("json") and not self.json_written:
                message = gettext("The command stopped on an unexpected error: %(error)s")
                self.write_json({"error": message % {"error": f"{type(exc).__name__}: {exc}"}})
            raise
