"""The projects API: a contractor's assignments and time, the managers' review of it, and
the managers' pause, resume and close of projects."""

from projects.api.status import (
    ProjectCloseApi,
    ProjectPauseApi,
    ProjectPauseCancelApi,
    ProjectResumeApi,
    ProjectStatusChangeListApi,
)
from projects.api.work import (
    AssignmentListApi,
    ReviewApproveApi,
    ReviewEntryListApi,
    ReviewRejectApi,
    TimeEntryDetailApi,
    TimeEntryListApi,
    WeekSubmitApi,
)

__all__ = [
    "AssignmentListApi",
    "ProjectCloseApi",
    "ProjectPauseApi",
    "ProjectPauseCancelApi",
    "ProjectResumeApi",
    "ProjectStatusChangeListApi",
    "ReviewApproveApi",
    "ReviewEntryListApi",
    "ReviewRejectApi",
    "TimeEntryDetailApi",
    "TimeEntryListApi",
    "WeekSubmitApi",
]
