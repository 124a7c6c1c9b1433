"""The schedule's side of payments: open each week's pay period, close those that are due."""

from celery import shared_task

from payments.services import pay_periods_close_due as close_due
from payments.services import pay_periods_ensure
from payments.services import pay_periods_remind_due as remind_due
from payments.services import payouts_overdue_remind as overdue_remind
from portal.db_faults import RETRY_ON_DB_FAULTS


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def pay_periods_open() -> int:
    """Create the period of every week that has begun (and any missing before it); safe to
    run any number of times."""
    return pay_periods_ensure()


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def pay_periods_close_due() -> int:
    """Close every period that ended long enough ago; safe to run any number of times."""
    return len(close_due())


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def pay_periods_remind() -> int:
    """Remind each period's contractors and reviewers once before it closes; safe to rerun."""
    return remind_due()


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def payouts_overdue() -> int:
    """Tell the staff who pay that payouts are overdue, at most once a day; safe to rerun."""
    return overdue_remind()
