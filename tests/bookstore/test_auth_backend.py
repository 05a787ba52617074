"""What a signed-in user may do is read in one query (bookstore.auth_backend), from the same
sources as Django's model backend: their own permissions and their groups'."""

import pytest
from django.contrib.auth.models import Group, Permission, User

pytestmark = pytest.mark.django_db


def permission(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


@pytest.fixture
def reviewer() -> User:
    user = User.objects.create_user("reviewer", is_staff=True)
    user.user_permissions.add(permission("view_work"))
    group = Group.objects.create(name="Importers")
    group.permissions.add(permission("import_books"), permission("view_work"))
    user.groups.add(group)
    return User.objects.get(pk=user.pk)  # no permission read yet


def test_own_and_group_permissions_are_read_in_one_query(reviewer, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert reviewer.has_perm("catalog.view_work")  # their own
        assert reviewer.has_perm("catalog.import_books")  # their group's
        assert not reviewer.has_perm("catalog.delete_work")
    assert reviewer.get_all_permissions() == {"catalog.view_work", "catalog.import_books"}


def test_a_user_without_groups_or_permissions_may_do_nothing(django_assert_num_queries):
    user = User.objects.create_user("newcomer", is_staff=True)
    with django_assert_num_queries(1):
        assert not user.has_perm("catalog.view_work")
        assert not user.has_module_perms("catalog")


def test_an_inactive_user_may_do_nothing_even_with_permissions(reviewer):
    reviewer.is_active = False
    assert not reviewer.has_perm("catalog.view_work")
    assert reviewer.get_all_permissions() == set()


def test_permissions_on_one_object_are_not_given_by_the_model_backend(reviewer):
    work_permission = "catalog.view_work"
    assert not reviewer.has_perm(work_permission, obj=object())


def test_a_superuser_holds_every_permission():
    admin = User.objects.create_superuser("admin", password="x")
    assert admin.has_perm("catalog.delete_work")
    assert "enrichment.change_enrichmentrequest" in admin.get_all_permissions()
