from django.urls import path

from projects import api

urlpatterns = [
    path("assignments", api.AssignmentListApi.as_view(), name="api-assignments"),
    path("time-entries", api.TimeEntryListApi.as_view(), name="api-time-entries"),
    path("time-entries/<int:entry_id>", api.TimeEntryDetailApi.as_view(), name="api-time-entry"),
    path("time-entries/submit-week", api.WeekSubmitApi.as_view(), name="api-week-submit"),
    path("review/time-entries", api.ReviewEntryListApi.as_view(), name="api-review-entries"),
    path(
        "review/time-entries/approve",
        api.ReviewApproveApi.as_view(),
        name="api-review-approve",
    ),
    path("review/time-entries/reject", api.ReviewRejectApi.as_view(), name="api-review-reject"),
    path(
        "projects/<int:project_id>/status-changes",
        api.ProjectStatusChangeListApi.as_view(),
        name="api-project-status-changes",
    ),
    path(
        "projects/<int:project_id>/pause", api.ProjectPauseApi.as_view(), name="api-project-pause"
    ),
    path(
        "projects/<int:project_id>/pause/cancel",
        api.ProjectPauseCancelApi.as_view(),
        name="api-project-pause-cancel",
    ),
    path(
        "projects/<int:project_id>/resume",
        api.ProjectResumeApi.as_view(),
        name="api-project-resume",
    ),
    path(
        "projects/<int:project_id>/close", api.ProjectCloseApi.as_view(), name="api-project-close"
    ),
]
