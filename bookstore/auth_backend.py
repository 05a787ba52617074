"""Django's model backend, reading a user's permissions in one query instead of two.

Every admin page and API call asks what the signed-in user may do. Django's ModelBackend reads
the permissions given to the user and those of their groups in two queries; here they are one
UNION, which keeps each API call within its query budget (bench/api.py). What a user may do is
unchanged: the same two sources, the same inactive, anonymous and per-object answers."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class ModelBackendOneQuery(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        if user_obj.is_superuser:  # every permission: one query already
            return super().get_all_permissions(user_obj)
        columns = ("content_type__app_label", "codename")
        own = user_obj.user_permissions.values_list(*columns).order_by()
        groups = get_user_model()._meta.get_field("groups").related_query_name()
        from_groups = Permission.objects.filter(**{f"group__{groups}": user_obj})
        from_groups = from_groups.values_list(*columns).order_by()
        user_obj._perm_cache = {f"{app}.{codename}" for app, codename in own.union(from_groups)}
        return user_obj._perm_cache
