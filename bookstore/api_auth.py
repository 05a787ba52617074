"""The JSON API's token authentication. Its own module: DRF imports it while importing its views
(the DEFAULT_AUTHENTICATION_CLASSES setting), so it must not import them itself."""

from django.contrib.auth import get_user_model
from django.db import DatabaseError, IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
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


def token_revoked(request) -> bool:
    """Whether the token a request was authenticated by has been deleted (revoked) since, its
    row locked when it has not: a revocation then waits for this request's transaction, or was
    committed before and is seen. False for a request not made with a token (a session's)."""
    from rest_framework.authtoken.models import Token  # a model: the apps are loaded by now

    token = getattr(request, "auth", None)
    if not isinstance(token, Token):
        return False
    return not Token.objects.select_for_update().filter(key=token.key).exists()


class TokenHeldUntilDone:
    # For an endpoint whose change a revoked token must not make (a review decision): the change
    # and the check that its token still exists commit together, or neither does (a 401 saying
    # so). Authorised when it began, a decision whose token was revoked meanwhile (a leaked
    # token, a reviewer let go) was taken all the same. No docstring: the schema would describe
    # each view by it.

    def dispatch(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        try:
            with transaction.atomic():
                response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
                if response.status_code < 400 and token_revoked(self.request):  # type: ignore[attr-defined]
                    # Its user deleted takes its tokens with it: said as such.
                    gone = user_deleted_meanwhile(self.request)  # type: ignore[attr-defined]
                    transaction.set_rollback(True)
                    return self._refused(UserDeleted() if gone else TokenRevoked(), *args, **kwargs)
        except IntegrityError as exc:  # a foreign key checked at the commit (the user deleted)
            return self._refused(exc, *args, **kwargs)
        return response

    def _refused(self, exc: Exception, *args, **kwargs):
        refused = self.handle_exception(exc)  # type: ignore[attr-defined]
        return self.finalize_response(self.request, refused, *args, **kwargs)  # type: ignore[attr-defined]


class TokenRevoked(exceptions.AuthenticationFailed):
    default_detail = _lazy(
        "The token this request was made with was revoked while it ran: nothing was done. Ask "
        "for a new token."
    )


class UserDeleted(exceptions.AuthenticationFailed):
    default_detail = _lazy(
        "The user this request was made as was deleted while it ran: nothing was done."
    )


def user_deleted_meanwhile(request) -> bool:
    """Whether the user a request was authenticated as no longer exists: deleted by an admin
    while its decision ran, whose write naming it as the actor then failed its foreign key (the
    transaction rolled back). That was a 500, as if the server had a bug."""
    user = getattr(request, "user", None) if request is not None else None
    if user is None or not user.is_authenticated:
        return False
    try:
        return not get_user_model().objects.filter(pk=user.pk).exists()
    except DatabaseError:  # the database cannot say: the error stays a 500
        return False
