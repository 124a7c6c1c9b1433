"""The one template-tag library for what every page and email shows the same way.

Money, durations, dates and times, in the reader's language and time zone:
``{% load formatting %}`` then ``{% money minor currency %}``, ``{{ minutes|hm }}``,
``{{ day|ldate }}``, ``{{ day|ldate:"MMMEd" }}``, ``{{ moment|when }}``.
"""

from django import template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from portal.dates import (
    format_clock,
    format_day,
    format_minutes,
    format_moment,
    time_zone_label,
    time_zone_name,
)
from portal.money import format_money
from portal.people import public_name as person_public_name
from portal.people import shown_name

register = template.Library()


@register.simple_tag
def money(minor: int | None, currency: str, locale: str | None = None) -> str:
    """``{% money payout.net_minor payout.currency %}`` → ``€12.34``, ``12,34 €``."""
    if minor is None or not currency:
        return ""
    return format_money(minor, currency, locale)


@register.filter
def hm(minutes: int | None) -> str:
    """``90`` → ``1:30``."""
    return format_minutes(minutes)


@register.filter
def ldate(value, style: str = "medium") -> str:
    """A date in the reader's language: ``26 Nov 2026``; ``"MMMEd"`` → ``Thu, 26 Nov``."""
    return format_day(value, style)


@register.filter
def when(value, style: str = "medium") -> str:
    """A moment in the reader's time zone and language: ``26 Nov 2026, 06:43``."""
    return format_moment(value, style)


@register.filter
def clock(value) -> str:
    """Hours and minutes of a moment in the reader's time zone: ``06:43``."""
    return format_clock(value)


@register.filter
def zone_name(zone: str) -> str:
    """``Asia/Jakarta`` → ``Indonesia (Jakarta)`` in the reader's language."""
    return time_zone_name(zone) if zone else ""


@register.simple_tag
def reader_time_zone() -> str:
    return time_zone_label()


@register.filter
def typed(text: str, written_in: str) -> SafeString | str:
    """Typed text inside a translated sentence, marked with its language when that is not the
    reader's: ``{% blocktranslate with reason=payout.failure_reason|typed:payout.written_in %}``.
    The note naming the language goes after the sentence (``includes/_typed.html``,
    ``note_only``)."""
    if not written_in or not text or written_in == translation.get_language():
        return text
    return format_html('<span lang="{}">{}</span>', written_in, text)


@register.filter
def public_name(user) -> str:
    """A staff member as contractors read them: ``{{ case.decided_by|public_name }}`` → their
    display name, or "A member of the vendor team"; never their email address."""
    return person_public_name(user)


@register.filter
def staff_name(name: str) -> str:
    """A stored staff name (``{{ message.author_name|staff_name }}``), or the neutral name."""
    return shown_name(name)
