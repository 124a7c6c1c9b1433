"""Deployment checks for the support desk (``manage.py check --deploy``)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

W001 = "support.W001"


@register(Tags.security, deploy=True)
def check_inbound_sender_authentication(**kwargs: Any) -> list[CheckMessage]:
    if not settings.SUPPORT_INBOUND_DOMAIN or settings.SUPPORT_INBOUND_AUTHSERV_ID:
        return []
    return [
        Warning(
            "Replies to support answers by email are on, but SUPPORT_INBOUND_AUTHSERV_ID is "
            "not set: who sent a reply is taken from its From header alone, which anyone "
            "can forge.",
            hint=(
                "Set SUPPORT_INBOUND_AUTHSERV_ID to the authserv-id your receiving mail server "
                "writes in its Authentication-Results header, so only replies that pass DMARC "
                "or DKIM for their From domain are added."
            ),
            id=W001,
        )
    ]
