"""Filters for showing durations and money the same way on every page and email."""

from django import template

from payments.money import format_money
from projects.timesheet import day_label, format_minutes

register = template.Library()


@register.filter
def hm(minutes: int | None) -> str:
    """``90`` → ``1:30``."""
    return format_minutes(minutes)


@register.filter
def day(value) -> str:
    """``Wed 4 Nov``."""
    return day_label(value) if value else ""


@register.simple_tag
def money(minor: int | None, currency: str) -> str:
    if minor is None or not currency:
        return ""
    return format_money(minor, currency)
