from celery import shared_task

from portal.db_faults import RETRY_ON_DB_FAULTS
from projects import services
from projects.services import cases as case_services


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def project_pauses_apply_due() -> int:
    """Make scheduled pauses take effect on time (beat runs this every 30 seconds)."""
    return services.project_pauses_apply_due()


@shared_task(ignore_result=True, **RETRY_ON_DB_FAULTS)
def cases_apply_due() -> int:
    """Apply decided sanctions on their date and end suspensions on theirs (beat, every 5 min)."""
    return case_services.cases_apply_due()
