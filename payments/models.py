"""Payouts and their lines: what is owed to whom for a pay period, and what was paid.

The pay-period calendar itself belongs to projects (``projects.models.PayPeriod``),
where closed periods lock time entries.

Money is integer minor units with the currency's code (``portal.money``).
Foreign keys from money records are ``PROTECT``: nothing paid or owed
disappears because something it points to was deleted.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ContractorProfile
from accounts.models.encryption import EncryptedCharField
from portal.choices import QuickChoiceLabels
from portal.dates import format_day, format_minutes
from portal.history import StatusChange, status_constraints
from portal.money import format_money
from portal.state import TransitionsMixin
from projects.models import EntryKind, PayPeriod, Project, StandbyPay, TimeEntry

# --- Payouts -----------------------------------------------------------------------


class PayoutStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class FeePolicy(models.TextChoices):
    """Who bore the payout provider's fee (``settings.PAYOUT_FEES_POLICY`` when it was paid)."""

    ABSORBED = "absorbed", _("Paid by the vendor")
    DEDUCTED = "deducted", _("Deducted from the payout")


# A contractor has at most one of these per period and currency.
OPEN_PAYOUT_STATUSES = (PayoutStatus.DRAFT, PayoutStatus.APPROVED, PayoutStatus.FAILED)


