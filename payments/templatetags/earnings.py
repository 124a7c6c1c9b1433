"""Money and durations on the earnings and payroll pages, in the reader's locale."""

from django import template

from payments.money import format_money
from projects.timesheet import format_minutes

register = template.Library()


@register.simple_tag
def amount(minor: int | None, currency: str, locale: str = "en") -> str:
    """``{% amount payout.net_minor payout.currency locale %}`` → ``1.234,56 €``."""
    if minor is None or not currency:
        return ""
    return format_money(minor, currency, locale)


@register.filter
def hours(minutes: int | None) -> str:
    """``90`` → ``1:30``."""
    return format_minutes(minutes)
