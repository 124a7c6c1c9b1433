"""Which work dates fall in a closed pay period, the one thing time entry rules ask.

Every time entry write asks this, so a closed period locks its entries
against any edit, from the site, the API or anywhere else. Closing a period
is payments' service; the calendar it closes is ``projects.models.PayPeriod``.
"""

from collections.abc import Collection
from datetime import date

from django.db import connection
from django.db.models import Q

from projects.models import PayPeriod, PeriodStatus


def closed_pay_period_dates(dates: Collection[date], *, lock: bool = False) -> set[date]:
    """The dates among ``dates`` whose pay period is closed.

    With ``lock`` (inside a writing transaction) the covering periods are read
    FOR SHARE: writers of time never wait for each other, but closing a period
    (FOR UPDATE) waits for edits already under way, and an edit that starts
    after the close sees it closed. SQLite serialises writers anyway.
    """
    if not dates:
        return set()
    first, last = min(dates), max(dates)
    periods = PayPeriod.objects.filter(Q(start_on__lte=last) & Q(end_on__gte=first)).values_list(
        "start_on", "end_on", "status"
    )
    if lock and connection.vendor == "postgresql":
        sql, params = periods.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"{sql} FOR SHARE", params)
            rows = cursor.fetchall()
    else:
        rows = list(periods)
    spans = [(start, end) for start, end, status in rows if status == PeriodStatus.CLOSED]
    return {day for day in dates if any(start <= day <= end for start, end in spans)}
