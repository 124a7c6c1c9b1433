"""The signed-in person's preferences: the language the site speaks and their time zone."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import validate_time_zone
from accounts.models import User
from accounts.selectors import contractor_for_user
from portal.dates import time_zone_name


@transaction.atomic
def user_preferences_set(
    *,
    user: User,
    language: str,
    time_zone: str | None = None,
    display_name: str | None = None,
) -> User:
    """Store the language the site speaks to ``user`` and, if given, their time zone and
    (staff) the name contractors see.

    A contractor's times follow the time zone of their application, so only
    that zone is accepted for them here.
    """
    errors: dict[str, list[str]] = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the site's languages.")]
    if time_zone is not None:
        try:
            validate_time_zone(time_zone)
        except ValidationError as exc:
            errors["time_zone"] = exc.messages
        else:
            profile = contractor_for_user(user)
            if profile is not None and time_zone != profile.time_zone:
                errors["time_zone"] = [
                    _("Your times follow the time zone of your application, %(zone)s.")
                    % {"zone": time_zone_name(profile.time_zone)}
                ]
    if display_name is not None and not user.is_staff:
        errors["display_name"] = [_("Only staff members choose the name contractors see.")]
    if errors:
        raise ValidationError(errors)
    user.language = language
    update_fields = ["language"]
    if time_zone is not None:
        user.time_zone = time_zone
        update_fields.append("time_zone")
    if display_name is not None:
        user.display_name = display_name.strip()
        update_fields.append("display_name")
    user.save(update_fields=update_fields)
    return user
