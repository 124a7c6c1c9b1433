"""Sanctions and their end: applied only from a decision, on its effective date;
interim suspensions; reinstatement with back pay; and the beat job that applies
what came due (``cases_apply_due``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services as accounts_services
from accounts.models import (
    INTERIM_CATEGORIES,
    ContractorProfile,
    ContractorStatus,
    Sanction,
    User,
)
from portal.dates import format_moment
from portal.models import NotificationKind
from portal.money import line_amount
from projects.models import (
    BACK_PAY_WEEKS,
    AppealOutcome,
    Assignment,
    AssignmentStatus,
    Case,
    CaseBackPay,
    CaseEventKind,
    CaseStatus,
    EntryStatus,
    TimeEntry,
    business_days_after,
)
from projects.services.assignments import assignment_reinstate, remove_for_cause
from projects.services.cases.procedure import (
    _SANCTIONS,
    AppealDecision,
    _event,
    _lock,
    _NoticeText,
    _require,
    _require_perm,
    _tell_representative,
)

# --- Applying a sanction -----------------------------------------------------------


def _apply_sanction(case: Case) -> None:
    """Suspend, offboard or remove for cause, as the decision ordered (case already locked)."""
    # The decider's own words, as typed: the notices that carry them say which case in the
    # reader's language, so no sentence of ours is frozen here in the decider's language.
    reason = case.decision_reasons
    profile = case.contractor
    # A decided case always has its decider (the constraint case_decision_named_and_reasoned).
    assert case.decided_by is not None
    if case.outcome == Sanction.REMOVAL:
        assert case.assignment is not None  # _check_outcome refuses removal without one.
        if case.assignment.status == AssignmentStatus.ACTIVE:
            remove_for_cause(assignment=case.assignment, by=case.decided_by, case=case)
    elif case.outcome == Sanction.SUSPENSION and profile.status == ContractorStatus.ACTIVE:
        accounts_services.contractor_suspend(
            profile=profile, by=case.decided_by, reason=reason, case=case
        )
    elif case.outcome == Sanction.OFFBOARDING and profile.status != ContractorStatus.OFFBOARDED:
        accounts_services.contractor_offboard(
            profile=profile, by=case.decided_by, reason=reason, case=case
        )
    case.sanction_applied_at = timezone.now()
    case.save(update_fields=["sanction_applied_at", "updated_at"])
    _event(case, CaseEventKind.SANCTION, by=None, text=case.get_outcome_display())
    # The contractor hears it from their account or assignment notice; the representative here.
    _tell_representative(
        case,
        kind=NotificationKind.CASE_STATUS,
        notice=_NoticeText(
            gettext_lazy("The decision in case %(number)s now applies"),
            gettext_lazy("%(outcome)s applies from now. Hours already worked stay payable."),
            number=case.pk,
            outcome=case.get_outcome_display,
        ),
    )


# --- Interim suspension ------------------------------------------------------------


@transaction.atomic
def case_interim_suspend(
    *, case: Case, by: User, reason: str, business_days: int | None = None
) -> Case:
    """Suspend while a safety or fraud case is heard, for at most
    ``CASE_INTERIM_MAX_BUSINESS_DAYS`` business days (the most, unless fewer are given)."""
    _require_perm(by, "projects.interim_suspend_case")
    most = settings.CASE_INTERIM_MAX_BUSINESS_DAYS
    if business_days is None:
        business_days = most
    case = _lock(case)
    reason = _require(reason, "reason")
    if case.rule.category not in INTERIM_CATEGORIES:
        raise ValidationError(_("An interim suspension is only for safety or fraud rules."))
    if not 1 <= business_days <= most:
        raise ValidationError(
            {
                "business_days": [
                    _("An interim suspension lasts 1 to %(days)d business days.") % {"days": most}
                ]
            }
        )
    if case.decided_at is not None or case.status in {CaseStatus.CLOSED, CaseStatus.SIGNALLED}:
        raise ValidationError(_("An interim suspension is only for an open, undecided case."))
    if case.interim_until is not None:
        raise ValidationError(_("This case had its interim suspension already."))
    case.interim_until = business_days_after(timezone.now(), business_days)
    case.save(update_fields=["interim_until", "updated_at"])
    accounts_services.contractor_suspend(profile=case.contractor, by=by, reason=reason, case=case)
    _event(case, CaseEventKind.INTERIM, by=by, text=reason)
    _tell_representative(
        case,
        kind=NotificationKind.CASE_STATUS,
        notice=_NoticeText(
            gettext_lazy("Interim suspension in case %(number)s"),
            gettext_lazy(
                "Suspended while the case is heard, until %(until)s at the latest. "
                "The reason: %(reason)s"
            ),
            number=case.pk,
            until=lambda: format_moment(case.interim_until),
            reason=reason,
        ),
    )
    return case


def _end_interim(case: Case) -> None:
    case.interim_ended_at = timezone.now()
    case.save(update_fields=["interim_ended_at", "updated_at"])
    profile = ContractorProfile.objects.get(pk=case.contractor_id)
    if profile.status == ContractorStatus.SUSPENDED:
        accounts_services.contractor_reinstate(
            profile=profile,
            by=None,
            reason=_("The interim suspension in case %(number)s ended.") % {"number": case.pk},
        )
    _event(case, CaseEventKind.INTERIM_ENDED, by=None)
    _tell_representative(
        case,
        kind=NotificationKind.CASE_STATUS,
        notice=_NoticeText(
            gettext_lazy("The interim suspension in case %(number)s ended"),
            gettext_lazy("The interim suspension has ended; the case goes on."),
            number=case.pk,
        ),
    )


# --- Reinstatement and back pay ----------------------------------------------------


def _reinstate(case: Case, *, by: User, decision: AppealDecision) -> None:
    """Undo what the decision took: the status, the assignment; grant back pay for time out."""
    reason = _("Reinstated on appeal in case %(number)s.") % {"number": case.pk}
    profile = ContractorProfile.objects.get(pk=case.contractor_id)
    if case.sanction_applied_at is not None and profile.status in {
        ContractorStatus.SUSPENDED,
        ContractorStatus.OFFBOARDED,
    }:
        profile = accounts_services.contractor_reinstate(
            profile=profile, by=by, reason=reason, case=case
        )
    if case.sanction_applied_at is not None:
        for assignment in _assignments_taken(case):
            assignment_reinstate(assignment=assignment, by=by)
        _grant_back_pay(case, by=by, decision=decision)
    case.sanction_lifted_at = timezone.now()
    case.save(update_fields=["sanction_lifted_at"])
    _event(case, CaseEventKind.REINSTATED, by=by, text=reason)


def _assignments_taken(case: Case) -> list[Assignment]:
    """The assignment removed for this case, or those that ended with the account sanction."""
    if case.outcome == Sanction.REMOVAL:
        return [a for a in [case.assignment] if a and a.status == AssignmentStatus.REMOVED]
    assert case.sanction_applied_at is not None
    return list(
        Assignment.objects.filter(
            contractor_id=case.contractor_id,
            status__in=[AssignmentStatus.REMOVED, AssignmentStatus.ENDED],
            ended_at__gte=case.sanction_applied_at - timedelta(minutes=1),
        ).select_related("project", "contractor")
    )


def back_pay_default(case: Case, *, until: datetime | None = None) -> tuple[int, str, int]:
    """(amount, currency, days out): average weekly approved earnings × the time out.

    The average is over the ``BACK_PAY_WEEKS`` weeks before the sanction, in
    the currency most of those hours were paid in.
    """
    assert case.sanction_applied_at is not None
    start = case.sanction_applied_at.date()
    entries = TimeEntry.objects.filter(
        assignment__contractor_id=case.contractor_id,
        status=EntryStatus.APPROVED,
        work_on__gte=start - timedelta(weeks=BACK_PAY_WEEKS),
        work_on__lt=start,
    ).values_list("minutes", "rate_minor", "currency")
    totals: dict[str, int] = {}
    for minutes, rate_minor, currency in entries:
        totals[currency] = totals.get(currency, 0) + line_amount(minutes, rate_minor or 0)
    days_out = max(0, ((until or timezone.now()) - case.sanction_applied_at).days)
    if not totals:
        # Nothing earned in the weeks before: no default, but a manager may still grant some.
        return 0, case.contractor.payout_currency, days_out
    currency = max(totals, key=lambda code: totals[code])
    per_period = BACK_PAY_WEEKS * 7
    # Half-up in integers: the average per day × days out, rounded once.
    amount = (2 * totals[currency] * days_out + per_period) // (2 * per_period)
    return amount, currency, days_out


def _grant_back_pay(case: Case, *, by: User, decision: AppealDecision) -> None:
    default, currency, days_out = back_pay_default(case)
    amount = default if decision.back_pay_minor is None else decision.back_pay_minor
    reason = (decision.back_pay_reason or "").strip()
    if amount != default and not reason:
        raise ValidationError(
            {"back_pay_reason": [_("Say why the back pay differs from the computed amount.")]}
        )
    if amount < 0:
        raise ValidationError({"back_pay_minor": [_("Back pay can't be negative.")]})
    if amount == 0 or not currency:
        return
    CaseBackPay.objects.create(
        case=case,
        amount_minor=amount,
        currency=currency,
        default_minor=default,
        days_out=days_out,
        reason=reason,
        set_by=by,
    )


# --- The clock ---------------------------------------------------------------------


def cases_apply_due() -> int:
    """Apply sanctions whose date came; end suspensions and interim suspensions on their date.

    Idempotent: each case is locked and re-checked before it changes.
    """
    now = timezone.now()
    done = 0
    due = Case.objects.filter(
        Q(
            decided_at__isnull=False,
            sanction_applied_at__isnull=True,
            effective_at__lte=now,
            outcome__in=list(_SANCTIONS),
        )
        & ~Q(appeal_outcome=AppealOutcome.OVERTURNED)
        | Q(interim_until__lte=now, interim_ended_at__isnull=True)
        | Q(
            outcome=Sanction.SUSPENSION,
            sanction_applied_at__isnull=False,
            sanction_lifted_at__isnull=True,
            suspended_until__lte=now.date(),
        )
    ).values_list("pk", flat=True)
    for pk in list(due):
        done += _apply_due_one(pk, now)
    return done


@transaction.atomic
def _apply_due_one(pk: int, now: datetime) -> int:
    case = _lock(Case(pk=pk))
    changed = 0
    if case.interim_until and case.interim_until <= now and case.interim_ended_at is None:
        _end_interim(case)
        changed = 1
    if (
        case.decided_at
        and case.sanction_applied_at is None
        and case.outcome in _SANCTIONS
        and case.effective_at
        and case.effective_at <= now
        and case.appeal_outcome != AppealOutcome.OVERTURNED
    ):
        _apply_sanction(case)
        changed = 1
    elif (
        case.outcome == Sanction.SUSPENSION
        and case.sanction_applied_at
        and case.sanction_lifted_at is None
        and case.suspended_until
        and case.suspended_until <= now.date()
    ):
        _lift_suspension(case)
        changed = 1
    return changed


def _lift_suspension(case: Case) -> None:
    case.sanction_lifted_at = timezone.now()
    case.save(update_fields=["sanction_lifted_at", "updated_at"])
    profile = ContractorProfile.objects.get(pk=case.contractor_id)
    if profile.status == ContractorStatus.SUSPENDED:
        accounts_services.contractor_reinstate(
            profile=profile,
            by=None,
            reason=_("The suspension in case %(number)s ended.") % {"number": case.pk},
        )
    _event(case, CaseEventKind.SANCTION_LIFTED, by=None)
    _tell_representative(
        case,
        kind=NotificationKind.CASE_STATUS,
        notice=_NoticeText(
            gettext_lazy("The suspension in case %(number)s ended"),
            gettext_lazy("The suspension has ended on its date."),
            number=case.pk,
        ),
    )
