from celery import shared_task

from projects import services


@shared_task(ignore_result=True)
def project_pauses_apply_due() -> int:
    """Make scheduled pauses take effect on time (beat runs this every 30 seconds)."""
    return services.project_pauses_apply_due()
