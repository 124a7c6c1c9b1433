"""Table names for the raw SQL of payout generation and the PostgreSQL exports.

Read from the models' metadata so the statements follow any rename; never from input.
"""

from functools import cache

from accounts.models import ContractorProfile, PayoutDetails, User
from payments.models import Adjustment, Payout, PayoutLine, PayoutStatusChange
from projects.models import Assignment, AssignmentRate, PayPeriod, Project, TimeEntry


@cache
def tables() -> dict[str, str]:
    models = {
        "entry": TimeEntry,
        "assignment": Assignment,
        "rate": AssignmentRate,
        "project": Project,
        "contractor": ContractorProfile,
        "user": User,
        "payout_details": PayoutDetails,
        "period": PayPeriod,
        "payout": Payout,
        "line": PayoutLine,
        "adjustment": Adjustment,
        "payout_change": PayoutStatusChange,
    }
    return {name: model._meta.db_table for name, model in models.items()}


def in_list(name: str, values: tuple[str, ...]) -> tuple[str, dict[str, str]]:
    """``IN (…)`` with one named parameter per value: drivers differ on adapting sequences."""
    params = {f"{name}_{index}": value for index, value in enumerate(values)}
    placeholders = ", ".join(f"%({key})s" for key in params)
    return f"({placeholders})", params
