"""Pause, resume and close a project through the API, for managers with the permission.

A labelling platform whose queue runs dry can pause a project here and have
every assigned contractor told, exactly as the admin action does: the views
call the same services.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_kit import SignedIn
from projects import selectors, services
from projects.api.work import VALIDATION_ERROR, valid
from projects.models import (
    PauseReason,
    ProjectStatus,
    ProjectStatusChange,
    ScheduledKind,
    ScheduledPause,
    ScheduledPauseStatus,
)

SHORT_NOTICE_HELP = _(
    "Required true to act with less than the minimum notice (or at once): every "
    "active assignee is then owed standby pay for the days of notice missing."
)


class DeliverySerializer(serializers.Serializer):
    notified = serializers.IntegerField(help_text=_("Contractors who got the in-app notice."))
    emails_sent = serializers.IntegerField()
    emails_failed = serializers.IntegerField(help_text=_("Gave up after the last attempt."))
    emails_waiting = serializers.IntegerField(help_text=_("Queued or being retried."))


class StatusChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    from_status = serializers.CharField(allow_blank=True)
    to_status = serializers.ChoiceField(choices=ProjectStatus.choices)
    reason = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    expected_resume_on = serializers.DateField(allow_null=True)
    effective_at = serializers.DateTimeField()
    by = serializers.EmailField(source="by.email", allow_null=True)
    notified_at = serializers.DateTimeField(allow_null=True)
    delivery = DeliverySerializer(source="*")


class ScheduledPauseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    status = serializers.ChoiceField(choices=ScheduledPauseStatus.choices)
    kind = serializers.ChoiceField(choices=ScheduledKind.choices)
    reason = serializers.ChoiceField(
        choices=PauseReason.choices, allow_blank=True, help_text=_("Blank for a close.")
    )
    message = serializers.CharField()
    expected_resume_on = serializers.DateField(allow_null=True)
    effective_at = serializers.DateTimeField()
    by = serializers.EmailField(source="by.email")
    cancel_message = serializers.CharField(allow_blank=True)
    delivery = DeliverySerializer(source="*")


class PauseInSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=PauseReason.choices)
    message = serializers.CharField(help_text=_("Every assigned contractor reads this."))
    expected_resume_on = serializers.DateField(required=False, allow_null=True, default=None)
    effective_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Leave out to pause now; a future time schedules the pause (a notice "
            "period): contractors are told now, and again when it takes effect."
        ),
    )
    short_notice_confirmed = serializers.BooleanField(default=False, help_text=SHORT_NOTICE_HELP)


class MessageInSerializer(serializers.Serializer):
    message = serializers.CharField(allow_blank=True, default="")


class CloseInSerializer(serializers.Serializer):
    # Required as project_close requires it: contractors are told why their project ends.
    message = serializers.CharField(help_text=_("Every assigned contractor reads this."))
    effective_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "Leave out to close now; a future time schedules the close (a notice "
            "period): contractors are told now, and again when it takes effect."
        ),
    )
    short_notice_confirmed = serializers.BooleanField(default=False, help_text=SHORT_NOTICE_HELP)


class CanChangeProjectStatus(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm("projects.change_project_status")


class CanViewProjectHistory(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm("projects.view_projectstatuschange")


def _change_response(change: ProjectStatusChange, code: int = status.HTTP_200_OK) -> Response:
    change = selectors.status_change_list_for_project(change.project).get(pk=change.pk)
    return Response(StatusChangeSerializer(change).data, status=code)


def _pause_response(pause: ScheduledPause, code: int = status.HTTP_200_OK) -> Response:
    pause = selectors.scheduled_pause_with_delivery(pause)
    return Response(ScheduledPauseSerializer(pause).data, status=code)


class _StatusApi(APIView):
    permission_classes = [SignedIn, CanChangeProjectStatus]


class ProjectPauseApi(_StatusApi):
    @extend_schema(
        request=PauseInSerializer,
        responses={
            200: OpenApiResponse(StatusChangeSerializer, description="Paused now."),
            202: OpenApiResponse(
                ScheduledPauseSerializer, description="Scheduled; contractors told of it now."
            ),
            400: VALIDATION_ERROR,
            404: None,
        },
    )
    def post(self, request: Request, project_id: int) -> Response:
        """Pause a project now or at a set time; every assigned contractor is told at once."""
        project = selectors.project_get_for_manager(project_id)
        data = valid(PauseInSerializer, request.data)
        details = {
            "by": request.user,
            "reason": data["reason"],
            "message": data["message"],
            "expected_resume_on": data["expected_resume_on"],
            "short_notice_confirmed": data["short_notice_confirmed"],
        }
        if data["effective_at"] is None:
            return _change_response(services.project_pause(project=project, **details))
        pause = services.project_pause_schedule(
            project=project, effective_at=data["effective_at"], **details
        )
        return _pause_response(pause, status.HTTP_202_ACCEPTED)


class ProjectPauseCancelApi(_StatusApi):
    @extend_schema(
        request=MessageInSerializer,
        responses={200: ScheduledPauseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, project_id: int) -> Response:
        """Call off the project's scheduled pause or close; those told of it are told it is off."""
        project = selectors.project_get_for_manager(project_id)
        data = valid(MessageInSerializer, request.data)
        pause = services.project_pause_cancel(
            project=project, by=request.user, message=data["message"]
        )
        return _pause_response(pause)


class ProjectResumeApi(_StatusApi):
    @extend_schema(
        request=MessageInSerializer,
        responses={200: StatusChangeSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, project_id: int) -> Response:
        """Resume a paused project; every assigned contractor is told."""
        project = selectors.project_get_for_manager(project_id)
        data = valid(MessageInSerializer, request.data)
        change = services.project_resume(project=project, by=request.user, message=data["message"])
        return _change_response(change)


class ProjectCloseApi(_StatusApi):
    @extend_schema(
        request=CloseInSerializer,
        responses={
            200: OpenApiResponse(StatusChangeSerializer, description="Closed now."),
            202: OpenApiResponse(
                ScheduledPauseSerializer, description="Scheduled; contractors told of it now."
            ),
            400: VALIDATION_ERROR,
            404: None,
        },
    )
    def post(self, request: Request, project_id: int) -> Response:
        """Close a project for good, now or at a set time; every assigned contractor is told."""
        project = selectors.project_get_for_manager(project_id)
        data = valid(CloseInSerializer, request.data)
        details = {
            "project": project,
            "by": request.user,
            "message": data["message"],
            "short_notice_confirmed": data["short_notice_confirmed"],
        }
        if data["effective_at"] is None:
            return _change_response(services.project_close(**details))
        close = services.project_close_schedule(effective_at=data["effective_at"], **details)
        return _pause_response(close, status.HTTP_202_ACCEPTED)


class ProjectStatusChangeListApi(generics.ListAPIView):
    """The project's status history, newest first, with how each change's notices went out."""

    serializer_class = StatusChangeSerializer
    permission_classes = [SignedIn, CanViewProjectHistory]

    def get_queryset(self):
        project = selectors.project_get_for_manager(self.kwargs["project_id"])
        return selectors.status_change_list_for_project(project)
