"""Forms for the payroll page, the contractor's CSV download and the admin's payout actions."""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from payments.exports import Kind, PayrollFilter
from payments.models import OWED_BY_RULE_KINDS, AdjustmentKind, Payout, PayoutStatus
from payments.services import AdjustmentDetails, Payment, Receipt
from payments.services.payouts import REFERENCE_MAX_LENGTH
from portal.money import (
    currency_choices,
    currency_exponent,
    decimal_to_minor,
    validate_currency,
)
from projects.models import PayPeriod, PeriodStatus

ANY = [("", _("Any"))]


class PayrollExportForm(forms.Form):
    """What an accountant picks: the period, and optionally currency, country and status.

    Only closed periods are offered, newest first: an open period's hours can still change
    and it has no payouts yet.
    """

    period = forms.ModelChoiceField(
        queryset=PayPeriod.objects.filter(status=PeriodStatus.CLOSED).order_by("-start_on"),
        to_field_name="start_on",
        empty_label=None,
        label=_("Pay period"),
        error_messages={
            "invalid_choice": _("Choose a closed pay period: only those have payouts to export.")
        },
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=ANY, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=ANY, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ANY + PayoutStatus.choices,
        required=False,
        help_text=_("“Any” leaves out cancelled payouts."),
    )
    kind = forms.ChoiceField(label=_("File"), choices=Kind.CHOICES, initial=Kind.SUMMARY)
    bom = forms.BooleanField(
        label=_("For a spreadsheet (Excel)"),
        required=False,
        help_text=_(
            "Starts the file with a byte order mark so that Excel shows accented names "
            "correctly. Leave it off for scripts and accounting software."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = ANY + currency_choices()
        self.fields["country"].choices = ANY + list(countries)

    def payroll_filter(self) -> PayrollFilter:
        data = self.cleaned_data
        return PayrollFilter(
            period_start=data["period"].start_on,
            currency=data["currency"],
            country=data["country"],
            status=data["status"],
        )


class EarningsDownloadForm(forms.Form):
    """A contractor's own CSV: one pay period (any day in it) or one calendar year."""

    period = forms.DateField(label=_("Pay period"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    bom = forms.BooleanField(label=_("For a spreadsheet (Excel)"), required=False)

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("period")) == bool(data.get("year")):
            raise ValidationError(_("Choose either a pay period or a year."))
        return data


# --- The admin's actions ---------------------------------------------------------------------


class PaidForm(forms.Form):
    """The provider's reference for each selected payout, and the day they were paid; the fee
    and the amount received where the provider's statement gives them."""

    paid_on = forms.DateField(
        label=_("Paid on"),
        initial=timezone.localdate,
        help_text=_("As on the provider's statement."),
    )

    def __init__(self, *args, payouts: list[Payout], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.payouts = payouts
        for payout in payouts:
            self.fields[f"reference_{payout.pk}"] = forms.CharField(
                label=gettext("Reference for %(payout)s (%(name)s)")
                % {"payout": payout, "name": payout.contractor.legal_name},
                max_length=REFERENCE_MAX_LENGTH,
            )
            self.fields[f"fee_{payout.pk}"] = forms.DecimalField(
                label=gettext("Fee for %(payout)s, in %(currency)s (if known)")
                % {"payout": payout, "currency": payout.currency},
                required=False,
                min_value=0,
            )
            self.fields[f"received_{payout.pk}"] = forms.DecimalField(
                label=gettext("Amount received for %(payout)s, in %(currency)s (if known)")
                % {"payout": payout, "currency": payout.contractor.payout_currency},
                required=False,
                min_value=0,
            )

    def payments(self) -> list[Payment]:
        paid_on = self.cleaned_data["paid_on"]
        return [
            Payment(
                payout.pk,
                self.cleaned_data[f"reference_{payout.pk}"],
                paid_on,
                receipt=self._receipt(payout),
            )
            for payout in self.payouts
        ]

    def _receipt(self, payout: Payout) -> Receipt | None:
        fee = self.cleaned_data.get(f"fee_{payout.pk}")
        received = self.cleaned_data.get(f"received_{payout.pk}")
        if fee is None and received is None:
            return None
        return Receipt(fee=fee, received=received)


class PaymentReportForm(forms.Form):
    """A CSV from the payment provider: ``payout_id,reference,paid_on`` with a header row,
    and optionally what each payment cost and brought (``TAKE_HOME_COLUMNS``)."""

    report = forms.FileField(
        label=_("Payments CSV"),
        help_text=_(
            "Columns payout_id, reference and paid_on (YYYY-MM-DD), with that header row. "
            "The payroll summary export has the payout ids. Optional columns: fee (in the "
            "payout's currency), fee_currency, exchange_rate (received currency per unit of "
            "the payout's), received_amount and received_currency; an empty cell says nothing."
        ),
    )

    def clean_report(self) -> list[Payment]:
        upload = self.cleaned_data["report"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
        reader = csv.DictReader(io.StringIO(text))
        if not {"payout_id", "reference", "paid_on"} <= set(reader.fieldnames or ()):
            raise ValidationError(_("The header row must name payout_id, reference and paid_on."))
        payments, errors = [], []
        for number, row in enumerate(reader, start=2):
            try:
                payments.append(_payment(row, number))
            except ValueError as exc:
                errors.append(
                    gettext("Line %(number)d: %(problem)s") % {"number": number, "problem": exc}
                )
        if errors:
            raise ValidationError(errors)
        if not payments:
            raise ValidationError(_("The file lists no payments."))
        return payments


def _payment(row: dict, line: int) -> Payment:
    """One row of the report; a ``ValueError`` says, to the person, what is wrong with it."""
    try:
        payout_id = int((row.get("payout_id") or "").strip())
    except ValueError:
        raise ValueError(gettext("payout_id must be a number.")) from None
    reference = (row.get("reference") or "").strip()
    if not reference:
        raise ValueError(gettext("the reference is empty."))
    try:
        paid_on = date.fromisoformat((row.get("paid_on") or "").strip())
    except ValueError:
        raise ValueError(gettext("paid_on must be a date written YYYY-MM-DD.")) from None
    return Payment(payout_id, reference, paid_on, line, _receipt(row))


TAKE_HOME_COLUMNS = ("fee", "fee_currency", "exchange_rate", "received_amount", "received_currency")


def _receipt(row: dict) -> Receipt | None:
    """The row's optional take-home columns; ``None`` when it has none filled in."""
    cells = {column: (row.get(column) or "").strip() for column in TAKE_HOME_COLUMNS}
    if not any(cells.values()):
        return None
    fee = _number(cells["fee"], "fee", minimum=Decimal(0))
    rate = _number(cells["exchange_rate"], "exchange_rate", minimum=None)
    if rate is not None and rate <= 0:
        raise ValueError(gettext("exchange_rate must be more than zero."))
    received = _number(cells["received_amount"], "received_amount", minimum=Decimal(0))
    fee_currency = _currency(cells["fee_currency"], "fee_currency")
    received_currency = _currency(cells["received_currency"], "received_currency")
    if fee_currency and fee is None:
        raise ValueError(gettext("fee_currency is given without a fee."))
    if fee is not None and fee_currency:
        _fits(fee, fee_currency, "fee")
    if received is not None and received_currency:
        _fits(received, received_currency, "received_amount")
    return Receipt(fee, fee_currency, rate, received, received_currency)


def _number(text: str, column: str, *, minimum: Decimal | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        raise ValueError(
            gettext("%(column)s must be a number written like 12.50, got “%(value)s”.")
            % {"column": column, "value": text}
        )
    if minimum is not None and value < minimum:
        raise ValueError(gettext("%(column)s can't be negative.") % {"column": column})
    return value


def _currency(text: str, column: str) -> str:
    if not text:
        return ""
    code = text.upper()
    try:
        validate_currency(code)
    except ValidationError:
        raise ValueError(
            gettext("%(column)s must be a current ISO 4217 code such as EUR, got “%(value)s”.")
            % {"column": column, "value": text}
        ) from None
    return code


def _fits(amount: Decimal, currency: str, column: str) -> None:
    try:
        decimal_to_minor(amount, currency)
    except ValueError as exc:
        raise ValueError(
            gettext("%(column)s: %(problem)s") % {"column": column, "problem": exc}
        ) from None


class AdjustmentForm(forms.Form):
    # A floor top-up is computed by payout generation, never typed.
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (value, label)
            for value, label in AdjustmentKind.choices
            if value != AdjustmentKind.FLOOR_TOP_UP and value not in OWED_BY_RULE_KINDS
        ],
    )
    amount = forms.CharField(
        label=_("Amount"),
        help_text=_("In the payout's currency, e.g. 12.50; negative for a deduction (-12.50)."),
        max_length=30,
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_("The contractor reads this next to the amount."),
    )

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        try:
            return decimal_to_minor(amount, self.currency)
        except ValueError:
            raise ValidationError(_amount_problem(amount, self.currency)) from None

    def details(self) -> AdjustmentDetails:
        data = self.cleaned_data
        return AdjustmentDetails(data["kind"], data["amount"], data["reason"])


def _amount_problem(amount: str, currency: str) -> str:
    """What is wrong with an amount ``decimal_to_minor`` refused, said to the person."""
    try:
        value = Decimal(amount.strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return gettext("“%(amount)s” is not an amount.") % {"amount": amount}
    exponent = currency_exponent(currency)
    if exponent == 0:
        return gettext("%(currency)s amounts take no decimals.") % {"currency": currency}
    return ngettext(
        "%(currency)s amounts take at most %(count)d decimal.",
        "%(currency)s amounts take at most %(count)d decimals.",
        exponent,
    ) % {"currency": currency, "count": exponent}
