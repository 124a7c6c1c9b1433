"""Reminders before a pay period closes: nobody's hours should miss the close unseen.

A set time (``PERIOD_CLOSE_REMINDER_HOURS``) before the schedule closes a
period, every contractor with unsubmitted hours in it (drafts, or rejected
entries not yet sent again) is told in the app and by email, and the
reviewers are told how many entries still wait for their decision. The
period's ``reminded_at`` stamp is written in the same transaction as the
notices, so each period is reminded once, however often the schedule runs.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.selectors import staff_with_permission
from payments.models import Payout
from payments.services.periods import pay_periods_ensure
from portal.dates import format_day, format_moment
from portal.models import Notification, NotificationKind
from portal.notifications import Notice, notify
from projects.models import EDITABLE_ENTRY_STATUSES, EntryStatus, PayPeriod, PeriodStatus, TimeEntry


def close_due_on(period: PayPeriod) -> date:
    """The day the schedule closes ``period`` (``pay_periods_close_due`` closes it that day)."""
    return period.end_on + timedelta(days=settings.PAY_PERIOD_CLOSE_AFTER_DAYS + 1)


def pay_period_closes_at(period: PayPeriod) -> datetime:
    """When the schedule closes ``period``: the start of its close day in the server's zone."""
    return datetime.combine(close_due_on(period), time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _entries_of(period: PayPeriod) -> "QuerySet[TimeEntry]":
    return TimeEntry.objects.filter(work_on__gte=period.start_on, work_on__lte=period.end_on)


@transaction.atomic
def pay_period_remind(*, period: PayPeriod, now: datetime | None = None) -> int:
    """Remind the contractors with unsubmitted hours in ``period`` and its reviewers, once.

    Returns how many people were told; 0 when the period was already reminded
    or is closed.
    """
    period = PayPeriod.objects.select_for_update().get(pk=period.pk)
    if period.reminded_at is not None or period.status != PeriodStatus.OPEN:
        return 0
    now = now or timezone.now()
    period.reminded_at = now
    period.save(update_fields=["reminded_at"])
    closes_at = pay_period_closes_at(period)
    entries = _entries_of(period)
    week = period.start_on.isoformat()

    unsubmitted = entries.filter(status__in=EDITABLE_ENTRY_STATUSES)
    contractors = User.objects.filter(
        pk__in=unsubmitted.values("assignment__contractor__user_id"), is_active=True
    )

    def contractor_notice() -> Notice:
        values = {"period": period, "closes": format_moment(closes_at)}
        return Notice(
            title=_("Submit your hours of %(period)s") % values,
            body=_(
                "You have hours of the pay period %(period)s that are not submitted yet. "
                "Submit them before the period closes on %(closes)s."
            )
            % values,
        )

    told = notify(
        recipients=contractors,
        kind=NotificationKind.PERIOD_CLOSING,
        notice=contractor_notice,
        link=f"{reverse('projects:timesheet')}?week={week}",
        topic=f"period-closing:{period.pk}",
    )

    waiting = entries.filter(status=EntryStatus.SUBMITTED).count()
    if waiting:

        def reviewer_notice() -> Notice:
            values = {"count": waiting, "period": period, "closes": format_moment(closes_at)}
            return Notice(
                title=_("Hours of %(period)s wait for review") % values,
                body=ngettext(
                    "%(count)d time entry of the pay period %(period)s waits for review; "
                    "the period closes on %(closes)s.",
                    "%(count)d time entries of the pay period %(period)s wait for review; "
                    "the period closes on %(closes)s.",
                    waiting,
                )
                % values,
            )

        changelist = reverse("admin:projects_timeentry_changelist")
        told += notify(
            recipients=staff_with_permission("projects.review_timeentry"),
            kind=NotificationKind.PERIOD_CLOSING,
            notice=reviewer_notice,
            link=f"{changelist}?status__exact={EntryStatus.SUBMITTED}",
            topic=f"period-review:{period.pk}",
        )
    return told


def pay_periods_remind_due(*, now: datetime | None = None) -> int:
    """What the schedule runs: remind every open period whose close is near enough.

    Each period is reminded in its own transaction; returns how many were reminded.
    """
    now = now or timezone.now()
    # Periods exist once their week has begun; the close schedule opens them too.
    pay_periods_ensure()
    ahead = timedelta(hours=settings.PERIOD_CLOSE_REMINDER_HOURS)
    # A period closes PAY_PERIOD_CLOSE_AFTER_DAYS + 1 days after its last day; the day
    # bound narrows the candidates, the exact moment decides.
    latest_end = (now + ahead).astimezone(ZoneInfo(settings.TIME_ZONE)).date() - timedelta(
        days=settings.PAY_PERIOD_CLOSE_AFTER_DAYS + 1
    )
    candidates = PayPeriod.objects.filter(
        status=PeriodStatus.OPEN, reminded_at__isnull=True, end_on__lte=latest_end
    ).order_by("start_on")
    reminded = 0
    for period in candidates:
        # One whose close has passed already (a schedule that stopped) is only closed.
        if pay_period_closes_at(period) - ahead <= now < pay_period_closes_at(period):
            pay_period_remind(period=period, now=now)
            reminded += 1
    return reminded


@transaction.atomic
def payouts_overdue_remind(*, now: datetime | None = None) -> int:
    """Tell the staff who can pay that payouts are overdue; at most once a day.

    A payout is overdue when it is approved (or failed) and its due date has
    passed. The day's notices carry the topic ``payouts-overdue:<day>``; the
    overdue payouts are locked first, so two runs on the same day queue behind
    each other and the second finds the first one's notices. Returns how many
    people were told (0 when nothing is overdue or today's notice went out).
    """
    # Imported here: the selectors module imports the services package.
    from payments.selectors import payouts_overdue_q

    now = now or timezone.now()
    today = timezone.localdate(now)
    overdue = Payout.objects.filter(payouts_overdue_q(today=today))
    locked = list(
        overdue.select_for_update(of=("self",)).order_by("pk").values_list("pk", "period_id")
    )
    if not locked:
        return 0
    topic = f"payouts-overdue:{today.isoformat()}"
    if Notification.objects.filter(kind=NotificationKind.PAYOUTS_OVERDUE, topic=topic).exists():
        return 0
    count = len(locked)
    period_ids = sorted({period_id for _pk, period_id in locked})
    # Payout.due_on: the period's close plus PAYOUT_DUE_DAYS.
    # Overdue payouts belong to closed periods, so every closed_at is set.
    first_closed = min(
        closed
        for closed in PayPeriod.objects.filter(pk__in=period_ids).values_list(
            "closed_at", flat=True
        )
        if closed is not None
    )
    oldest = timezone.localdate(first_closed) + timedelta(days=settings.PAYOUT_DUE_DAYS)

    def notice() -> Notice:
        values = {"count": count, "since": format_day(oldest)}
        return Notice(
            title=ngettext("%(count)d payout is overdue", "%(count)d payouts are overdue", count)
            % values,
            body=ngettext(
                "%(count)d payout is past its due date and not paid yet; the oldest was due "
                "on %(since)s. Each started week late adds compensation to it.",
                "%(count)d payouts are past their due date and not paid yet; the oldest was "
                "due on %(since)s. Each started week late adds compensation to them.",
                count,
            )
            % values,
        )

    return notify(
        recipients=staff_with_permission("payments.pay_payout"),
        kind=NotificationKind.PAYOUTS_OVERDUE,
        notice=notice,
        link=f"{reverse('admin:payments_payout_changelist')}?due=overdue",
        topic=topic,
    )
