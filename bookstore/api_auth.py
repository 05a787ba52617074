"""The JSON API's token authentication. Its own module: DRF imports it while importing its views
(the DEFAULT_AUTHENTICATION_CLASSES setting), so it must not import them itself."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, with a key holding a NUL byte refused as the invalid token it is (DRF's message),
    before PostgreSQL is asked: it refuses such text in a query, a 500. Real keys are hex."""

    def authenticate_credentials(self, key: str):
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
