"""Every write and state change in payments: periods, generation, and a payout's life."""

from payments.services.generation import GenerationResult, payouts_generate
from payments.services.payouts import (
    AdjustmentDetails,
    Payment,
    payout_adjust,
    payout_approve,
    payout_cancel,
    payout_mark_failed,
    payout_mark_paid,
    payout_retry,
    payouts_mark_paid_many,
)
from payments.services.periods import (
    pay_period_check,
    pay_period_close,
    pay_period_create,
    pay_period_for,
    pay_periods_close_due,
    pay_periods_ensure,
    period_bounds,
)

__all__ = [
    "AdjustmentDetails",
    "GenerationResult",
    "Payment",
    "pay_period_check",
    "pay_period_close",
    "pay_period_create",
    "pay_period_for",
    "pay_periods_close_due",
    "pay_periods_ensure",
    "payout_adjust",
    "payout_approve",
    "payout_cancel",
    "payout_mark_failed",
    "payout_mark_paid",
    "payout_retry",
    "payouts_generate",
    "payouts_mark_paid_many",
    "period_bounds",
]
