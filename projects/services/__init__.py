"""Every write and state change in projects: one module per thing changed."""

from projects.services.assignments import (
    assignment_create,
    assignment_end,
    assignment_rate_set,
    assignment_reinstate,
    assignment_remove,
    assignment_update,
)
from projects.services.projects import ProjectDetails, project_create, project_update
from projects.services.review import time_entries_approve, time_entries_reject
from projects.services.status import (
    project_activate,
    project_close,
    project_pause,
    project_pause_cancel,
    project_pause_schedule,
    project_pauses_apply_due,
    project_resume,
    scheduled_pause_apply,
)
from projects.services.time import (
    time_entries_save,
    time_entry_create,
    time_entry_delete,
    time_entry_update,
    time_week_submit,
)

__all__ = [
    "ProjectDetails",
    "assignment_create",
    "assignment_end",
    "assignment_rate_set",
    "assignment_reinstate",
    "assignment_remove",
    "assignment_update",
    "project_activate",
    "project_close",
    "project_create",
    "project_pause",
    "project_pause_cancel",
    "project_pause_schedule",
    "project_pauses_apply_due",
    "project_resume",
    "project_update",
    "scheduled_pause_apply",
    "time_entries_approve",
    "time_entries_reject",
    "time_entries_save",
    "time_entry_create",
    "time_entry_delete",
    "time_entry_update",
    "time_week_submit",
]
