"""In-app notices, and the emails that go with them, written in the caller's transaction."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from portal.models import MANDATORY_EMAIL_KINDS, EmailPreference, Notification
from portal.outbox import outbox_enqueue_many


def notify(
    *,
    recipients: QuerySet[User],
    kind: str,
    title: str,
    body: str,
    link: str = "",
    topic: str = "",
) -> int:
    """Notify every recipient in-app at once and queue their emails; return how many.

    Callers run this inside the transaction that made the change, so the
    notices exist exactly when the change does; emails leave after commit.
    """
    now = timezone.now()
    people = list(recipients.values_list("pk", "email"))
    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                kind=kind,
                title=title,
                body=body,
                link=link,
                topic=topic,
                created_at=now,
            )
            for pk, _email in people
        ],
        batch_size=1000,
    )
    opted_out = set()
    if kind not in MANDATORY_EMAIL_KINDS:
        opted_out = set(
            EmailPreference.objects.filter(
                user__in=recipients.values("pk"), kind=kind, send_email=False
            ).values_list("user_id", flat=True)
        )
    text = f"{body}\n\n{settings.SITE_URL}{link}\n" if link else f"{body}\n"
    outbox_enqueue_many(
        messages=[(email, title, text) for pk, email in people if pk not in opted_out],
        topic=topic,
    )
    return len(people)
