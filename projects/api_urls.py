from django.urls import path

from projects import api
from projects.api import about as about_api
from projects.api import floors as floors_api
from projects.cases import api as cases_api

urlpatterns = [
    path("wage-floors", floors_api.WageFloorListApi.as_view(), name="api-wage-floors"),
    path("exchange-rates", floors_api.ExchangeRateListApi.as_view(), name="api-exchange-rates"),
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
    path(
        "projects/<int:project_id>/about",
        about_api.ProjectAboutApi.as_view(),
        name="api-project-about",
    ),
    path("invitations", about_api.InvitationListApi.as_view(), name="api-invitations"),
    path(
        "invitations/<int:invitation_id>/accept",
        about_api.InvitationAcceptApi.as_view(),
        name="api-invitation-accept",
    ),
    path(
        "invitations/<int:invitation_id>/decline",
        about_api.InvitationDeclineApi.as_view(),
        name="api-invitation-decline",
    ),
    path("cases/", cases_api.CaseListApi.as_view(), name="api-cases"),
    path("cases/signals", cases_api.CaseSignalApi.as_view(), name="api-case-signals"),
    path("cases/<int:case_id>", cases_api.CaseDetailApi.as_view(), name="api-case"),
    path(
        "cases/<int:case_id>/respond", cases_api.CaseRespondApi.as_view(), name="api-case-respond"
    ),
    path("cases/<int:case_id>/appeal", cases_api.CaseAppealApi.as_view(), name="api-case-appeal"),
    path("cases/<int:case_id>/warn", cases_api.CaseWarnApi.as_view(), name="api-case-warn"),
    path("cases/<int:case_id>/take", cases_api.CaseTakeApi.as_view(), name="api-case-take"),
    path("cases/<int:case_id>/close", cases_api.CaseCloseApi.as_view(), name="api-case-close"),
    path(
        "cases/<int:case_id>/interim-suspension",
        cases_api.CaseInterimApi.as_view(),
        name="api-case-interim",
    ),
    path(
        "cases/<int:case_id>/evidence",
        cases_api.CaseEvidenceApi.as_view(),
        name="api-case-evidence",
    ),
    path("cases/<int:case_id>/notice", cases_api.CaseNoticeApi.as_view(), name="api-case-notice"),
    path("cases/<int:case_id>/decide", cases_api.CaseDecideApi.as_view(), name="api-case-decide"),
    path(
        "cases/<int:case_id>/appeal-decision",
        cases_api.CaseAppealDecideApi.as_view(),
        name="api-case-appeal-decision",
    ),
]
