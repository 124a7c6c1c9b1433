from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.models import ApiToken
from accounts.tokens import token_matches, token_split

LAST_USED_GRANULARITY = timedelta(minutes=1)


class HashedTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` against hashed, revocable tokens."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        prefix = token_split(key)
        token = (
            ApiToken.objects.select_related("user").filter(prefix=prefix).first()
            if prefix
            else None
        )
        if token is None or not token_matches(key, token.key_hash):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        now = timezone.now()
        # One write a minute per token is enough to show when it was last used.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword
