"""Create the `admin` superuser once, for `make run` on a fresh machine."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create the superuser 'admin' if it does not exist. The password comes from "
        "ADMIN_PASSWORD, or is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--username", default="admin", help="The superuser's name (default: admin)."
        )

    def handle(self, *args, username, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Log in as '{username}' with its existing password.")
            return
        given = os.environ.get("ADMIN_PASSWORD", "")
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if given:
            self.stdout.write(f"Created superuser '{username}' (password from ADMIN_PASSWORD).")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Created superuser '{username}' with password: {password}")
                + "\nThis password is shown only once: keep it (or set ADMIN_PASSWORD next time)."
            )
