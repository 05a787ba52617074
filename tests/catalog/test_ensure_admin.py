import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

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


@pytest.mark.parametrize(
    ("username", "says"),
    [
        ("", "--username '' cannot be a user's name: This field cannot be blank."),
        ("a b", "--username 'a b' cannot be a user's name: Enter a valid username."),
        ("x" * 151, "Ensure this value has at most 150 characters (it has 151)."),
    ],
)
def test_a_name_that_cannot_be_a_users_is_refused_and_nobody_is_created(username, says):
    # An empty name stopped the command with a ValueError's traceback; "a b" made a superuser
    # the admin's own user form would refuse.
    with pytest.raises(CommandError) as refused:
        call_command("ensure_admin", "--username", username)
    assert says in str(refused.value)
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"is_superuser": False}, {"is_superuser": True, "is_active": False}]
)
def test_an_existing_account_that_cannot_log_in_as_a_superuser_is_said_and_left_alone(
    capsys, fields
):
    # It said "Log in as 'admin' with its existing password.", and the login page refused it.
    User.objects.create_user("admin", password="pw", **fields)
    with pytest.raises(CommandError) as refused:
        call_command("ensure_admin")
    assert refused.value.returncode == 1
    assert "'admin' exists but is not an active superuser" in str(refused.value)
    assert "Log in as" not in capsys.readouterr().out
    admin = User.objects.get()
    assert (admin.is_superuser, admin.is_active) == (
        fields["is_superuser"],
        fields.get("is_active", True),
    )
