"""Every write to assignments and their rate history."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import validate_currency
from accounts.models import ContractorProfile, ContractorStatus, User
from portal.dates import day_label, local_today
from portal.typed_text import writer_language
from projects import notices
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentStatus,
    AssignmentStatusChange,
    EntryStatus,
    Project,
    ProjectStatus,
    TimeEntry,
)
from projects.time_rules import rate_on


def _record(assignment: Assignment, *, from_status: str, by: User, reason: str = "") -> None:
    AssignmentStatusChange.objects.create(
        assignment=assignment,
        from_status=from_status,
        to_status=assignment.status,
        reason=reason,
        by=by,
        at=timezone.now(),
    )


@transaction.atomic
def assignment_create(
    *,
    project: Project,
    contractor: ContractorProfile,
    by: User,
    start_on: date | None = None,
    weekly_cap_minutes: int | None = None,
    rate_minor: int | None = None,
    currency: str | None = None,
) -> Assignment:
    """Put an active contractor on a project at a rate (the project's default unless given)."""
    contractor = ContractorProfile.objects.select_for_update().get(pk=contractor.pk)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if contractor.status != ContractorStatus.ACTIVE:
        raise ValidationError(_not_assignable(contractor), params={"name": contractor.legal_name})
    if project.status == ProjectStatus.CLOSED:
        raise ValidationError(_("«%(name)s» is closed."), params={"name": project.name})
    start_on = start_on or max(project.start_on, local_today(contractor.time_zone))
    if start_on < project.start_on or (project.end_on and start_on > project.end_on):
        raise ValidationError(
            {"start_on": [_("The assignment must start within the project's dates.")]}
        )
    assignment = Assignment(
        project=project,
        contractor=contractor,
        start_on=start_on,
        end_on=project.end_on,
        weekly_cap_minutes=weekly_cap_minutes,
        assigned_by=by,
    )
    assignment.full_clean(exclude=["project", "contractor", "assigned_by"], validate_unique=False)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError(
            _("%(name)s is already on «%(project)s»."),
            params={"name": contractor.legal_name, "project": project.name},
        ) from None
    rate = _rate_create(
        assignment,
        rate_minor=project.default_rate_minor if rate_minor is None else rate_minor,
        currency=currency or project.currency,
        effective_on=start_on,
        by=by,
    )
    _record(assignment, from_status="", by=by)
    notices.assignment_added_notify(assignment, rate)
    return assignment


def _not_assignable(contractor: ContractorProfile) -> str:
    """Why a contractor who is not active can't be assigned, with ``%(name)s`` for them."""
    if contractor.status == ContractorStatus.SUSPENDED:
        return _("%(name)s is suspended; only active contractors can be assigned.")
    if contractor.status == ContractorStatus.OFFBOARDED:
        return _("%(name)s is offboarded; only active contractors can be assigned.")
    if contractor.status == ContractorStatus.ONBOARDING:
        return _("%(name)s is still onboarding; only active contractors can be assigned.")
    return _("%(name)s is an applicant; only active contractors can be assigned.")


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("project", "contractor")
        .get(pk=assignment.pk)
    )


def _refuse_entries_after(assignment: Assignment, end_on: date) -> None:
    last = (
        TimeEntry.objects.filter(assignment=assignment, work_on__gt=end_on)
        .order_by("-work_on")
        .values_list("work_on", flat=True)
        .first()
    )
    if last is not None:
        raise ValidationError(
            {
                "end_on": [
                    _("There is time logged up to %(day)s; end it on or after that.")
                    % {"day": day_label(last)}
                ]
            }
        )


@transaction.atomic
def assignment_update(
    *, assignment: Assignment, by: User, weekly_cap_minutes: int | None, end_on: date | None
) -> Assignment:
    assignment = _lock(assignment)
    if end_on is not None:
        if end_on < assignment.start_on:
            raise ValidationError({"end_on": [_("The end can't come before the start.")]})
        _refuse_entries_after(assignment, end_on)
    assignment.weekly_cap_minutes = weekly_cap_minutes
    assignment.end_on = end_on
    assignment.full_clean(exclude=["project", "contractor", "assigned_by"], validate_unique=False)
    assignment.save(update_fields=["weekly_cap_minutes", "end_on", "updated_at"])
    return assignment


