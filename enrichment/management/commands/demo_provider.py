"""manage.py demo_provider [--port N] [--cover-delay SECONDS]: the demo's local provider."""

from django.core.management.base import BaseCommand, CommandError

from bookstore.command_args import non_negative_seconds, port_number
from enrichment.demo.server import DemoProviderServer


class Command(BaseCommand):
    help = (
        "Serve the demo provider (make demo) on 127.0.0.1: Open Library's and Google Books' "
        "answers from recorded bodies, and cover images marked DEMO. Ctrl-C stops it."
    )
    requires_system_checks = []  # a stand-in web service: it reads no settings or database

    def add_arguments(self, parser):
        parser.add_argument(
            "--port", type=port_number, default=0, help="0 (the default): a free port."
        )
        parser.add_argument(
            "--cover-delay",
            type=non_negative_seconds,
            default=0.0,
            help="Seconds to wait before each cover image, so covers visibly arrive one by one.",
        )

    def handle(self, *args, port, cover_delay, **options):
        try:
            server = DemoProviderServer(port=port, cover_delay=cover_delay)
        except OSError as exc:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror}.") from None
        self.stdout.write(f"Demo provider serving on {server.url}", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
