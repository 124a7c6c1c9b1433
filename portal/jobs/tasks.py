from celery import shared_task
from django.conf import settings

from portal.db_faults import RETRY_ON_DB_FAULTS
from portal.jobs import services


@shared_task(
    bind=True,
    ignore_result=True,
    time_limit=settings.JOBS_TIME_LIMIT_SECONDS,
    soft_time_limit=settings.JOBS_TIME_LIMIT_SECONDS - 30,
    **RETRY_ON_DB_FAULTS,
)
def job_run(self, job_id: int) -> str | None:
    """Run one background job. Idempotent: a job is claimed once (its own retries excepted),
    so a duplicate message does nothing."""
    return services.job_run(
        job_id=job_id,
        attempt=self.request.id or f"eager-{job_id}",
        last_attempt=self.request.retries >= self.max_retries,
    )


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def jobs_sweep() -> dict[str, int]:
    """Beat's minute: jobs that lost their worker, jobs the broker lost, old files."""
    return services.jobs_sweep()
