"""The earnings chart: one row per week, newest first, a bar and its amount in text.

Rows of horizontal bars fit any width, so the chart never scrolls sideways on
a phone, and the weeks with this month's money come first. Each row says its
week and amount (and what is not paid yet) in text; paid and not yet paid
differ by pattern (solid, hatched) as well as colour, so nothing depends on
seeing colour. Bar lengths are per-mille of the longest week, computed with
integer arithmetic. Weeks and amounts are written in the active language; the
sentences around them are in the template.
"""

from dataclasses import dataclass

from payments.selectors import EarningsSeries
from portal.dates import format_day
from portal.money import format_money

PER_MILLE = 1000


@dataclass(frozen=True)
class Bar:
    week: str
    # Lengths as SVG percentages of the row ("63.5"): paid from the left, pending after it.
    paid_length: str
    pending_length: str
    pending_minor: int
    total: str
    paid: str
    pending: str


@dataclass(frozen=True)
class BarChart:
    currency: str
    bars: list[Bar]
    total: str
    empty: bool


def _per_mille(minor: int, top: int) -> int:
    return max(minor, 0) * PER_MILLE // top if top > 0 else 0


def _percent(per_mille: int) -> str:
    return f"{per_mille // 10}.{per_mille % 10}"


def bar_chart(series: EarningsSeries, *, locale: str | None = None) -> BarChart:
    """Rows for ``series``, newest week first, the longest week at full length.

    Amounts are formatted for ``locale`` (default: the active language's), weeks
    (``Nov 2``, ``2 Nov``, ``11月2日``) in the active language.
    """
    top = series.max_minor
    bars = []
    for week in reversed(series.weeks):
        paid = _per_mille(week.paid_minor, top)
        total = max(_per_mille(week.total_minor, top), paid)
        bars.append(
            Bar(
                week=format_day(week.start_on, "MMMd"),
                paid_length=_percent(paid),
                pending_length=_percent(total - paid),
                pending_minor=week.pending_minor,
                total=format_money(week.total_minor, series.currency, locale),
                paid=format_money(week.paid_minor, series.currency, locale),
                pending=format_money(week.pending_minor, series.currency, locale),
            )
        )
    total = sum(week.total_minor for week in series.weeks)
    return BarChart(
        currency=series.currency,
        bars=bars,
        total=format_money(total, series.currency, locale),
        empty=total == 0,
    )
