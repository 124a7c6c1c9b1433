"""The projects app's models, one module per seam; import them from here."""

from projects.models.assignments import (
    Assignment,
    AssignmentRate,
    AssignmentStatus,
    AssignmentStatusChange,
)
from projects.models.pauses import ScheduledPause, ScheduledPauseStatus
from projects.models.pay_periods import PayPeriod, PayPeriodStatusChange, PeriodStatus
from projects.models.projects import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    PauseReason,
    Project,
    ProjectStatus,
    ProjectStatusChange,
    validate_language_list,
)
from projects.models.time_entries import (
    EDITABLE_ENTRY_STATUSES,
    EntryKind,
    EntryStatus,
    TimeEntry,
    TimeEntryStatusChange,
)

__all__ = [
    "EDITABLE_ENTRY_STATUSES",
    "MINUTES_PER_DAY",
    "MINUTES_PER_WEEK",
    "Assignment",
    "AssignmentRate",
    "AssignmentStatus",
    "AssignmentStatusChange",
    "EntryKind",
    "EntryStatus",
    "PauseReason",
    "PayPeriod",
    "PayPeriodStatusChange",
    "PeriodStatus",
    "Project",
    "ProjectStatus",
    "ProjectStatusChange",
    "ScheduledPause",
    "ScheduledPauseStatus",
    "TimeEntry",
    "TimeEntryStatusChange",
    "validate_language_list",
]