class Payout(QuickChoiceLabels, TransitionsMixin, models.Model):
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
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="payouts",
        verbose_name=_("contractor"),
    )
    # Looked up through the (period, status) index below.
    period = models.ForeignKey(
        PayPeriod,
        on_delete=models.PROTECT,
        related_name="payouts",
        db_index=False,
        verbose_name=_("pay period"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=9, choices=PayoutStatus, default=PayoutStatus.DRAFT
    )
    minutes = models.PositiveBigIntegerField(_("minutes"), default=0)
    gross_minor = models.BigIntegerField(_("gross (minor units)"), default=0)
    adjustments_minor = models.BigIntegerField(_("adjustments (minor units)"), default=0)
    net_minor = models.BigIntegerField(_("net (minor units)"), default=0)
    reference = models.CharField(_("provider's reference"), max_length=100, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # Where the money was sent, as the contractor's payout details said when it was marked
    # paid: details changed later don't rewrite where an old payment went.
    paid_to_method = models.CharField(
        _("paid to (method)"), max_length=20, blank=True, default="", db_default=""
    )
    paid_to_account = models.CharField(
        _("paid to (account, masked)"), max_length=8, blank=True, default="", db_default=""
    )
    # Where the money is to go, frozen from the contractor's payout details when the payout
    # is approved (again on a retry): changing the details later never moves money already
    # approved. Paying sends it here, and records it above as where it went.
    approved_to_method = models.CharField(
        _("to be paid to (method)"), max_length=20, blank=True, default="", db_default=""
    )
    approved_to_holder = models.CharField(
        _("to be paid to (account holder)"), max_length=200, blank=True, default="", db_default=""
    )
    approved_to_account = models.CharField(
        _("to be paid to (account, masked)"), max_length=8, blank=True, default="", db_default=""
    )
    # The whole account, encrypted like the details it is copied from: what a payer sends
    # the money to. The masked copy above is what SQL and the contractor's pages show.
    approved_to_identifier: "models.CharField[str, str]" = EncryptedCharField(
        _("to be paid to (account)"), max_length=100, blank=True, default="", db_default=""
    )
    # What the payment provider reported once it was paid; empty before, and where the
    # report did not say. The fee is in the payout's currency (the one the money was sent
    # from); the rate is how many units of the received currency one unit of the payout's
    # currency bought; the received amount is in the received currency.
    fee_policy = models.CharField(
        _("fees policy"), max_length=8, choices=FeePolicy, blank=True, default="", db_default=""
    )
    fee_minor = models.BigIntegerField(_("fee (minor units)"), null=True, blank=True)
    exchange_rate = models.DecimalField(
        _("exchange rate applied"), max_digits=24, decimal_places=12, null=True, blank=True
    )
    received_minor = models.BigIntegerField(_("received (minor units)"), null=True, blank=True)
    received_currency = models.CharField(
        _("received currency"), max_length=3, blank=True, default="", db_default=""
    )
    # Judged when it was paid, per hour paid, in the received currency (the payout's own when
    # nothing converts it): pay after fees and exchange, and the floor in force for the week.
    effective_hourly_minor = models.BigIntegerField(
        _("hourly pay after costs (minor units)"), null=True, blank=True
    )
    floor_hourly_minor = models.BigIntegerField(
        _("floor per hour (minor units)"), null=True, blank=True
    )
    failure_reason = models.TextField(_("failure reason"), blank=True)
    # The language the failure reason was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-period__start_on", "pk"]
        permissions = [
            ("approve_payout", _("Can approve draft payouts")),
            ("pay_payout", _("Can mark payouts paid or failed, and retry failed ones")),
            ("cancel_payout", _("Can cancel draft payouts")),
            ("adjust_payout", _("Can add bonuses, corrections and deductions to draft payouts")),
            ("export_payroll", _("Can download payroll exports")),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="payout_period_status_idx"),
            # The few paid below the floor after costs, for the managers' filter.
            models.Index(
                fields=["period"],
                condition=Q(effective_hourly_minor__lt=F("floor_hourly_minor")),
                name="payout_below_floor_idx",
            ),
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
            models.CheckConstraint(
                condition=Q(fee_policy__in=["", *FeePolicy.values]),
                name="payout_fee_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(fee_minor__isnull=True) | Q(fee_minor__gte=0),
                name="payout_fee_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(exchange_rate__isnull=True) | Q(exchange_rate__gt=0),
                name="payout_exchange_rate_positive",
            ),
            models.CheckConstraint(
                condition=Q(received_minor__isnull=True)
                | (Q(received_minor__gte=0) & ~Q(received_currency="")),
                name="payout_received_has_currency",
            ),
        ]

    def __str__(self) -> str:
        return _("Payout #%(pk)s") % {"pk": self.pk}

    @property
    def take_home_currency(self) -> str:
        """The currency the hourly pay after costs and the floor were judged in."""
        return self.received_currency or self.currency

    @property
    def below_floor_after_costs(self) -> bool:
        if self.effective_hourly_minor is None or self.floor_hourly_minor is None:
            return False
        return self.effective_hourly_minor < self.floor_hourly_minor

    @property
    def due_on(self) -> date | None:
        """The day it is due: ``PAYOUT_DUE_DAYS`` after its period closed."""
        closed_at = self.period.closed_at
        if closed_at is None:
            return None
        return timezone.localdate(closed_at) + timedelta(days=settings.PAYOUT_DUE_DAYS)


class PayoutLine(QuickChoiceLabels, models.Model):
    """One approved time entry in a payout, priced once: the unique entry is the guarantee
    that no minute is paid twice."""

    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="lines", verbose_name=_("payout")
    )
    # The unique constraint's index serves lookups by entry; a second one would only
    # slow down generating a period's lines.
    time_entry = models.ForeignKey(
        TimeEntry,
        on_delete=models.PROTECT,
        related_name="payout_lines",
        db_index=False,
        verbose_name=_("time entry"),
    )
    # A snapshot for display and exports, never looked up by: no index. No database
    # constraint either: the entry → assignment → project chain of PROTECT foreign
    # keys already keeps the project while the line exists, and a check per line
    # would cost as much as writing the line.
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name=_("project"),
    )
    work_on = models.DateField(_("work date"))
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind)
    minutes = models.PositiveIntegerField(_("minutes"))
    rate_minor = models.PositiveIntegerField(_("hourly rate (minor units)"))
    amount_minor = models.BigIntegerField(_("amount (minor units)"))

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        ordering = ["work_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["time_entry"], name="payout_line_once_per_entry"),
            models.CheckConstraint(
                condition=Q(minutes__gte=1, amount_minor__gte=0), name="payout_line_positive"
            ),
        ]

    def __str__(self) -> str:
        return _("%(day)s, %(duration)s") % {
            "day": format_day(self.work_on),
            "duration": format_minutes(self.minutes),
        }

    @property
    def week_of(self) -> date:
        """The first day of the pay period week the line's hours were worked in; late hours
        are paid in a later period's payout and show the week they belong to."""
        offset = (self.work_on.weekday() - settings.PAY_PERIOD_START_WEEKDAY) % 7
        return self.work_on - timedelta(days=offset)


class AdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    CORRECTION = "correction", _("Correction")
    DEDUCTION = "deduction", _("Deduction")
    # Granted on reinstatement in a case (projects), for the time the contractor was out.
    BACK_PAY = "back_pay", _("Back pay")
    # Added by payout generation for hours priced below the wage floor of their work day.
    FLOOR_TOP_UP = "floor_top", _("Floor top-up")
    # Owed by rule (payments.services.owed), never typed, changed or removed by hand.
    STANDBY = "standby", _("Standby pay")
    LATE = "late", _("Late-payment compensation")
    # Fees deducted from a paid payout left its pay after costs below the floor.
    FEE_TOP_UP = "fee_top", _("Fee top-up")


OWED_BY_RULE_KINDS = (AdjustmentKind.STANDBY, AdjustmentKind.LATE, AdjustmentKind.FEE_TOP_UP)


class Adjustment(QuickChoiceLabels, models.Model):
    """An amount added to or taken from a draft payout, with the reason the contractor reads."""

    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="adjustments", verbose_name=_("payout")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind)
    amount_minor = models.BigIntegerField(
        _("amount (minor units)"),
        help_text=_("Positive adds to the payout, negative takes from it."),
    )
    reason = models.TextField(_("reason"))
    # The language the reason was written in (blank on older rows).
    written_in = models.CharField(
        _("written in"), max_length=10, blank=True, default="", db_default=""
    )
    # Empty on an automatic adjustment (a floor top-up) made by a scheduled run.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What an adjustment owed by rule pays; one-to-one, so each is paid once.
    standby = models.OneToOneField(
        StandbyPay,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adjustment",
        verbose_name=_("standby pay"),
    )
    late_for = models.OneToOneField(
        Payout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="late_compensation",
        verbose_name=_("compensates the late payout"),
    )
    fee_top_up_for = models.OneToOneField(
        Payout,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fee_top_up",
        verbose_name=_("tops up the payout"),
    )

    class Meta:
        verbose_name = _("adjustment")
        verbose_name_plural = _("adjustments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AdjustmentKind.values), name="adjustment_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="adjustment_has_reason"),
            models.CheckConstraint(
                condition=Q(kind=AdjustmentKind.BONUS, amount_minor__gt=0)
                | Q(kind=AdjustmentKind.DEDUCTION, amount_minor__lt=0)
                | (Q(kind=AdjustmentKind.CORRECTION) & ~Q(amount_minor=0))
                | Q(kind=AdjustmentKind.BACK_PAY, amount_minor__gt=0)
                | Q(kind=AdjustmentKind.FLOOR_TOP_UP, amount_minor__gt=0)
                | Q(kind__in=OWED_BY_RULE_KINDS, amount_minor__gt=0),
                name="adjustment_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=AdjustmentKind.STANDBY, standby__isnull=False)
                | (~Q(kind=AdjustmentKind.STANDBY) & Q(standby__isnull=True)),
                name="adjustment_standby_has_source",
            ),
            models.CheckConstraint(
                condition=Q(kind=AdjustmentKind.LATE, late_for__isnull=False)
                | (~Q(kind=AdjustmentKind.LATE) & Q(late_for__isnull=True)),
                name="adjustment_late_has_source",
            ),
            models.CheckConstraint(
                condition=Q(kind=AdjustmentKind.FEE_TOP_UP, fee_top_up_for__isnull=False)
                | (~Q(kind=AdjustmentKind.FEE_TOP_UP) & Q(fee_top_up_for__isnull=True)),
                name="adjustment_fee_top_up_has_source",
            ),
        ]

    def __str__(self) -> str:
        return _("%(kind)s of %(amount)s") % {
            "kind": self.get_kind_display(),
            "amount": format_money(self.amount_minor, self.payout.currency),
        }


class PayoutStatusChange(StatusChange):
    """Append-only history of a payout: who moved it, when, from what to what, and why."""

    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("payout")
    )
    from_status = models.CharField(_("from"), max_length=9, choices=PayoutStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=9, choices=PayoutStatus)
    reference = models.CharField(_("reference"), max_length=100, blank=True)

    class Meta(StatusChange.Meta):
        verbose_name = _("payout status change")
        verbose_name_plural = _("payout status changes")
        constraints = status_constraints("payout_change", PayoutStatus, blank_from=True)
