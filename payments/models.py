"""Pay periods, payouts and their lines: what is owed to whom, and what was paid.

Money is integer minor units with the currency's code (``payments.money``).
Foreign keys from money records are ``PROTECT``: nothing paid or owed
disappears because something it points to was deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ContractorProfile
from projects.models import EntryKind, Project, TimeEntry

# --- Pay periods -------------------------------------------------------------------


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class PayPeriod(models.Model):
    """One week of work. Closing it locks its time entries; its approved hours become payable."""

    TRANSITIONS = {PeriodStatus.OPEN: {PeriodStatus.CLOSED}, PeriodStatus.CLOSED: set()}

    start_on = models.DateField(unique=True)
    end_on = models.DateField()
    status = models.CharField(max_length=6, choices=PeriodStatus, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Empty when the schedule closed the period.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "pay period"
        ordering = ["-start_on"]
        permissions = [
            ("close_payperiod", "Can close pay periods"),
            ("generate_payouts", "Can generate the payouts of a closed pay period"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PeriodStatus.values), name="pay_period_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")), name="pay_period_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status=PeriodStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=PeriodStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="pay_period_closed_has_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_on:%d %b %Y} – {self.end_on:%d %b %Y}"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class PayPeriodStatusChange(models.Model):
    """Append-only history of a pay period's status."""

    period = models.ForeignKey(PayPeriod, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=6, choices=PeriodStatus)
    to_status = models.CharField(max_length=6, choices=PeriodStatus)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


# --- Payouts -----------------------------------------------------------------------


class PayoutStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


# A contractor has at most one of these per period and currency.
OPEN_PAYOUT_STATUSES = (PayoutStatus.DRAFT, PayoutStatus.APPROVED, PayoutStatus.FAILED)


class Payout(models.Model):
    """What one contractor is paid for one period in one currency: the sum of its lines and
    adjustments, kept on the row so lists and exports need no aggregate."""

    TRANSITIONS = {
        PayoutStatus.DRAFT: {PayoutStatus.APPROVED, PayoutStatus.CANCELLED},
        PayoutStatus.APPROVED: {PayoutStatus.PAID, PayoutStatus.FAILED},
        # Retrying a failed payment puts it back in the queue to pay.
        PayoutStatus.FAILED: {PayoutStatus.APPROVED},
        PayoutStatus.PAID: set(),
        PayoutStatus.CANCELLED: set(),
    }

    contractor = models.ForeignKey(
        ContractorProfile, on_delete=models.PROTECT, related_name="payouts"
    )
    # Looked up through the (period, status) index below.
    period = models.ForeignKey(
        PayPeriod, on_delete=models.PROTECT, related_name="payouts", db_index=False
    )
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=9, choices=PayoutStatus, default=PayoutStatus.DRAFT)
    minutes = models.PositiveBigIntegerField(default=0)
    gross_minor = models.BigIntegerField("gross (minor units)", default=0)
    adjustments_minor = models.BigIntegerField("adjustments (minor units)", default=0)
    net_minor = models.BigIntegerField("net (minor units)", default=0)
    reference = models.CharField("provider's reference", max_length=100, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period__start_on", "pk"]
        permissions = [
            ("approve_payout", "Can approve draft payouts"),
            ("pay_payout", "Can mark payouts paid or failed, and retry failed ones"),
            ("cancel_payout", "Can cancel draft payouts"),
            ("adjust_payout", "Can add bonuses, corrections and deductions to draft payouts"),
            ("export_payroll", "Can download payroll exports"),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="payout_period_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PayoutStatus.values), name="payout_status_valid"
            ),
            models.UniqueConstraint(
                fields=["contractor", "period", "currency"],
                condition=Q(status__in=OPEN_PAYOUT_STATUSES),
                name="payout_one_open_per_contractor_period_currency",
            ),
            models.CheckConstraint(
                condition=Q(net_minor=F("gross_minor") + F("adjustments_minor")),
                name="payout_net_is_gross_plus_adjustments",
            ),
            models.CheckConstraint(
                condition=~Q(status=PayoutStatus.PAID)
                | (Q(paid_on__isnull=False, paid_at__isnull=False) & ~Q(reference="")),
                name="payout_paid_has_reference_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=PayoutStatus.FAILED) | ~Q(failure_reason=""),
                name="payout_failed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[PayoutStatus.DRAFT, PayoutStatus.CANCELLED])
                | Q(approved_at__isnull=False),
                name="payout_approved_has_approved_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Payout #{self.pk}"

    def can_transition_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, set())


class PayoutLine(models.Model):
    """One approved time entry in a payout, priced once: the unique entry is the guarantee
    that no minute is paid twice."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="lines")
    # The unique constraint's index serves lookups by entry; a second one would only
    # slow down generating a period's lines.
    time_entry = models.ForeignKey(
        TimeEntry, on_delete=models.PROTECT, related_name="payout_lines", db_index=False
    )
    # A snapshot for display and exports, never looked up by: no index. No database
    # constraint either: the entry → assignment → project chain of PROTECT foreign
    # keys already keeps the project while the line exists, and a check per line
    # would cost as much as writing the line.
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    work_on = models.DateField("work date")
    kind = models.CharField(max_length=10, choices=EntryKind)
    minutes = models.PositiveIntegerField()
    rate_minor = models.PositiveIntegerField("hourly rate (minor units)")
    amount_minor = models.BigIntegerField("amount (minor units)")

    class Meta:
        verbose_name = "payout line"
        ordering = ["work_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["time_entry"], name="payout_line_once_per_entry"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, amount_minor__gte=0), name="payout_line_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_on} {self.minutes} min"


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", "Bonus"
    CORRECTION = "correction", "Correction"
    DEDUCTION = "deduction", "Deduction"


class Adjustment(models.Model):
    """An amount added to or taken from a draft payout, with the reason the contractor reads."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=10, choices=AdjustmentKind)
    amount_minor = models.BigIntegerField(
        "amount (minor units)", help_text="Positive adds to the payout, negative takes from it."
    )
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdjustmentKind.values), name="adjustment_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
            models.CheckConstraint(
                condition=Q(kind=AdjustmentKind.BONUS, amount_minor__gt=0)
                | Q(kind=AdjustmentKind.DEDUCTION, amount_minor__lt=0)
                | (Q(kind=AdjustmentKind.CORRECTION) & ~Q(amount_minor=0)),
                name="adjustment_sign_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_minor}"


class PayoutStatusChange(models.Model):
    """Append-only history of a payout: who moved it, when, from what to what, and why."""

    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=9, choices=PayoutStatus, blank=True)
    to_status = models.CharField(max_length=9, choices=PayoutStatus)
    reason = models.TextField(blank=True)
    reference = models.CharField(max_length=100, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_status__in=PayoutStatus.values),
                name="payout_change_to_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
