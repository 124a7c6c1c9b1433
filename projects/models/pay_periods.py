"""The pay-period calendar: which weeks are open for time entries, and which are closed.

Time entries are locked by it (``projects.pay_periods``), and payments builds
on it: closing a period and generating its payouts are payments' services.
The tables keep the names they had when the models lived in payments.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dates import format_day
from portal.history import StatusChange, status_constraints
from portal.state import TransitionsMixin


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class PayPeriod(TransitionsMixin, models.Model):
    """One week of work. Closing it locks its time entries; its approved hours become payable."""

    TRANSITIONS = {PeriodStatus.OPEN: {PeriodStatus.CLOSED}, PeriodStatus.CLOSED: set()}

    start_on = models.DateField(_("first day"), unique=True)
    end_on = models.DateField(_("last day"))
    status = models.CharField(
        _("status"), max_length=6, choices=PeriodStatus, default=PeriodStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Empty when the schedule closed the period.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # Stamped when contractors with unsubmitted hours and the reviewers were reminded
    # of the coming close, in the same transaction: each period's reminder goes once.
    reminded_at = models.DateTimeField(_("close reminder sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        db_table = "payments_payperiod"
        verbose_name = _("pay period")
        verbose_name_plural = _("pay periods")
        ordering = ["-start_on"]
        permissions = [
            ("close_payperiod", _("Can close pay periods")),
            ("generate_payouts", _("Can generate the payouts of a closed pay period")),
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
        return _("%(start)s – %(end)s") % {
            "start": format_day(self.start_on),
            "end": format_day(self.end_on),
        }

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class PayPeriodStatusChange(StatusChange):
    """Append-only history of a pay period's status."""

    period = models.ForeignKey(
        PayPeriod,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("pay period"),
    )
    from_status = models.CharField(_("from"), max_length=6, choices=PeriodStatus)
    to_status = models.CharField(_("to"), max_length=6, choices=PeriodStatus)
    # A period closes on its schedule or by a manager's hand; neither gives a reason.
    reason = None

    class Meta(StatusChange.Meta):
        db_table = "payments_payperiodstatuschange"
        verbose_name = _("pay period status change")
        verbose_name_plural = _("pay period status changes")
        constraints = status_constraints("pay_period_change", PeriodStatus, blank_from=False)
