"""Back pay granted on reinstatement (projects' cases) goes onto the contractor's next payout."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import AdjustmentKind, Payout, PayoutStatus
from payments.services.payouts import AdjustmentDetails, payout_adjust
from projects.models import CaseBackPay, PayPeriod


@transaction.atomic
def back_pay_attach(*, period: PayPeriod) -> int:
    """Add each waiting back pay to its contractor's draft payout of ``period``, once.

    A back pay waits (``paid_out_at`` empty) until a period in which the
    contractor has a draft payout in its currency.
    """
    added = 0
    waiting = CaseBackPay.objects.select_for_update().filter(paid_out_at__isnull=True)
    for back_pay in waiting.select_related("case"):
        payout = Payout.objects.filter(
            contractor_id=back_pay.case.contractor_id,
            period=period,
            currency=back_pay.currency,
            status=PayoutStatus.DRAFT,
        ).first()
        if payout is None:
            continue
        adjustment = payout_adjust(
            payout=payout,
            by=back_pay.set_by,
            details=AdjustmentDetails(
                kind=AdjustmentKind.BACK_PAY,
                amount_minor=back_pay.amount_minor,
                reason=_("Back pay on reinstatement in case %(number)s.")
                % {"number": back_pay.case_id},
            ),
        )
        back_pay.adjustment_pk, back_pay.paid_out_at = adjustment.pk, timezone.now()
        back_pay.save(update_fields=["adjustment_pk", "paid_out_at"])
        added += 1
    return added
