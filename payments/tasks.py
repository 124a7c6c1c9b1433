"""The schedule's side of payments: close pay periods once they are due."""

from celery import shared_task

from payments.services import pay_periods_close_due as close_due


@shared_task(ignore_result=True)
def pay_periods_close_due() -> int:
    """Close every period that ended long enough ago; safe to run any number of times."""
    return len(close_due())
