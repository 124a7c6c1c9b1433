"""The steps a person takes in a case: open, evidence, warning, notice, response,
decision, appeal and its decision, closing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import (
    ConductRule,
    ContractorProfile,
    Sanction,
    User,
)
from portal.dates import format_moment
from portal.models import NotificationKind
from portal.support.attachments import inspect_attachment
from projects.models import (
    AppealOutcome,
    Assignment,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseEventKind,
    CaseEvidence,
    CaseStatus,
    EvidenceKind,
)
from projects.services.cases.procedure import (
    _SANCTIONS,
    AppealDecision,
    Decision,
    _check_outcome,
    _check_subject,
    _effective_at,
    _event,
    _lock,
    _move,
    _NoticeText,
    _require,
    _require_perm,
    _tell,
    _tell_opened,
    _was_warned,
)
from projects.services.cases.sanctions import _apply_sanction, _end_interim, _reinstate

# --- Opening -----------------------------------------------------------------------


@transaction.atomic
def case_open(
    *,
    contractor: ContractorProfile,
    rule: ConductRule,
    by: User,
    evidence_summary: str,
    assignment: Assignment | None = None,
) -> Case:
    """A manager opens a case under a published rule; the contractor is told at once."""
    summary = _require(evidence_summary, "evidence_summary")
    _check_subject(contractor=contractor, rule=rule, assignment=assignment)
    case = Case.objects.create(
        contractor=contractor,
        assignment=assignment,
        rule=rule,
        opened_by=by,
        handler=by,
        evidence_summary=summary,
    )
    _event(case, CaseEventKind.OPENED, by=by, text=summary)
    _tell_opened(case)
    return case


@transaction.atomic
def case_evidence_add(
    *,
    case: Case,
    by: User,
    kind: str,
    text: str = "",
    file: UploadedFile[Any] | None = None,
    url: str = "",
    withheld_reason: str = "",
) -> CaseEvidence:
    if file is not None:
        _check_uploads([file], field="file")
    case = _lock(case)
    if case.status in {CaseStatus.CLOSED, CaseStatus.REINSTATED}:
        raise ValidationError(_("This case is closed."))
    item = CaseEvidence(
        case=case,
        kind=kind,
        text=(text or "").strip(),
        url=url or "",
        withheld_reason=(withheld_reason or "").strip(),
        added_by=by,
        added_at=timezone.now(),
    )
    if file is not None:
        item.file = file
    content: dict[str, object] = {
        EvidenceKind.TEXT: item.text,
        EvidenceKind.FILE: file,
        EvidenceKind.LINK: url,
    }
    if not content.get(kind):
        raise ValidationError(_("Give the text, the file or the link of this item."))
    item.save()
    _event(case, CaseEventKind.EVIDENCE, by=by)
    return item


# --- Warning, notice, response -----------------------------------------------------


@transaction.atomic
def case_warn(*, case: Case, by: User, what_to_change: str, change_by: date) -> Case:
    case = _lock(case)
    text = _require(what_to_change, "what_to_change")
    _move(case, CaseStatus.WARNED)
    case.warning_text, case.warning_by = text, change_by
    case.save(update_fields=["status", "warning_text", "warning_by", "updated_at"])
    _event(case, CaseEventKind.WARNING, by=by, text=text)
    _tell(
        case,
        kind=NotificationKind.CASE_WARNING,
        notice=_NoticeText(
            gettext_lazy("A warning under rule %(rule)s"),
            gettext_lazy("What to change: %(text)s"),
            rule=case.rule.code,
            text=text,
        ),
    )
    return case


@transaction.atomic
def case_notice(
    *, case: Case, by: User, proposed_outcome: str, response_days: int | None = None
) -> Case:
    """The proposed outcome and a deadline to answer (the evidence is on the case page);
    ``CASE_RESPONSE_DAYS`` unless the manager gives more or fewer days."""
    if response_days is None:
        response_days = settings.CASE_RESPONSE_DAYS
    case = _lock(case)
    if case.rule.warning_first and not _was_warned(case):
        raise ValidationError(_("This rule needs a warning before a notice."))
    _check_outcome(case, proposed_outcome, field="proposed_outcome")
    if response_days < 1:
        raise ValidationError({"response_days": [_("Give at least a day to answer.")]})
    _move(case, CaseStatus.NOTICED)
    case.proposed_outcome = proposed_outcome
    case.response_due_at = timezone.now() + timedelta(days=response_days)
    case.save(update_fields=["status", "proposed_outcome", "response_due_at", "updated_at"])
    _event(case, CaseEventKind.NOTICE, by=by, text=case.get_proposed_outcome_display())
    _tell(
        case,
        kind=NotificationKind.CASE_NOTICE,
        notice=_NoticeText(
            gettext_lazy("Notice in case %(number)s: please answer by %(due)s"),
            gettext_lazy(
                "Proposed outcome: %(outcome)s. Read the evidence and answer by %(due)s; you may "
                "name a representative."
            ),
            number=case.pk,
            outcome=case.get_proposed_outcome_display,
            due=lambda: format_moment(case.response_due_at),
        ),
    )
    return case


@transaction.atomic
def case_respond(
    *,
    case: Case,
    by: User,
    text: str,
    files: Iterable[UploadedFile[Any]] = (),
    representative_name: str = "",
    representative_email: str = "",
) -> CaseEvent:
    """The contractor answers the notice (more than once if they like, until the decision)."""
    files = _check_uploads(files, field="files")
    case = _lock(case)
    if case.contractor.user_id != by.pk:
        raise ValidationError(_("Only the contractor answers their case."))
    text = _require(text, "text")
    _move(case, CaseStatus.RESPONDED)
    email = (representative_email or "").strip()
    if email.lower() != case.representative_email.lower():
        # A new representative, or none: the links sent to the one before stop working.
        case.representative_since = timezone.now() if email else None
    case.representative_name = (representative_name or "").strip()
    case.representative_email = email
    case.save(
        update_fields=[
            "status",
            "representative_name",
            "representative_email",
            "representative_since",
            "updated_at",
        ]
    )
    event = _event(case, CaseEventKind.RESPONSE, by=by, text=text)
    _attach(case, event, files)
    return event


def _check_uploads(files: Iterable[UploadedFile[Any]], *, field: str) -> list[UploadedFile[Any]]:
    """Each file a PDF, PNG or JPEG by its content (whatever its name says), within the
    size limit; the refusal names the form field it belongs to."""
    checked = list(files)
    for upload in checked:
        try:
            inspect_attachment(upload, max_bytes=settings.CASE_UPLOAD_MAX_BYTES)
        except ValidationError as exc:
            raise ValidationError({field: exc.error_list}) from exc
    return checked


def _attach(case: Case, event: CaseEvent, files: Iterable[UploadedFile[Any]]) -> None:
    for upload in files:
        CaseAttachment.objects.create(case=case, event=event, file=upload, uploaded_at=event.at)


# --- Decision ----------------------------------------------------------------------


@transaction.atomic
def case_decide(*, case: Case, by: User, decision: Decision) -> Case:
    """A named person decides, giving reasons; a sanction applies from its effective date."""
    _require_perm(by, "projects.decide_case")
    case = _lock(case)
    reasons = _require(decision.reasons, "reasons")
    now = timezone.now()
    if case.status == CaseStatus.NOTICED and case.response_due_at and now < case.response_due_at:
        raise ValidationError(
            _("The contractor has until %(due)s to answer; decide after that or after they do."),
            params={"due": format_moment(case.response_due_at)},
        )
    _check_outcome(case, decision.outcome, field="outcome")
    effective_at = _effective_at(case, decision, now)
    _move(case, CaseStatus.CLOSED if decision.outcome == Sanction.NO_ACTION else CaseStatus.DECIDED)
    case.outcome, case.decision_reasons = decision.outcome, reasons
    case.decided_by, case.decided_at, case.effective_at = by, now, effective_at
    case.suspended_until = decision.suspended_until
    case.appeal_due_at = now + timedelta(days=settings.CASE_APPEAL_DAYS)
    case.save()
    _event(case, CaseEventKind.DECISION, by=by, text=reasons)
    _tell_decided(case)
    if effective_at <= now and decision.outcome in _SANCTIONS:
        _apply_sanction(case)
    return case


def _tell_decided(case: Case) -> None:
    _tell(
        case,
        kind=NotificationKind.CASE_DECIDED,
        notice=_NoticeText(
            gettext_lazy("Case %(number)s decided: %(outcome)s"),
            gettext_lazy(
                "%(decider)s decided: %(outcome)s, from %(effective)s. Reasons: %(reasons)s "
                "You can appeal until %(due)s; a different person will hear it. Hours you worked "
                "stay payable."
            ),
            number=case.pk,
            outcome=case.get_outcome_display,
            decider=lambda: case.decided_by.public_name if case.decided_by else "",
            effective=lambda: format_moment(case.effective_at),
            reasons=case.decision_reasons,
            due=lambda: format_moment(case.appeal_due_at),
        ),
    )


# --- Appeal ------------------------------------------------------------------------


@transaction.atomic
def case_appeal(
    *, case: Case, by: User, text: str, files: Iterable[UploadedFile[Any]] = ()
) -> Case:
    files = _check_uploads(files, field="files")
    case = _lock(case)
    if case.contractor.user_id != by.pk:
        raise ValidationError(_("Only the contractor appeals their case."))
    text = _require(text, "text")
    if case.appeal_due_at is None or timezone.now() > case.appeal_due_at:
        raise ValidationError(_("The time to appeal this decision has passed."))
    _move(case, CaseStatus.APPEALED)
    case.appeal_text, case.appealed_at = text, timezone.now()
    case.appeal_target_at = case.appealed_at + timedelta(days=settings.CASE_APPEAL_TARGET_DAYS)
    case.save(update_fields=["status", "appeal_text", "appealed_at", "appeal_target_at"])
    event = _event(case, CaseEventKind.APPEAL, by=by, text=text)
    _attach(case, event, files)
    return case


@transaction.atomic
def case_appeal_decide(*, case: Case, by: User, decision: AppealDecision) -> Case:
    """A different named person hears the appeal: the decision stands or is overturned."""
    _require_perm(by, "projects.decide_case")
    case = _lock(case)
    if by.pk == case.decided_by_id:
        raise ValidationError(_("The appeal is heard by someone other than the first decider."))
    reasons = _require(decision.reasons, "reasons")
    if decision.outcome not in AppealOutcome.values:
        raise ValidationError({"outcome": [_("Choose an outcome.")]})
    overturned = decision.outcome == AppealOutcome.OVERTURNED
    _move(case, CaseStatus.REINSTATED if overturned else CaseStatus.CLOSED)
    case.appeal_outcome, case.appeal_reasons = decision.outcome, reasons
    case.appeal_decided_by, case.appeal_decided_at = by, timezone.now()
    case.save()
    _event(case, CaseEventKind.APPEAL_DECISION, by=by, text=reasons)
    if overturned:
        _reinstate(case, by=by, decision=decision)
    _tell(
        case,
        kind=NotificationKind.CASE_APPEAL,
        notice=_NoticeText(
            gettext_lazy("Your appeal in case %(number)s: %(outcome)s"),
            gettext_lazy("%(decider)s heard your appeal: %(outcome)s. Reasons: %(reasons)s"),
            number=case.pk,
            outcome=case.get_appeal_outcome_display,
            decider=lambda: by.public_name,
            reasons=reasons,
        ),
    )
    return case


# --- Closing -----------------------------------------------------------------------


@transaction.atomic
def case_close(*, case: Case, by: User, reason: str) -> Case:
    """Close without a sanction (dropped, or the appeal window passed)."""
    case = _lock(case)
    reason = _require(reason, "reason")
    if (
        case.status == CaseStatus.DECIDED
        and case.appeal_due_at
        and timezone.now() < case.appeal_due_at
    ):
        raise ValidationError(
            _("The contractor can still appeal; close it after %(due)s."),
            params={"due": format_moment(case.appeal_due_at)},
        )
    _move(case, CaseStatus.CLOSED)
    case.save(update_fields=["status", "updated_at"])
    if case.interim_until is not None and case.interim_ended_at is None:
        _end_interim(case)
    _event(case, CaseEventKind.CLOSED, by=by, text=reason)
    _tell(
        case,
        kind=NotificationKind.CASE_STATUS,
        notice=_NoticeText(
            gettext_lazy("Case %(number)s is closed"),
            gettext_lazy("The note: %(reason)s"),
            number=case.pk,
            reason=reason,
        ),
    )
    return case
