"""API tokens: created with a key shown once, revoked by their owner."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.tokens import token_make_key


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Name the token so you can tell it apart later.")]})
    key, prefix, key_hash = token_make_key()
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, key_hash=key_hash)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
