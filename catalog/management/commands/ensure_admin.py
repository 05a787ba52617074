"""Create the `admin` superuser once, for `make run` on a fresh machine."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Field
from django.utils.translation import gettext


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
        try:
            # The rules the admin's user form keeps (not empty, at most 150 characters, letters,
            # digits and @.+-_): an empty name stopped the command with a traceback.
            field = User._meta.get_field(User.USERNAME_FIELD)
            assert isinstance(field, Field)
            username = field.clean(username, None)
        except ValidationError as exc:
            raise CommandError(
                gettext("--username %(name)r cannot be a user's name: %(why)s")
                % {"name": username, "why": " ".join(exc.messages)}
            ) from exc
        existing = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if existing is not None:
            if not (existing.is_active and existing.is_superuser):
                # Told to log in, a person met "enter the correct username and password for a
                # staff account": the account is not made a superuser behind anyone's back.
                raise CommandError(
                    gettext(
                        "'%(name)s' exists but is not an active superuser, so it cannot log in "
                        "to the admin as one: make it one (manage.py shell, or another "
                        "superuser in the admin), or give another --username."
                    )
                    % {"name": username}
                )
            self.stdout.write(
                gettext("Log in as '%(name)s' with its existing password.") % {"name": username}
            )
            return
        given = os.environ.get("ADMIN_PASSWORD", "")
        password = given or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        if given:
            self.stdout.write(
                gettext("Created superuser '%(name)s' (password from ADMIN_PASSWORD).")
                % {"name": username}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    gettext("Created superuser '%(name)s' with password: %(password)s")
                    % {"name": username, "password": password}
                )
                + "\n"
                + gettext(
                    "This password is shown only once: keep it (or set ADMIN_PASSWORD next time)."
                )
            )