def _stop(
    assignment: Assignment, *, to: str, end_on: date | None, by: User, reason: str
) -> Assignment:
    if not assignment.can_transition_to(to):
        if assignment.status == AssignmentStatus.REMOVED:
            raise ValidationError(_("This assignment is removed already."))
        raise ValidationError(_("This assignment is ended already."))
    # Work dates are on the contractor's calendar, so "today" is theirs too.
    end_on = end_on or max(assignment.start_on, local_today(assignment.contractor.time_zone))
    if end_on < assignment.start_on:
        raise ValidationError({"end_on": [_("The end can't come before the start.")]})
    _refuse_entries_after(assignment, end_on)
    from_status = assignment.status
    assignment.status = to
    assignment.end_on = end_on
    assignment.ended_at = timezone.now()
    assignment.removal_reason = reason
    assignment.written_in = writer_language() if reason else ""
    assignment.save(
        update_fields=["status", "end_on", "ended_at", "removal_reason", "written_in", "updated_at"]
    )
    _record(assignment, from_status=from_status, by=by, reason=reason)
    notices.assignment_stopped_notify(assignment)
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, by: User, end_on: date | None = None) -> Assignment:
    """End the assignment; time up to and including ``end_on`` can still be logged."""
    return _stop(_lock(assignment), to=AssignmentStatus.ENDED, end_on=end_on, by=by, reason="")


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by: User, reason: str) -> Assignment:
    """Take the contractor off the project, with a reason they will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the contractor a reason; they will read it.")]})
    return _stop(_lock(assignment), to=AssignmentStatus.REMOVED, end_on=None, by=by, reason=reason)


@transaction.atomic
def assignment_reinstate(*, assignment: Assignment, by: User) -> Assignment:
    assignment = _lock(assignment)
    if not assignment.can_transition_to(AssignmentStatus.ACTIVE):
        raise ValidationError(_("This assignment is active already."))
    if assignment.contractor.status != ContractorStatus.ACTIVE:
        raise ValidationError(_("Only active contractors can be assigned."))
    if assignment.project.status == ProjectStatus.CLOSED:
        raise ValidationError(_("«%(name)s» is closed."), params={"name": assignment.project.name})
    from_status = assignment.status
    assignment.status = AssignmentStatus.ACTIVE
    assignment.end_on = assignment.project.end_on
    assignment.ended_at = None
    assignment.removal_reason, assignment.written_in = "", ""
    assignment.save(
        update_fields=["status", "end_on", "ended_at", "removal_reason", "written_in", "updated_at"]
    )
    _record(assignment, from_status=from_status, by=by)
    today = local_today(assignment.contractor.time_zone)
    rate = rate_on(assignment.rates.all(), max(today, assignment.start_on))
    assert rate is not None  # every assignment has a rate from its start (assignment_create).
    notices.assignment_added_notify(assignment, rate)
    return assignment


# --- Rates -----------------------------------------------------------------------


def _rate_create(
    assignment: Assignment, *, rate_minor: int, currency: str, effective_on: date, by: User
) -> AssignmentRate:
    rate = AssignmentRate(
        assignment=assignment,
        rate_minor=rate_minor,
        currency=currency,
        effective_on=effective_on,
        set_by=by,
    )
    rate.full_clean(exclude=["assignment", "set_by"], validate_unique=False)
    rate.save()
    return rate


@transaction.atomic
def assignment_rate_set(
    *, assignment: Assignment, by: User, rate_minor: int, currency: str, effective_on: date
) -> AssignmentRate:
    """Add a rate from ``effective_on`` on; hours already submitted keep the rate they had.

    Drafts and rejected entries from that day on are repriced now, since they
    have not been claimed yet and must carry the rate in force on their day.
    """
    assignment = _lock(assignment)
    validate_currency(currency)
    if effective_on < assignment.start_on:
        raise ValidationError(
            {
                "effective_on": [
                    _("The assignment starts on %(day)s.") % {"day": day_label(assignment.start_on)}
                ]
            }
        )
    if assignment.rates.filter(effective_on=effective_on).exists():
        raise ValidationError(
            {"effective_on": [_("A rate already starts on that day; rates are never edited.")]}
        )
    claimed = TimeEntry.objects.filter(assignment=assignment, work_on__gte=effective_on).exclude(
        status__in=[EntryStatus.DRAFT, EntryStatus.REJECTED]
    )
    if claimed.exists():
        raise ValidationError(
            {
                "effective_on": [
                    _(
                        "Hours from that day on are already submitted or approved; "
                        "a new rate can't reprice them."
                    )
                ]
            }
        )
    rate = _rate_create(
        assignment, rate_minor=rate_minor, currency=currency, effective_on=effective_on, by=by
    )
    _reprice_open_entries(assignment, since=effective_on)
    notices.assignment_rate_notify(assignment, rate)
    return rate


def _reprice_open_entries(assignment: Assignment, *, since: date) -> None:
    entries = list(
        TimeEntry.objects.filter(
            assignment=assignment,
            work_on__gte=since,
            status__in=[EntryStatus.DRAFT, EntryStatus.REJECTED],
        )
    )
    rates = list(assignment.rates.all())
    for entry in entries:
        rate = rate_on(rates, entry.work_on)
        assert rate is not None  # the new rate is in force from ``since`` on.
        entry.rate_minor, entry.currency = rate.rate_minor, rate.currency
    TimeEntry.objects.bulk_update(entries, ["rate_minor", "currency"])
