"""The managers' side of projects: details, assignments and rates, and the review of hours.

Status and money are read-only here; every change goes through an action that
calls a service, and a refused change is reported, never half-applied.
"""

from projects.admin import (
    assignments,
    cases,
    delivery,
    floors,
    invitations,
    projects,
    standby,
    time_entries,
)

__all__ = [
    "assignments",
    "cases",
    "delivery",
    "floors",
    "invitations",
    "projects",
    "standby",
    "time_entries",
]
