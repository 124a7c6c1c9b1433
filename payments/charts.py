"""The earnings chart, drawn on the server as SVG geometry for the template.

Each bar says its amount in text and the week under it; paid and not yet
paid differ by pattern (solid, hatched) as well as colour, and a table with
the same numbers follows the chart, so nothing depends on seeing colour.
Bar heights are whole pixels scaled with integer arithmetic. Weeks and
amounts are written in the active language; the sentences around them are
in the template.
"""

from dataclasses import dataclass

from payments.selectors import EarningsSeries
from portal.dates import format_day
from portal.money import format_money

WIDTH = 720
HEIGHT = 260
TOP = 28  # room for the amount above the tallest bar
BOTTOM = 36  # room for the week under each bar
SIDE = 8
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BAR_RATIO = (3, 5)  # a bar takes three fifths of its slot


@dataclass(frozen=True)
class Bar:
    x: int
    width: int
    label_x: int
    paid_y: int
    paid_height: int
    pending_y: int
    pending_height: int
    value_y: int
    week: str
    total: str
    paid: str
    pending: str


@dataclass(frozen=True)
class BarChart:
    currency: str
    width: int
    height: int
    baseline: int
    bars: list[Bar]
    total: str
    empty: bool


def _height(minor: int, top: int) -> int:
    return minor * PLOT_HEIGHT // top if top else 0


def bar_chart(series: EarningsSeries, *, locale: str | None = None) -> BarChart:
    """Bars for ``series``, tallest at full height.

    Amounts are formatted for ``locale`` (default: the active language's), weeks
    (``Nov 2``, ``2 Nov``, ``11月2日``) in the active language.
    """
    slot = (WIDTH - 2 * SIDE) // max(len(series.weeks), 1)
    bar_width = slot * BAR_RATIO[0] // BAR_RATIO[1]
    baseline = HEIGHT - BOTTOM
    top = series.max_minor
    bars = []
    for index, week in enumerate(series.weeks):
        x = SIDE + index * slot + (slot - bar_width) // 2
        paid_height = _height(week.paid_minor, top)
        pending_height = _height(week.total_minor, top) - paid_height
        bars.append(
            Bar(
                x=x,
                width=bar_width,
                label_x=x + bar_width // 2,
                paid_y=baseline - paid_height,
                paid_height=paid_height,
                pending_y=baseline - paid_height - pending_height,
                pending_height=pending_height,
                value_y=baseline - paid_height - pending_height - 6,
                week=format_day(week.start_on, "MMMd"),
                total=format_money(week.total_minor, series.currency, locale),
                paid=format_money(week.paid_minor, series.currency, locale),
                pending=format_money(week.pending_minor, series.currency, locale),
            )
        )
    total = sum(week.total_minor for week in series.weeks)
    return BarChart(
        currency=series.currency,
        width=WIDTH,
        height=HEIGHT,
        baseline=baseline,
        bars=bars,
        total=format_money(total, series.currency, locale),
        empty=total == 0,
    )
