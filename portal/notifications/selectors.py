"""Reads of a person's notices and email preferences, always scoped to that person."""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import CharField, Count, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.models import User
from portal.models import (
    MANDATORY_EMAIL_KINDS,
    STAFF_ONLY_KINDS,
    EmailPreference,
    EmailStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
)

# The bell counts up to this many and then says "99+": the count stays an
# index range scan of bounded length whatever a backlog holds.
BELL_COUNT_LIMIT = 100

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_M = TypeVar("_M", bound=Model)


def notification_list_for_user(user: User) -> QuerySet[Notification]:
    """``user``'s notices, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def notification_get_for_user(*, user: User, pk: int) -> Notification:
    notification = notification_list_for_user(user).filter(pk=pk).first()
    if notification is None:
        raise Http404(_("No such notice."))
    return notification


def notification_unread_count(user: User, *, limit: int | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if limit is not None:
        unread = unread.order_by()[:limit]
    return unread.count()


class NotificationBell:
    """The unread count in the header, counted once and only if a page shows it."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return notification_unread_count(self.user, limit=BELL_COUNT_LIMIT)

    @property
    def unread_label(self) -> str:
        return f"{BELL_COUNT_LIMIT - 1}+" if self.unread >= BELL_COUNT_LIMIT else str(self.unread)


@dataclass(frozen=True)
class EmailChoice:
    """One kind of notice on the preferences page, and whether its emails come."""

    kind: str
    label: "StrOrPromise"
    send_email: bool
    optional: bool


def email_choices_for_user(user: User) -> list[EmailChoice]:
    """Every kind, with ``user``'s choice; the kinds that must be emailed are always on."""
    chosen = dict(EmailPreference.objects.filter(user=user).values_list("kind", "send_email"))
    return [
        EmailChoice(
            kind=kind,
            label=label,
            send_email=kind in MANDATORY_EMAIL_KINDS or chosen.get(kind, True),
            optional=kind not in MANDATORY_EMAIL_KINDS,
        )
        for kind, label in NotificationKind.choices
        if user.is_staff or kind not in STAFF_ONLY_KINDS
    ]


# --- Delivery of one event's notices --------------------------------------------------


def _topic_count(
    model: type[Notification] | type[OutboundEmail], *, count: Count, **filters: Any
) -> Coalesce:
    rows = (
        model.objects.filter(topic=OuterRef("delivery_topic"), **filters)
        .order_by()
        .values("topic")
        .annotate(n=count)
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def with_delivery_counts(queryset: QuerySet[_M], *, topic_prefix: str) -> QuerySet[_M]:
    """Annotate each row with how its notices went out (topic ``<prefix><pk>``).

    ``notified`` (people who got the in-app notice), ``emails_sent``,
    ``emails_failed`` and ``emails_waiting`` (queued, still being tried): one
    correlated count per figure, each read from an index on the topic, so a
    list of changes costs one query however many people each one reached.
    """
    topic = Concat(Value(topic_prefix), Cast("pk", output_field=CharField()))
    # django-stubs can't follow annotate() on a queryset of a type variable (it
    # reads as Any); the rows are still the caller's model.
    counted: QuerySet[_M] = queryset.annotate(delivery_topic=topic).annotate(
        notified=_topic_count(Notification, count=Count("recipient", distinct=True)),
        emails_sent=_topic_count(OutboundEmail, count=Count("pk"), status=EmailStatus.SENT),
        emails_failed=_topic_count(OutboundEmail, count=Count("pk"), status=EmailStatus.FAILED),
        emails_waiting=_topic_count(OutboundEmail, count=Count("pk"), status=EmailStatus.QUEUED),
    )
    return counted
