"""The JSON API's token authentication. Its own module: DRF imports it while importing its views
(the DEFAULT_AUTHENTICATION_CLASSES setting), so it must not import them itself."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's, with a key holding a NUL byte refused as the invalid token it is (DRF's message),
    before PostgreSQL is asked: it refuses such text in a query, a 500. Real keys are hex. And an
    Authorization header sent twice (a client's default and its own, or a proxy's), which the
    server hands on joined by a comma, is said so: DRF said "Token string should not contain
    spaces", which no key sent did."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if header.split(b" ", 1)[0].lower() == self.keyword.lower().encode() and b"," in header:
            raise exceptions.AuthenticationFailed(
                _(
                    "Authorization was sent more than once, or with more than one credential: "
                    'send one header, "Authorization: Token <key>".'
                )
            )
        return super().authenticate(request)

    def authenticate_credentials(self, key: str):
        if "\x00" in key:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(key)
