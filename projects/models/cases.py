"""Cases: due process before a contractor loses work.

A case cites a published rule, carries the evidence the contractor reads and
moves through recorded steps (warning, notice, response, decision, appeal);
every step is a ``CaseEvent`` row, append-only. Sanctions are applied only
from a decision, on its effective date; automated signals open a case that
waits for a human and change nothing.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ConductRule, ContractorProfile, Sanction
from portal.money import format_money
from portal.state import TransitionsMixin
from projects.models.assignments import Assignment

# The days of the procedure are settings (CASE_RESPONSE_DAYS and its neighbours).
BACK_PAY_WEEKS = 8


class CaseStatus(models.TextChoices):
    SIGNALLED = "signalled", _("Signal waiting for review")
    OPEN = "open", _("Open")
    WARNED = "warned", _("Warning given")
    NOTICED = "noticed", _("Waiting for the contractor's response")
    RESPONDED = "responded", _("Response received")
    DECIDED = "decided", _("Decided")
    APPEALED = "appealed", _("Appeal waiting")
    CLOSED = "closed", _("Closed")
    REINSTATED = "reinstated", _("Reinstated")


OPEN_CASE_STATUSES = frozenset(
    {
        CaseStatus.SIGNALLED,
        CaseStatus.OPEN,
        CaseStatus.WARNED,
        CaseStatus.NOTICED,
        CaseStatus.RESPONDED,
        CaseStatus.DECIDED,
        CaseStatus.APPEALED,
    }
)


class CaseSource(models.TextChoices):
    MANAGER = "manager", _("Opened by a manager")
    SIGNAL = "signal", _("Automated signal")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Decision upheld")
    OVERTURNED = "overturned", _("Decision overturned")


class Case(TransitionsMixin, models.Model):
    TRANSITIONS = {
        CaseStatus.SIGNALLED: {CaseStatus.OPEN, CaseStatus.CLOSED},
        CaseStatus.OPEN: {CaseStatus.WARNED, CaseStatus.NOTICED, CaseStatus.CLOSED},
        CaseStatus.WARNED: {CaseStatus.NOTICED, CaseStatus.CLOSED},
        CaseStatus.NOTICED: {CaseStatus.RESPONDED, CaseStatus.DECIDED, CaseStatus.CLOSED},
        CaseStatus.RESPONDED: {CaseStatus.RESPONDED, CaseStatus.DECIDED, CaseStatus.CLOSED},
        CaseStatus.DECIDED: {CaseStatus.APPEALED, CaseStatus.CLOSED},
        CaseStatus.APPEALED: {CaseStatus.CLOSED, CaseStatus.REINSTATED},
        CaseStatus.CLOSED: set(),
        CaseStatus.REINSTATED: set(),
    }

    contractor = models.ForeignKey(
        ContractorProfile,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("contractor"),
    )
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("assignment"),
        help_text=_("Leave empty when the case is about the whole account."),
    )
    rule = models.ForeignKey(
        ConductRule, on_delete=models.PROTECT, related_name="cases", verbose_name=_("rule")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus, default=CaseStatus.OPEN
    )
    source = models.CharField(
        _("source"), max_length=7, choices=CaseSource, default=CaseSource.MANAGER
    )
    signal_source = models.CharField(_("signalled by"), max_length=100, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
        help_text=_("For a signal: the person or token that filed it."),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    evidence_summary = models.TextField(
        _("evidence summary"), help_text=_("The contractor reads it.")
    )
    warning_text = models.TextField(_("what to change"), blank=True)
    warning_by = models.DateField(_("change by"), null=True, blank=True)
    proposed_outcome = models.CharField(
        _("proposed outcome"), max_length=11, choices=Sanction, blank=True
    )
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    representative_name = models.CharField(_("representative"), max_length=200, blank=True)
    representative_email = models.EmailField(_("representative's email"), blank=True)
    # When the representative's email was last set: their read-only links carry it, so a
    # change or a removal revokes every link sent before.
    representative_since = models.DateTimeField(_("representative named at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=11, choices=Sanction, blank=True)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    effective_at = models.DateTimeField(_("effective from"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    sanction_applied_at = models.DateTimeField(_("sanction applied at"), null=True, blank=True)
    sanction_lifted_at = models.DateTimeField(_("sanction lifted at"), null=True, blank=True)
    appeal_due_at = models.DateTimeField(_("appeal by"), null=True, blank=True)
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_target_at = models.DateTimeField(_("appeal decision due by"), null=True, blank=True)
    appeal_outcome = models.CharField(
        _("appeal outcome"), max_length=10, choices=AppealOutcome, blank=True
    )
    appeal_reasons = models.TextField(_("appeal reasons"), blank=True)
    appeal_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appeal decided by"),
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    interim_until = models.DateTimeField(_("interim suspension until"), null=True, blank=True)
    interim_ended_at = models.DateTimeField(_("interim suspension ended"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("decide_case", _("Can decide a case or its appeal")),
            ("interim_suspend_case", _("Can suspend a contractor while a case is heard")),
        ]
        indexes = [models.Index(fields=["status", "response_due_at"], name="case_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=CaseSource.values), name="case_source_valid"
            ),
            models.CheckConstraint(condition=~Q(evidence_summary=""), name="case_has_evidence"),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True)
                | (Q(decided_by__isnull=False) & ~Q(outcome="") & ~Q(decision_reasons="")),
                name="case_decision_named_and_reasoned",
            ),
            models.CheckConstraint(
                condition=Q(appeal_decided_by__isnull=True)
                | ~Q(appeal_decided_by=models.F("decided_by")),
                name="case_appeal_heard_by_someone_else",
            ),
        ]

    def __str__(self) -> str:
        return gettext("Case %(number)s") % {"number": self.pk}

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def case_number(self) -> int:
        return self.pk

    def orders(self, sanction: str) -> bool:
        """Whether this case, as it stands, orders ``sanction`` ("active": a reinstatement).

        ``accounts`` asks this before it suspends, offboards or reinstates anyone.
        """
        if sanction == "active":
            return self.appeal_outcome == AppealOutcome.OVERTURNED
        if (
            sanction == Sanction.SUSPENSION
            and self.interim_until is not None
            and self.interim_ended_at is None
            and self.decided_at is None
        ):
            return True
        return (
            self.decided_at is not None
            and self.outcome == sanction
            and self.appeal_outcome != AppealOutcome.OVERTURNED
        )


class CaseEventKind(models.TextChoices):
    OPENED = "opened", _("Case opened")
    SIGNALLED = "signalled", _("Automated signal received")
    TAKEN = "taken", _("Signal taken up by a person")
    EVIDENCE = "evidence", _("Evidence added")
    WARNING = "warning", _("Warning given")
    NOTICE = "notice", _("Notice given")
    RESPONSE = "response", _("Contractor responded")
    DECISION = "decision", _("Decision")
    SANCTION = "sanction", _("Sanction took effect")
    SANCTION_LIFTED = "lifted", _("Sanction ended")
    INTERIM = "interim", _("Interim suspension")
    INTERIM_ENDED = "interim_end", _("Interim suspension ended")
    APPEAL = "appeal", _("Contractor appealed")
    APPEAL_DECISION = "appeal_dec", _("Appeal decided")
    REINSTATED = "reinstated", _("Reinstated")
    CLOSED = "closed", _("Case closed")


class CaseEvent(models.Model):
    """Append-only: one row per step, with who took it and when."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("step"), max_length=11, choices=CaseEventKind)
    text = models.TextField(_("text"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CaseEventKind.values), name="case_event_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


def case_file_upload_to(instance: "CaseEvidence | CaseAttachment", filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class EvidenceKind(models.TextChoices):
    TEXT = "text", _("Text")
    FILE = "file", _("File")
    LINK = "link", _("Link")


class CaseEvidence(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("case")
    )
    kind = models.CharField(
        _("kind"), max_length=4, choices=EvidenceKind, default=EvidenceKind.TEXT
    )
    text = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=case_file_upload_to, blank=True)
    url = models.URLField(_("link"), blank=True)
    withheld_reason = models.TextField(
        _("withheld because"),
        blank=True,
        help_text=_("Leave empty to show this item to the contractor."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EvidenceKind.values), name="case_evidence_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=EvidenceKind.TEXT, text__gt="")
                | Q(kind=EvidenceKind.FILE, file__gt="")
                | Q(kind=EvidenceKind.LINK, url__gt=""),
                name="case_evidence_has_content",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    @property
    def shown(self) -> bool:
        return not self.withheld_reason


class CaseAttachment(models.Model):
    """A file the contractor sent with a response or an appeal."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("case")
    )
    event = models.ForeignKey(
        CaseEvent, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("step")
    )
    file = models.FileField(_("file"), upload_to=case_file_upload_to)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class CaseBackPay(models.Model):
    """Back pay granted on reinstatement; payments adds it to the contractor's next payout."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="back_pay", verbose_name=_("case")
    )
    amount_minor = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    default_minor = models.PositiveBigIntegerField(_("computed default (minor units)"))
    days_out = models.PositiveIntegerField(_("days out of work"))
    reason = models.TextField(
        _("reason for a changed amount"), blank=True, help_text=_("Needed when not the default.")
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set by payments when the back pay goes onto a payout (an Adjustment's pk; payments
    # stands above projects, so no foreign key points up to it).
    adjustment_pk = models.PositiveBigIntegerField(_("payout adjustment"), null=True, blank=True)
    paid_out_at = models.DateTimeField(_("added to a payout at"), null=True, blank=True)

    class Meta:
        verbose_name = _("back pay")
        verbose_name_plural = _("back pay")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor=models.F("default_minor")) | ~Q(reason=""),
                name="case_back_pay_change_reasoned",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="case_back_pay_positive"),
        ]

    def __str__(self) -> str:
        return format_money(self.amount_minor, self.currency)


def business_days_after(start: datetime, days: int) -> datetime:
    """``start`` moved ``days`` working days (Monday to Friday) forward."""
    moment = start
    while days:
        moment += timedelta(days=1)
        if moment.weekday() < 5:
            days -= 1
    return moment
