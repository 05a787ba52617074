import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_creates_admin_with_a_generated_password_printed_once(capsys, monkeypatch):
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    call_command("ensure_admin")
    first = capsys.readouterr().out
    password = first.split("password: ")[1].split()[0]
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)

    call_command("ensure_admin")
    second = capsys.readouterr().out
    assert password not in second
    assert User.objects.filter(username="admin").count() == 1


def test_uses_admin_password_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("ADMIN_PASSWORD", "correct horse battery")
    call_command("ensure_admin")
    assert "correct horse battery" not in capsys.readouterr().out
    assert User.objects.get(username="admin").check_password("correct horse battery")
