from celery import shared_task

from portal.support import services


@shared_task(ignore_result=True)
def support_clocks_check() -> list[int]:
    """Warn staff of answers nearly due and record missed ones (beat runs this every 5 minutes).

    Idempotent: each conversation's clock is escalated once and each miss recorded once.
    """
    escalated, missed = services.support_clocks_check()
    return [escalated, missed]
