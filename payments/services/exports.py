"""Starting a payroll export in the background: the file is written to private storage and
offered on the job's page to its starter and to staff who may export payroll."""

from accounts.models import User
from payments.exports.payroll import PayrollFilter, filename
from portal.jobs.models import Job
from portal.jobs.services import job_start

EXPORT_JOB = "payments.payroll_export"


def payroll_export_start(*, payroll: PayrollFilter, kind: str, bom: bool, by: User) -> Job:
    """Write the payroll file in the background; return the job to follow.

    The same file (period, filters, kind, byte order mark) while it is being
    written returns that job: whoever asks again waits for the same file.
    """
    params = {
        "period_start": payroll.period_start.isoformat(),
        "currency": payroll.currency,
        "country": payroll.country,
        "status": payroll.status,
        "kind": kind,
        "bom": bom,
    }
    key = ":".join([EXPORT_JOB, *(str(value) for value in params.values())])
    return job_start(
        kind=EXPORT_JOB,
        key=key,
        params=params,
        started_by=by,
        subject=filename(kind, payroll.period_start),
    )
