"""Which work dates fall in a closed pay period, the one thing time entry rules ask payments.

Every time entry write asks this, so a closed period locks its entries
against any edit, from the site, the API or anywhere else.
"""

from collections.abc import Collection
from datetime import date

from django.db.models import Q

from payments.models import PayPeriod, PeriodStatus


def closed_pay_period_dates(dates: Collection[date]) -> set[date]:
    """The dates among ``dates`` whose pay period is closed."""
    if not dates:
        return set()
    first, last = min(dates), max(dates)
    closed = PayPeriod.objects.filter(
        Q(start_on__lte=last) & Q(end_on__gte=first), status=PeriodStatus.CLOSED
    ).values_list("start_on", "end_on")
    spans = list(closed)
    return {day for day in dates if any(start <= day <= end for start, end in spans)}
