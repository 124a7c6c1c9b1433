"""In-app notices and the emails that go with them: written in the caller's transaction.

A notice goes to every recipient with two set-based ``INSERT … SELECT``
statements (one for the notices, one for the emails), however many people the
recipients query matches, so telling 50,000 contractors costs what telling one
does, plus the rows.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, transaction
from django.db.models import DateTimeField, Exists, Field, Model, OuterRef, QuerySet, Value
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from portal.models import (
    MANDATORY_EMAIL_KINDS,
    EmailPreference,
    EmailStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from portal.notifications.outbox import outbox_dispatch_on_commit


@dataclass(frozen=True)
class Notice:
    """What one reader is told: a title and body, and optionally a longer email."""

    title: str
    body: str
    email_subject: str = ""
    email_body: str = ""


def notify(
    *,
    recipients: QuerySet[User],
    kind: str,
    notice: Callable[[], Notice],
    link: str = "",
    topic: str = "",
    reply_to: str = "",
) -> int:
    """Notify every recipient in-app at once and queue their emails; return how many.

    ``notice`` writes the text; it is called once for each language and time
    zone among the recipients, with both active, so each person reads it in
    their own language and zone while the fan-out stays a handful of
    set-based statements, however many people there are.

    Callers run this inside the transaction that made the change, so the
    notices exist exactly when the change does; emails leave after commit.
    The email says what the notice says, with a link to the page, unless the
    notice gives a longer text; ``reply_to`` sets where replies to it go.
    People who turned a kind's emails off get the notice only, except for the
    kinds in ``MANDATORY_EMAIL_KINDS``.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    now = Value(timezone.now(), output_field=DateTimeField())
    people = User.objects.filter(pk__in=recipients.order_by().values("pk")).order_by()
    readers = people.values_list("language", "time_zone").distinct()
    # Most texts name no time of day, so every zone of a language reads the same:
    # readers whose texts are identical are written with one pair of statements.
    zones_by_text: dict[tuple[str, str, str, str, str], list[str]] = {}
    for language, time_zone in readers:
        text = _render(notice, language=language, time_zone=time_zone, link=link)
        zones_by_text.setdefault((language, *text), []).append(time_zone)
    count, email_ids = 0, []
    for (language, title, body, subject, email_body), zones in zones_by_text.items():
        group = people.filter(language=language, time_zone__in=zones)
        # Each select lists the one model column first and then only constants,
        # which is the order the SQL has too, column for column with the INSERT.
        rows = group.values_list(
            "pk",
            Value(kind),
            Value(title),
            Value(body),
            Value(link),
            Value(topic),
            Value(language),
            now,
        )
        fields = ["recipient", "kind", "title", "body", "link", "topic", "language", "created_at"]
        count += _insert_select(Notification, fields, rows)
        if kind not in MANDATORY_EMAIL_KINDS:
            opted_out = EmailPreference.objects.filter(
                user=OuterRef("pk"), kind=kind, send_email=False
            )
            group = group.filter(~Exists(opted_out))
        email_ids += _queue_emails(
            group, topic=topic, subject=subject, body=email_body, reply_to=reply_to, now=now
        )
    outbox_dispatch_on_commit(sorted(email_ids))
    return count


def _render(
    notice: Callable[[], Notice], *, language: str, time_zone: str, link: str
) -> tuple[str, str, str, str]:
    """Title, body, email subject and email body, as one reader of this language and zone
    reads them."""
    with (
        translation.override(language or settings.LANGUAGE_CODE),
        timezone.override(ZoneInfo(time_zone)),
    ):
        text = notice()
    url = f"\n\n{settings.SITE_URL}{link}" if link else ""
    subject = text.email_subject or text.title
    return text.title, text.body, subject, text.email_body or f"{text.body}{url}\n"


def _queue_emails(
    people: QuerySet[User], *, topic: str, subject: str, body: str, reply_to: str, now: Value
) -> list[int]:
    """One outbox row per person, in one statement; return their ids."""
    emails = people.values_list(
        "email",
        Value(topic),
        Value(subject),
        Value(body),
        Value(reply_to),
        Value(EmailStatus.QUEUED.value),
        Value(0),
        Value(""),
        now,
        now,
    )
    fields = ["to", "topic", "subject", "body", "reply_to", "status", "attempts", "last_error"]
    return _insert_select_returning_ids(
        OutboundEmail, [*fields, "created_at", "next_attempt_at"], emails
    )


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    # Only concrete fields are written here; get_field() is typed for relations too.
    assert isinstance(field, Field) and field.column is not None
    return field.column


def _insert_sql(
    model: type[Model], fields: list[str], select: QuerySet[Any, Any]
) -> tuple[str, tuple[Any, ...]]:
    connection = connections[select.db]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(model, name)) for name in fields)
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params


def _insert_select(model: type[Model], fields: list[str], select: QuerySet[Any, Any]) -> int:
    try:
        sql, params = _insert_sql(model, fields, select)
    except EmptyResultSet:  # the recipients query can match nobody, e.g. .none()
        return 0
    with connections[select.db].cursor() as cursor:
        cursor.execute(sql, params)
        inserted: int = cursor.rowcount
        return inserted


def _insert_select_returning_ids(
    model: type[Model], fields: list[str], select: QuerySet[Any, Any]
) -> list[int]:
    try:
        sql, params = _insert_sql(model, fields, select)
    except EmptyResultSet:
        return []
    pk = connections[select.db].ops.quote_name(_column(model, model._meta.pk.name))
    with connections[select.db].cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {pk}", params)
        return sorted(row[0] for row in cursor.fetchall())


# --- Reading notices ----------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of ``by``'s own notices read; reading it again changes nothing."""
    if notification.recipient_id != by.pk:
        raise ValidationError(_("This notice is not yours."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    notification.refresh_from_db(fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: User) -> int:
    """Mark every unread notice of ``by`` read in one statement; return how many."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Email preferences --------------------------------------------------------------


def email_kind_is_optional(kind: str) -> bool:
    return kind in NotificationKind.values and kind not in MANDATORY_EMAIL_KINDS


@transaction.atomic
def email_preferences_set(*, user: User, send_email: Mapping[str, bool]) -> None:
    """Record, per kind, whether ``user`` wants its emails; in-app notices always come.

    Kinds whose emails can't be turned off are refused, so a preference row
    never claims a choice the person does not have.
    """
    unknown = sorted(kind for kind in send_email if kind not in NotificationKind.values)
    if unknown:
        raise ValidationError(
            _("Unknown kinds of notice: %(kinds)s."), params={"kinds": ", ".join(unknown)}
        )
    fixed = [
        str(NotificationKind(kind).label) for kind in send_email if kind in MANDATORY_EMAIL_KINDS
    ]
    if fixed:
        raise ValidationError(
            _("These emails are always sent: %(kinds)s."),
            params={"kinds": ", ".join(sorted(fixed))},
        )
    for kind, wanted in send_email.items():
        EmailPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"send_email": bool(wanted)}
        )
