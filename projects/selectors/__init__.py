"""Reads of projects, assignments and time, scoped to whoever asks: one module per read model.

A contractor's objects are only ever fetched through their own profile; a
miss is a 404. The contractor of a request comes from
``accounts.selectors.contractor_for_user``, fetched once by the view and passed in.
"""

from projects.selectors.assignments import (
    AssignmentSummary,
    WorkDashboard,
    assignment_for_project_get_for_contractor,
    assignment_get_for_contractor,
    assignment_list_for_contractor,
    assignment_summaries,
    contractors_matching,
    work_dashboard_for_contractor,
)
from projects.selectors.entries import (
    EntryTotal,
    time_entry_get_for_contractor,
    time_entry_list_for_contractor,
    time_entry_list_for_reviewer,
    time_entry_totals,
)
from projects.selectors.status import (
    project_get_for_manager,
    scheduled_pause_with_delivery,
    status_change_list_for_project,
)
from projects.selectors.timesheet import (
    CapUse,
    Timesheet,
    TimesheetCell,
    TimesheetRow,
    timesheet_for_contractor,
)

__all__ = [
    "AssignmentSummary",
    "CapUse",
    "EntryTotal",
    "Timesheet",
    "TimesheetCell",
    "TimesheetRow",
    "WorkDashboard",
    "assignment_for_project_get_for_contractor",
    "assignment_get_for_contractor",
    "assignment_list_for_contractor",
    "assignment_summaries",
    "contractors_matching",
    "project_get_for_manager",
    "scheduled_pause_with_delivery",
    "status_change_list_for_project",
    "time_entry_get_for_contractor",
    "time_entry_list_for_contractor",
    "time_entry_list_for_reviewer",
    "time_entry_totals",
    "timesheet_for_contractor",
    "work_dashboard_for_contractor",
]
