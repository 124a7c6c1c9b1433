from django.conf import settings
from django.http import HttpRequest

from portal.notifications.selectors import NotificationBell


def site(request: HttpRequest) -> dict:
    return {"SITE_NAME": settings.SITE_NAME}


def notifications(request: HttpRequest) -> dict:
    """The header's bell; it counts (one query) only when a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": NotificationBell(user)}
