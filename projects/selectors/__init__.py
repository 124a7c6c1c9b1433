"""Reads of projects, assignments and time, scoped to whoever asks: one module per read model.

A contractor's objects are only ever fetched through their own profile; a
miss is a 404. The contractor of a request comes from
``accounts.selectors.contractor_for_user``, fetched once by the view and passed in.
"""

from projects.selectors.assignments import (
    AssignmentSummary,
    MatchFunnel,
    WorkDashboard,
    assignment_for_project_get_for_contractor,
    assignment_get_for_contractor,
    assignment_list_for_contractor,
    assignment_summaries,
    contractors_enrollable,
    contractors_matching,
    contractors_matching_funnel,
    work_dashboard_for_contractor,
)
from projects.selectors.entries import (
    EntryTotal,
    time_entry_get_for_contractor,
    time_entry_list_for_contractor,
    time_entry_list_for_reviewer,
    time_entry_totals,
)
from projects.selectors.review import (
    ReviewWeek,
    WeekTotal,
    WeekWaiting,
    review_week_entries_waiting,
    review_week_for_reviewer,
    review_week_totals,
    review_weeks_waiting,
    review_weeks_waiting_count,
    scheduled_pause_pending_count,
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
    "MatchFunnel",
    "ReviewWeek",
    "Timesheet",
    "TimesheetCell",
    "TimesheetRow",
    "WeekTotal",
    "WeekWaiting",
    "WorkDashboard",
    "assignment_for_project_get_for_contractor",
    "assignment_get_for_contractor",
    "assignment_list_for_contractor",
    "assignment_summaries",
    "contractors_enrollable",
    "contractors_matching",
    "contractors_matching_funnel",
    "project_get_for_manager",
    "review_week_for_reviewer",
    "review_week_entries_waiting",
    "review_week_totals",
    "review_weeks_waiting",
    "review_weeks_waiting_count",
    "scheduled_pause_pending_count",
    "scheduled_pause_with_delivery",
    "status_change_list_for_project",
    "time_entry_get_for_contractor",
    "time_entry_list_for_contractor",
    "time_entry_list_for_reviewer",
    "time_entry_totals",
    "timesheet_for_contractor",
    "work_dashboard_for_contractor",
]
