"""In-app notices and the emails that go with them: written in the caller's transaction.

A notice goes to every recipient with two set-based ``INSERT … SELECT``
statements (one for the notices, one for the emails), however many people the
recipients query matches, so telling 50,000 contractors costs what telling one
does, plus the rows.
"""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ValidationError
from django.db import connections, transaction
from django.db.models import DateTimeField, Exists, Model, OuterRef, QuerySet, Value
from django.utils import timezone

from accounts.models import User
from portal.models import (
    MANDATORY_EMAIL_KINDS,
    EmailPreference,
    EmailStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from portal.outbox import outbox_dispatch_on_commit


def notify(
    *,
    recipients: QuerySet[User],
    kind: str,
    title: str,
    body: str,
    link: str = "",
    topic: str = "",
    email_subject: str = "",
    email_body: str = "",
) -> int:
    """Notify every recipient in-app at once and queue their emails; return how many.

    Callers run this inside the transaction that made the change, so the
    notices exist exactly when the change does; emails leave after commit.
    The email says what the notice says, with a link to the page, unless
    ``email_subject`` / ``email_body`` give a longer text.  People who turned
    a kind's emails off get the notice only, except for the kinds in
    ``MANDATORY_EMAIL_KINDS``.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    now = Value(timezone.now(), output_field=DateTimeField())
    people = User.objects.filter(pk__in=recipients.order_by().values("pk")).order_by()
    # Each select lists the one model column first and then only constants,
    # which is the order the SQL has too, column for column with the INSERT.
    notices = people.values_list(
        "pk", Value(kind), Value(title), Value(body), Value(link), Value(topic), now
    )
    count = _insert_select(
        Notification, ["recipient", "kind", "title", "body", "link", "topic", "created_at"], notices
    )
    if kind not in MANDATORY_EMAIL_KINDS:
        opted_out = EmailPreference.objects.filter(user=OuterRef("pk"), kind=kind, send_email=False)
        people = people.filter(~Exists(opted_out))
    url = f"\n\n{settings.SITE_URL}{link}" if link else ""
    subject, text = email_subject or title, email_body or f"{body}{url}\n"
    _queue_emails(people, topic=topic, subject=subject, body=text, now=now)
    return count


def _queue_emails(
    people: QuerySet[User], *, topic: str, subject: str, body: str, now: Value
) -> None:
    """One outbox row per person, in one statement; their delivery starts after commit."""
    emails = people.values_list(
        "email",
        Value(topic),
        Value(subject),
        Value(body),
        Value(EmailStatus.QUEUED.value),
        Value(0),
        Value(""),
        now,
        now,
    )
    fields = ["to", "topic", "subject", "body", "status", "attempts", "last_error"]
    ids = _insert_select_returning_ids(
        OutboundEmail, [*fields, "created_at", "next_attempt_at"], emails
    )
    outbox_dispatch_on_commit(ids)


def _insert_sql(model: type[Model], fields: list[str], select: QuerySet) -> tuple[str, tuple]:
    connection = connections[select.db]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    sql, params = select.query.get_compiler(using=select.db).as_sql()
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params


def _insert_select(model: type[Model], fields: list[str], select: QuerySet) -> int:
    try:
        sql, params = _insert_sql(model, fields, select)
    except EmptyResultSet:  # the recipients query can match nobody, e.g. .none()
        return 0
    with connections[select.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _insert_select_returning_ids(
    model: type[Model], fields: list[str], select: QuerySet
) -> list[int]:
    try:
        sql, params = _insert_sql(model, fields, select)
    except EmptyResultSet:
        return []
    pk = connections[select.db].ops.quote_name(model._meta.pk.column)
    with connections[select.db].cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {pk}", params)
        return sorted(row[0] for row in cursor.fetchall())


# --- Reading notices ----------------------------------------------------------------


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: User) -> Notification:
    """Mark one of ``by``'s own notices read; reading it again changes nothing."""
    if notification.recipient_id != by.pk:
        raise ValidationError("This notice is not yours.")
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
            "Unknown kinds of notice: %(kinds)s.", params={"kinds": ", ".join(unknown)}
        )
    fixed = [NotificationKind(kind).label for kind in send_email if kind in MANDATORY_EMAIL_KINDS]
    if fixed:
        raise ValidationError(
            "These emails are always sent: %(kinds)s.", params={"kinds": ", ".join(sorted(fixed))}
        )
    for kind, wanted in send_email.items():
        EmailPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"send_email": bool(wanted)}
        )
