"""The background jobs payments owns: generating a period's payouts, writing a payroll file.

Registered from ``PaymentsConfig.ready``; each calls the same services and
export code the rest of the site does.
"""

from collections.abc import Iterable, Iterator
from datetime import date

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from payments import exports, services
from payments.exports.payroll import PayrollFilter
from payments.services.exports import EXPORT_JOB
from payments.services.generation import GENERATE_JOB
from portal.jobs import registry
from portal.jobs.models import Job
from portal.jobs.registry import FileOutput, Outcome, Progress
from projects.models import PayPeriod


def payouts_generate_job(*, job: Job, progress: Progress) -> Outcome:
    """One set-based run in one transaction; its progress is the run's steps."""
    period = PayPeriod.objects.get(pk=job.params["period"])
    result = services.payouts_generate(period=period, by=job.started_by, progress=progress)
    return Outcome(
        summary=str(result),
        result={
            "period": period.pk,
            "payouts_created": result.payouts_created,
            "lines_added": result.lines_added,
            "entries_waiting": result.entries_waiting,
        },
    )


def _counted(chunks: Iterable[bytes], *, total: int, progress: Progress) -> Iterator[bytes]:
    """The chunks as they are, reporting rows written (row ends seen, the header's aside)."""
    rows = -1
    for chunk in chunks:
        rows += chunk.count(b"\n")
        progress(max(0, min(rows, total)), total)
        yield chunk
    progress(total, total)


def payroll_export_job(*, job: Job, progress: Progress) -> Outcome:
    params = job.params
    payroll = PayrollFilter(
        period_start=date.fromisoformat(params["period_start"]),
        currency=params["currency"],
        country=params["country"],
        status=params["status"],
    )
    kind = params["kind"]
    total = exports.row_count(kind, payroll)
    progress(0, total)
    chunks = exports.payroll_csv(kind, payroll, bom=params["bom"])
    name = exports.filename(kind, payroll.period_start)
    return Outcome(
        summary=ngettext(
            "%(name)s: %(count)d row written.", "%(name)s: %(count)d rows written.", total
        )
        % {"name": name, "count": total},
        result={"rows": total},
        file=FileOutput(name=name, chunks=_counted(chunks, total=total, progress=progress)),
    )


def register() -> None:
    registry.register(
        GENERATE_JOB,
        label=_("Generate payouts"),
        permission="projects.generate_payouts",
        run=payouts_generate_job,
    )
    registry.register(
        EXPORT_JOB,
        label=_("Payroll export"),
        permission="payments.export_payroll",
        run=payroll_export_job,
    )
