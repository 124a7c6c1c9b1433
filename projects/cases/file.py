"""The whole case file as data: what the contractor downloads and what auditors export."""

from collections.abc import Callable
from typing import Any

from accounts.models import User
from projects.models import Case


def _moment(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _namer(case: Case, *, staff: bool) -> Callable[[User | None], str | None]:
    """Who took a step: staff exports name everyone by email; the contractor's own file names
    them by their legal name and staff by the name they chose, never their email."""

    def name(user: User | None) -> str | None:
        if user is None:
            return None
        if staff:
            return str(user)
        if user.pk == case.contractor.user_id:
            return case.contractor.legal_name
        return user.public_name

    return name


def case_file(case: Case, *, language: str, staff: bool = False) -> dict[str, Any]:
    """The case as the contractor sees it; ``staff`` adds withheld items and their reasons."""
    text = case.rule.text_in(language)
    _name = _namer(case, staff=staff)
    evidence = case.evidence.all() if staff else getattr(case, "shown_evidence", None)
    if evidence is None:
        evidence = case.evidence.filter(withheld_reason="")
    return {
        "case": case.pk,
        "status": case.status,
        "contractor": case.contractor.legal_name,
        "project": case.assignment.project.name if case.assignment_id else None,
        "rule": {
            "code": case.rule.code,
            "version": case.rule.book.version,
            "severity": case.rule.severity,
            "title": text.title if text else "",
            "text": text.text if text else "",
            "language": text.language if text else "",
        },
        "opened_at": _moment(case.created_at),
        "evidence_summary": case.evidence_summary,
        "evidence": [
            {
                "kind": item.kind,
                "text": item.text,
                "url": item.url,
                "file": item.file.name if item.file else "",
                **({"withheld_reason": item.withheld_reason} if staff else {}),
            }
            for item in evidence
        ],
        "warning": {"text": case.warning_text, "change_by": _moment(case.warning_by)},
        "proposed_outcome": case.proposed_outcome,
        "response_due_at": _moment(case.response_due_at),
        "representative": case.representative_name,
        "decision": {
            "outcome": case.outcome,
            "reasons": case.decision_reasons,
            "decided_by": _name(case.decided_by),
            "decided_at": _moment(case.decided_at),
            "effective_at": _moment(case.effective_at),
            "suspended_until": _moment(case.suspended_until),
        },
        "appeal": {
            "text": case.appeal_text,
            "appealed_at": _moment(case.appealed_at),
            "due_at": _moment(case.appeal_due_at),
            "outcome": case.appeal_outcome,
            "reasons": case.appeal_reasons,
            "decided_by": _name(case.appeal_decided_by),
            "decided_at": _moment(case.appeal_decided_at),
        },
        "timeline": [
            {"step": e.kind, "by": _name(e.by), "at": _moment(e.at), "text": e.text}
            for e in case.events.all()
        ],
    }
