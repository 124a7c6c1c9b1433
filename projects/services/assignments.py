"""Every write to assignments and their rate history."""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.choices import validate_currency
from accounts.models import ContractorProfile, ContractorStatus, Sanction, User
from accounts.services.contractors import SanctionOrder
from portal.dates import day_label, local_today
from portal.typed_text import writer_language
from projects import notices
from projects.floor_rules import refuse_below_contractor_floor
from projects.models import (
    Assignment,
    AssignmentRate,
    AssignmentRateCorrection,
    AssignmentStatus,
    AssignmentStatusChange,
    ContentWarning,
    EntryStatus,
    Project,
    ProjectStatus,
    RemovalGround,
    TimeEntry,
)
from projects.services.floors import floor_exception_covers
from projects.time_rules import rate_on

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
    content_warning_read: bool = False,
) -> Assignment:
    """Put an active contractor on a project at a rate (the project's default unless given).

    A project with a content warning takes only contractors who read it and chose to
    join (``content_warning_read``, set by accepting an invitation).
    """
    contractor = ContractorProfile.objects.select_for_update().get(pk=contractor.pk)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.content_warning != ContentWarning.NONE and not content_warning_read:
        raise ValidationError(
            _(
                "«%(name)s» carries a content warning, so nobody is assigned to it directly: "
                "invite the contractor instead, so they read the warning and choose."
            ),
            params={"name": project.name},
        )
    if contractor.status != ContractorStatus.ACTIVE:
        raise ValidationError(_not_assignable(contractor), params={"name": contractor.legal_name})
    if project.status == ProjectStatus.CLOSED:
        raise ValidationError(_("«%(name)s» is closed."), params={"name": project.name})
    if project.is_paid_activity:
        # Enrolment (services.paid_activities) floors the rate and admits onboarding people.
        raise ValidationError(
            _("«%(name)s» is a paid assessment or training; enrol contractors in it instead."),
            params={"name": project.name},
        )
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
    rate_minor = project.default_rate_minor if rate_minor is None else rate_minor
    currency = currency or project.currency
    validate_currency(currency)
    refuse_below_contractor_floor(
        contractor, rate_minor=rate_minor, currency=currency, on=start_on, field="rate"
    )
    rate = _rate_create(
        assignment,
        rate_minor=rate_minor,
        currency=currency,
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


@transaction.atomic
def assignment_forecast_set(
    *, assignment: Assignment, by: User, expected_weekly_minutes: int | None
) -> Assignment:
    """Set the hours a week the contractor can expect over the next four weeks.

    ``None`` falls back to the project's expected hours. The contractor sees
    the forecast on My projects; standby pay for short notice reads it too.
    """
    assignment = _lock(assignment)
    if assignment.status != AssignmentStatus.ACTIVE:
        raise ValidationError(_("Only an active assignment carries a forecast."))
    assignment.expected_weekly_minutes = expected_weekly_minutes
    assignment.expected_set_at = timezone.now()
    assignment.full_clean(exclude=["project", "contractor", "assigned_by"], validate_unique=False)
    assignment.save(update_fields=["expected_weekly_minutes", "expected_set_at", "updated_at"])
    return assignment


def _stop(
    assignment: Assignment,
    *,
    to: str,
    end_on: date | None,
    by: User,
    reason: str,
    not_about_them: "StrOrPromise" = "",
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
    notices.assignment_stopped_notify(assignment, not_about_them=not_about_them)
    return assignment


@transaction.atomic
def assignment_end(*, assignment: Assignment, by: User, end_on: date | None = None) -> Assignment:
    """End the assignment; time up to and including ``end_on`` can still be logged."""
    return _stop(_lock(assignment), to=AssignmentStatus.ENDED, end_on=end_on, by=by, reason="")


@transaction.atomic
def assignment_remove(*, assignment: Assignment, by: User, reason: str, ground: str) -> Assignment:
    """Take the contractor off the project for a reason that is not about them.

    ``ground`` (a ``RemovalGround``) says so to the contractor. Removal for
    cause, about the person or their work, only follows a case decision
    (``remove_for_cause``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the contractor a reason; they will read it.")]})
    if ground not in RemovalGround.values:
        raise ValidationError(
            {
                "ground": [
                    _("Choose why; removal for something the contractor did goes through a case.")
                ]
            }
        )
    return _stop(
        _lock(assignment),
        to=AssignmentStatus.REMOVED,
        end_on=None,
        by=by,
        reason=reason,
        # The label itself, not its text: the notice renders it in each reader's language.
        not_about_them=RemovalGround(ground).label,
    )


def remove_for_cause(*, assignment: Assignment, by: User, case: SanctionOrder) -> Assignment:
    """Removal ordered by a case decision (called by projects.services.cases only)."""
    assignment = _lock(assignment)
    if case.contractor_id != assignment.contractor_id or not case.orders(Sanction.REMOVAL):
        raise ValidationError(_("Removal for cause follows only a case decision."))
    reason = _("Decision in case %(number)s.") % {"number": case.case_number}
    return _stop(assignment, to=AssignmentStatus.REMOVED, end_on=None, by=by, reason=reason)


@transaction.atomic
def assignment_reinstate(*, assignment: Assignment, by: User) -> Assignment:
    assignment = _lock(assignment)
    if not assignment.can_transition_to(AssignmentStatus.ACTIVE):
        raise ValidationError(_("This assignment is active already."))
    # Someone still onboarding may be back in a paid assessment or training, not in work.
    allowed = [ContractorStatus.ACTIVE]
    if assignment.project.is_paid_activity:
        allowed.append(ContractorStatus.ONBOARDING)
    if assignment.contractor.status not in allowed:
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
    assignment: Assignment,
    *,
    rate_minor: int,
    currency: str,
    effective_on: date,
    by: User,
    reason: str = "",
) -> AssignmentRate:
    rate = AssignmentRate(
        assignment=assignment,
        rate_minor=rate_minor,
        currency=currency,
        effective_on=effective_on,
        reason=reason,
        written_in=writer_language() if reason else "",
        set_by=by,
    )
    rate.full_clean(exclude=["assignment", "set_by"], validate_unique=False)
    rate.save()
    return rate


def currency_paid_in(
    assignment: Assignment, day: date, *, excluding: AssignmentRate | None = None
) -> str:
    """The currency ``assignment`` is paid in up to ``day``: its rate's then, else its project's.

    ``excluding`` leaves one rate out (the one being corrected). Reads
    ``assignment.rates.all()``, so a prefetch serves it.
    """
    rates = [
        rate for rate in assignment.rates.all() if excluding is None or rate.pk != excluding.pk
    ]
    rate = rate_on(rates, day)
    return rate.currency if rate is not None else assignment.project.currency


def _refuse_currency_change(*, paid_in: str, currency: str, confirmed: bool) -> None:
    """A rate in another currency than the assignment is paid in must be meant, not slipped in."""
    if currency != paid_in and not confirmed:
        raise ValidationError(
            {
                "currency": [
                    _(
                        "This assignment is paid in %(current)s. To pay it in %(new)s "
                        "instead, confirm the change of currency."
                    )
                    % {"current": paid_in, "new": currency}
                ]
            }
        )


@transaction.atomic
def assignment_rate_set(
    *,
    assignment: Assignment,
    by: User,
    rate_minor: int,
    currency: str,
    effective_on: date,
    reason: str = "",
    currency_change_confirmed: bool = False,
) -> AssignmentRate:
    """Add a rate from ``effective_on`` on; hours already worked never lose pay by it.

    A raise may be back-dated: the hours it reaches that are not approved yet
    (drafts, submitted, rejected) carry it now; approved hours keep the rate
    they were approved at. A cut reaches no day already begun: it starts at
    the earliest ``RATE_CUT_NOTICE_DAYS`` after today in the contractor's
    zone, and needs a ``reason`` the contractor reads. A currency other than
    the one the assignment is paid in up to that day needs
    ``currency_change_confirmed``.
    """
    assignment = _lock(assignment)
    validate_currency(currency)
    reason = (reason or "").strip()
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
            {
                "effective_on": [
                    _(
                        "A rate already starts on that day. If it is wrong and has not "
                        "priced approved hours, correct it instead."
                    )
                ]
            }
        )
    _refuse_currency_change(
        paid_in=currency_paid_in(assignment, effective_on),
        currency=currency,
        confirmed=currency_change_confirmed,
    )
    _refuse_below_floor(assignment, rate_minor=rate_minor, currency=currency, on=effective_on)
    repriced = [EntryStatus.DRAFT, EntryStatus.REJECTED, EntryStatus.SUBMITTED]
    if _is_cut(assignment, rate_minor=rate_minor, currency=currency, day=effective_on):
        _refuse_early_cut(assignment, effective_on=effective_on, reason=reason)
        repriced.remove(EntryStatus.SUBMITTED)
        _refuse_repricing_claimed(assignment, since=effective_on, open_statuses=repriced)
    rate = _rate_create(
        assignment,
        rate_minor=rate_minor,
        currency=currency,
        effective_on=effective_on,
        by=by,
        reason=reason,
    )
    _reprice_open_entries(assignment, since=effective_on, statuses=repriced)
    notices.assignment_rate_notify(assignment, rate)
    return rate


def _refuse_below_floor(
    assignment: Assignment, *, rate_minor: int, currency: str, on: date
) -> None:
    """A rate below the contractor's floor on its first day is refused, naming the floor,
    unless a floor exception covers that day."""
    if floor_exception_covers(assignment, on):
        return
    refuse_below_contractor_floor(
        assignment.contractor, rate_minor=rate_minor, currency=currency, on=on, field="rate"
    )


def _is_cut(assignment: Assignment, *, rate_minor: int, currency: str, day: date) -> bool:
    """Whether the rate pays less than the one in force on ``day``.

    Only amounts in one currency compare; a change of currency is confirmed
    on its own (``currency_change_confirmed``).
    """
    current = rate_on(assignment.rates.all(), day)
    return current is not None and current.currency == currency and rate_minor < current.rate_minor


def _refuse_early_cut(assignment: Assignment, *, effective_on: date, reason: str) -> None:
    today = local_today(assignment.contractor.time_zone)
    earliest = today + timedelta(days=settings.RATE_CUT_NOTICE_DAYS)
    errors: dict[str, list[str]] = {}
    if effective_on < today:
        errors["effective_on"] = [
            _(
                "A lower rate can't reach hours already worked. It can start on %(day)s "
                "at the earliest."
            )
            % {"day": day_label(earliest)}
        ]
    elif effective_on < earliest:
        errors["effective_on"] = [
            ngettext(
                "A lower rate needs %(count)d day's notice: it can start on %(day)s at the "
                "earliest.",
                "A lower rate needs %(count)d days' notice: it can start on %(day)s at the "
                "earliest.",
                settings.RATE_CUT_NOTICE_DAYS,
            )
            % {"count": settings.RATE_CUT_NOTICE_DAYS, "day": day_label(earliest)}
        ]
    if not reason:
        errors["reason"] = [_("Say why the rate goes down; the contractor will read it.")]
    if errors:
        raise ValidationError(errors)


def _refuse_repricing_claimed(
    assignment: Assignment, *, since: date, open_statuses: Sequence[str]
) -> None:
    claimed = TimeEntry.objects.filter(assignment=assignment, work_on__gte=since).exclude(
        status__in=open_statuses
    )
    if claimed.exists():
        raise ValidationError(
            {
                "effective_on": [
                    _(
                        "Hours from that day on are already submitted or approved; "
                        "a lower rate can't reprice them."
                    )
                ]
            }
        )


@transaction.atomic
def assignment_rate_correct(
    *,
    rate: AssignmentRate,
    by: User,
    rate_minor: int,
    currency: str,
    reason: str,
    currency_change_confirmed: bool = False,
) -> AssignmentRateCorrection:
    """Put right a mistaken rate that has not priced approved hours yet, and tell the contractor.

    The rate keeps its day; its amount and currency change, and the entries it
    priced that are not approved yet (drafts, submitted, rejected) carry the
    corrected rate. The correction is kept: what the rate was, who corrected
    it, when and why. A currency other than the one the assignment was paid in
    before this rate needs ``currency_change_confirmed``, unless it is the
    rate's own.
    """
    assignment = _lock(rate.assignment)
    rate = AssignmentRate.objects.select_for_update().get(pk=rate.pk, assignment=assignment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": [_("Say why the rate was wrong; the contractor will read it.")]}
        )
    validate_currency(currency)
    if (rate_minor, currency) == (rate.rate_minor, rate.currency):
        raise ValidationError(_("That is the rate already; nothing to correct."))
    if currency != rate.currency:
        _refuse_currency_change(
            paid_in=currency_paid_in(assignment, rate.effective_on, excluding=rate),
            currency=currency,
            confirmed=currency_change_confirmed,
        )
    _refuse_below_floor(assignment, rate_minor=rate_minor, currency=currency, on=rate.effective_on)
    in_force = _entries_in_force(assignment, rate)
    # Locked first, so no review can approve one of them while the rate changes.
    entries = list(in_force.select_for_update().order_by("pk"))
    # Only approved entries reach a payout; asking the lines too keeps money
    # already paid out of reach should that ever change.
    if in_force.filter(Q(status=EntryStatus.APPROVED) | Q(payout_lines__isnull=False)).exists():
        raise ValidationError(
            {
                "rate": [
                    _(
                        "Hours at this rate are already approved, so it can't be corrected: "
                        "they are paid at it. Set a new rate from a later day instead."
                    )
                ]
            }
        )
    correction = AssignmentRateCorrection.objects.create(
        rate=rate,
        from_rate_minor=rate.rate_minor,
        from_currency=rate.currency,
        to_rate_minor=rate_minor,
        to_currency=currency,
        reason=reason,
        written_in=writer_language(),
        by=by,
        at=timezone.now(),
    )
    rate.rate_minor, rate.currency = rate_minor, currency
    rate.full_clean(exclude=["assignment", "set_by"], validate_unique=False)
    rate.save(update_fields=["rate_minor", "currency"])
    for entry in entries:
        entry.rate_minor, entry.currency = rate_minor, currency
    TimeEntry.objects.bulk_update(entries, ["rate_minor", "currency"])
    notices.assignment_rate_corrected_notify(assignment, correction)
    return correction


def _entries_in_force(assignment: Assignment, rate: AssignmentRate) -> QuerySet[TimeEntry]:
    """The assignment's entries worked on the days ``rate`` is in force."""
    following = (
        assignment.rates.filter(effective_on__gt=rate.effective_on)
        .order_by("effective_on")
        .values_list("effective_on", flat=True)
        .first()
    )
    entries = TimeEntry.objects.filter(assignment=assignment, work_on__gte=rate.effective_on)
    return entries if following is None else entries.filter(work_on__lt=following)


def _reprice_open_entries(assignment: Assignment, *, since: date, statuses: Sequence[str]) -> None:
    # Locked, so no review approves one of them while it is repriced.
    entries = list(
        TimeEntry.objects.select_for_update()
        .filter(assignment=assignment, work_on__gte=since, status__in=statuses)
        .order_by("pk")
    )
    rates = list(assignment.rates.all())
    for entry in entries:
        rate = rate_on(rates, entry.work_on)
        assert rate is not None  # the new rate is in force from ``since`` on.
        entry.rate_minor, entry.currency = rate.rate_minor, rate.currency
    TimeEntry.objects.bulk_update(entries, ["rate_minor", "currency"])
