"""Every write and state change in payments: periods, generation, and a payout's life."""

from payments.services.exports import payroll_export_start
from payments.services.generation import (
    GenerationResult,
    payouts_generate,
    payouts_generate_start,
)
from payments.services.owed import late_compensation_attach, standby_attach
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
    latest_begun_day,
    pay_period_close,
    pay_period_for,
    pay_periods_close_due,
    pay_periods_ensure,
    period_bounds,
)
from payments.services.reminders import (
    pay_period_remind,
    pay_periods_remind_due,
    payouts_overdue_remind,
)
from payments.services.take_home import Receipt, payout_take_home_record

__all__ = [
    "AdjustmentDetails",
    "GenerationResult",
    "Payment",
    "Receipt",
    "late_compensation_attach",
    "latest_begun_day",
    "pay_period_close",
    "pay_period_for",
    "pay_periods_close_due",
    "pay_periods_ensure",
    "pay_period_remind",
    "pay_periods_remind_due",
    "payout_adjust",
    "payout_approve",
    "payout_cancel",
    "payout_mark_failed",
    "payout_mark_paid",
    "payout_retry",
    "payout_take_home_record",
    "payouts_generate",
    "payouts_generate_start",
    "payroll_export_start",
    "payouts_mark_paid_many",
    "payouts_overdue_remind",
    "standby_attach",
    "period_bounds",
]
