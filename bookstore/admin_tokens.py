"""API tokens in the admin, without handing one user another's credential.

DRF's TokenAdmin lists every key to anyone who may view tokens and lets anyone who may add one
make it for any user, a superuser included: a staff user given "Can add token" to make their own
could act as the superuser through the API. Here a superuser manages everyone's tokens; any
other user sees, makes and deletes only their own."""

from django.contrib.auth import get_user_model
from rest_framework.authtoken.admin import TokenAdmin


class OwnTokensAdmin(TokenAdmin):
    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = get_user_model().objects.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
