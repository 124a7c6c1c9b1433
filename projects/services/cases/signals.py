"""Cases filed by an automated signal: they wait for a named person and change nothing."""

from __future__ import annotations

from django.db import transaction

from accounts.models import (
    ConductRule,
    ContractorProfile,
    User,
)
from projects.models import (
    Assignment,
    Case,
    CaseEventKind,
    CaseSource,
    CaseStatus,
)
from projects.services.cases.procedure import (
    _check_subject,
    _event,
    _lock,
    _move,
    _require,
    _tell_opened,
)

# --- Signals -----------------------------------------------------------------------


@transaction.atomic
def case_signal(
    *,
    contractor: ContractorProfile,
    rule: ConductRule,
    by: User,
    source: str,
    summary: str,
    assignment: Assignment | None = None,
) -> Case:
    """A platform files an automated signal: a case that waits for a person and changes nothing."""
    summary = _require(summary, "summary")
    _check_subject(contractor=contractor, rule=rule, assignment=assignment)
    case = Case.objects.create(
        contractor=contractor,
        assignment=assignment,
        rule=rule,
        status=CaseStatus.SIGNALLED,
        source=CaseSource.SIGNAL,
        signal_source=(source or "").strip()[:100],
        opened_by=by,
        evidence_summary=summary,
    )
    _event(case, CaseEventKind.SIGNALLED, by=by, text=summary)
    return case


@transaction.atomic
def case_take(*, case: Case, by: User) -> Case:
    """A named person takes up a signalled case; only now is the contractor told."""
    case = _lock(case)
    _move(case, CaseStatus.OPEN)
    case.handler = by
    case.save(update_fields=["status", "handler", "updated_at"])
    _event(case, CaseEventKind.TAKEN, by=by)
    _tell_opened(case)
    return case
