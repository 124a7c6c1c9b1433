"""A contractor's assignments and time, and the managers' review of it.

Each view checks the input's shape with a small serializer, finds objects
through a lookup scoped to the requesting user (another contractor's ids are
404), and calls the same service as the site and the admin.
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from accounts.selectors import contractor_for_user
from portal.api_kit import MAX_ID, DayField, SignedIn
from portal.dates import local_today
from projects import selectors, services
from projects.models import (
    MINUTES_PER_DAY,
    Assignment,
    ContentWarning,
    EntryKind,
    EntryStatus,
    PauseReason,
    Project,
    ProjectPurpose,
    ProjectStatus,
    TimeEntry,
)
from projects.time_rules import rate_on
from projects.timesheet import week_start

VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Refused; nothing was changed. Messages are keyed by field name; for a week "
        "submission, by cell (`<assignment>-<kind>-<date>`); errors that belong to no "
        "field are under `non_field_errors`."
    ),
)
WEEK = OpenApiParameter(
    "week",
    OpenApiTypes.DATE,
    description="Any day of the week wanted (weeks run Monday to Sunday); this week if absent.",
)


def _today_for(user: User) -> date:
    profile = contractor_for_user(user)
    return local_today(profile.time_zone) if profile else timezone.localdate()


class WeekQuerySerializer(serializers.Serializer):
    week = DayField(required=False)


class ReviewQuerySerializer(WeekQuerySerializer):
    status = serializers.ChoiceField(choices=EntryStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    project = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    contractor = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


def _week_range(week: date) -> tuple[date, date]:
    monday = week_start(week)
    return monday, monday + timedelta(days=6)


# --- Output serializers --------------------------------------------------------------


class RateSerializer(serializers.Serializer):
    rate_minor = serializers.IntegerField(help_text=_("Minor units (cents) per hour."))
    currency = serializers.CharField(help_text=_("ISO 4217 code."))
    effective_on = serializers.DateField()
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why the rate was lowered; blank for a raise.")
    )


class PendingPauseSerializer(serializers.Serializer):
    effective_at = serializers.DateTimeField(help_text=_("When the project pauses."))
    reason = serializers.ChoiceField(choices=PauseReason.choices)
    message = serializers.CharField()
    expected_resume_on = serializers.DateField(allow_null=True)


class ProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=ProjectStatus.choices)
    # Paid assessments and training take time of their own kind, up to a limit in all.
    purpose = serializers.ChoiceField(choices=ProjectPurpose.choices)
    time_limit_minutes = serializers.IntegerField(allow_null=True)
    pause_reason = serializers.ChoiceField(choices=PauseReason.choices, allow_blank=True)
    pause_message = serializers.CharField(allow_blank=True)
    paused_at = serializers.DateTimeField(allow_null=True)
    expected_resume_on = serializers.DateField(allow_null=True)
    scheduled_pause = serializers.SerializerMethodField()
    guidelines = serializers.CharField(allow_blank=True)
    guidelines_url = serializers.URLField(allow_blank=True)
    manager_email = serializers.EmailField(source="manager.email")
    manager_name = serializers.CharField(source="manager.public_name")
    content_warning = serializers.ChoiceField(
        choices=ContentWarning.choices,
        help_text=_("The rest of what the project's page says is at projects/{id}/about."),
    )

    @extend_schema_field(PendingPauseSerializer(allow_null=True))
    def get_scheduled_pause(self, project: Project) -> dict | None:
        """A pause announced ahead of time and not yet in effect, if any."""
        pending = getattr(project, "pending_pauses", None) or []
        return PendingPauseSerializer(pending[0]).data if pending else None


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = ProjectSerializer()
    status = serializers.CharField()
    start_on = serializers.DateField()
    end_on = serializers.DateField(allow_null=True)
    weekly_cap_minutes = serializers.IntegerField(source="cap_minutes")
    removal_reason = serializers.CharField(allow_blank=True)
    current_rate = serializers.SerializerMethodField()
    rates = serializers.SerializerMethodField()

    @extend_schema_field(RateSerializer(allow_null=True))
    def get_current_rate(self, assignment: Assignment) -> dict | None:
        rate = rate_on(assignment.rates.all(), self.context["today"])
        return RateSerializer(rate).data if rate else None

    @extend_schema_field(RateSerializer(many=True))
    def get_rates(self, assignment: Assignment) -> list[dict]:
        history = sorted(assignment.rates.all(), key=lambda r: r.effective_on, reverse=True)
        return RateSerializer(history, many=True).data


class EntryContractorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    legal_name = serializers.CharField()
    email = serializers.EmailField(source="user.email")


class TimeEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    assignment = serializers.IntegerField(source="assignment_id")
    project = serializers.CharField(source="assignment.project.name")
    work_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    minutes = serializers.IntegerField()
    note = serializers.CharField(allow_blank=True)
    status = serializers.ChoiceField(choices=EntryStatus.choices)
    rate_minor = serializers.IntegerField(help_text=_("The rate in force on the work date."))
    currency = serializers.CharField()
    amount_minor = serializers.IntegerField(help_text=_("minutes × rate / 60, rounded half-up."))
    rejection_reason = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    contractor = EntryContractorSerializer(source="assignment.contractor")


# --- Input serializers ---------------------------------------------------------------


class TimeEntryInSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    work_on = DayField(help_text=_("The day worked, in your time zone."))
    kind = serializers.ChoiceField(choices=EntryKind.choices, default=EntryKind.TASK)
    minutes = serializers.IntegerField(min_value=1, max_value=MINUTES_PER_DAY)
    note = serializers.CharField(max_length=500, allow_blank=True, default="")


class TimeEntryChangeSerializer(serializers.Serializer):
    work_on = DayField(required=False)
    kind = serializers.ChoiceField(choices=EntryKind.choices, required=False)
    minutes = serializers.IntegerField(min_value=1, max_value=MINUTES_PER_DAY, required=False)
    note = serializers.CharField(max_length=500, allow_blank=True, required=False)


class WeekSerializer(serializers.Serializer):
    week = DayField(help_text=_("Any day of the week to submit."))


class EntryIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=1000
    )


class RejectSerializer(EntryIdsSerializer):
    reason = serializers.CharField(help_text=_("Shown to the contractor."))


# --- Contractors -----------------------------------------------------------------------


class AssignmentListApi(generics.ListAPIView):
    """Your assignments, active first, each with its project's status and your rates."""

    serializer_class = AssignmentSerializer

    def get_queryset(self):
        return selectors.assignment_list_for_contractor(self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "today": _today_for(self.request.user)}


class TimeEntryListApi(APIView):
    @extend_schema(parameters=[WEEK], responses=TimeEntrySerializer(many=True))
    def get(self, request: Request) -> Response:
        """Your time entries of one week."""
        query = valid(WeekQuerySerializer, request.query_params)
        start, end = _week_range(query.get("week") or _today_for(request.user))
        entries = selectors.time_entry_list_for_contractor(request.user).filter(
            work_on__range=(start, end)
        )
        return Response(TimeEntrySerializer(entries, many=True).data)

    @extend_schema(
        request=TimeEntryInSerializer,
        responses={201: TimeEntrySerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request) -> Response:
        """Log a draft entry; it is checked against every timesheet rule."""
        data = valid(TimeEntryInSerializer, request.data)
        assignment = selectors.assignment_get_for_contractor(
            user=request.user, pk=data["assignment"]
        )
        entry = services.time_entry_create(
            by=request.user,
            assignment=assignment,
            work_on=data["work_on"],
            kind=data["kind"],
            minutes=data["minutes"],
            note=data["note"],
        )
        entry = selectors.time_entry_get_for_contractor(user=request.user, pk=entry.pk)
        return Response(TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class TimeEntryDetailApi(APIView):
    @extend_schema(responses={200: TimeEntrySerializer, 404: None})
    def get(self, request: Request, entry_id: int) -> Response:
        entry = selectors.time_entry_get_for_contractor(user=request.user, pk=entry_id)
        return Response(TimeEntrySerializer(entry).data)

    @extend_schema(
        request=TimeEntryChangeSerializer,
        responses={200: TimeEntrySerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def patch(self, request: Request, entry_id: int) -> Response:
        """Change a draft or rejected entry; submitted and approved ones are read-only."""
        entry = selectors.time_entry_get_for_contractor(user=request.user, pk=entry_id)
        data = valid(TimeEntryChangeSerializer, request.data)
        entry = services.time_entry_update(
            by=request.user,
            entry=entry,
            work_on=data.get("work_on", entry.work_on),
            kind=data.get("kind", entry.kind),
            minutes=data.get("minutes", entry.minutes),
            note=data.get("note", entry.note),
        )
        entry = selectors.time_entry_get_for_contractor(user=request.user, pk=entry.pk)
        return Response(TimeEntrySerializer(entry).data)

    @extend_schema(responses={204: None, 400: VALIDATION_ERROR, 404: None})
    def delete(self, request: Request, entry_id: int) -> Response:
        """Delete a draft or rejected entry."""
        entry = selectors.time_entry_get_for_contractor(user=request.user, pk=entry_id)
        services.time_entry_delete(by=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WeekSubmitApi(APIView):
    @extend_schema(
        request=WeekSerializer,
        responses={200: TimeEntrySerializer(many=True), 400: VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        """Submit the week's drafts and corrected rejections for review, all or none."""
        data = valid(WeekSerializer, request.data)
        entries = services.time_week_submit(by=request.user, week=data["week"])
        ids = [entry.pk for entry in entries]
        submitted = selectors.time_entry_list_for_contractor(request.user).filter(pk__in=ids)
        return Response(TimeEntrySerializer(submitted, many=True).data)


def valid(serializer_class: type[serializers.Serializer], data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Managers ------------------------------------------------------------------------


class CanViewEntries(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm("projects.view_timeentry")


class CanReviewEntries(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm("projects.review_timeentry")


REVIEW_FILTERS = [
    WEEK,
    OpenApiParameter("status", OpenApiTypes.STR, enum=EntryStatus.values),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=EntryKind.values),
    OpenApiParameter("project", OpenApiTypes.INT),
    OpenApiParameter("contractor", OpenApiTypes.INT, description="Contractor profile id."),
]


@extend_schema(parameters=REVIEW_FILTERS)
class ReviewEntryListApi(generics.ListAPIView):
    """Every contractor's time entries, for staff who may view them; filter by week and more."""

    serializer_class = TimeEntrySerializer
    permission_classes = [SignedIn, CanViewEntries]

    def get_queryset(self):
        query = valid(ReviewQuerySerializer, self.request.query_params)
        entries = selectors.time_entry_list_for_reviewer()
        if "week" in query:
            entries = entries.filter(work_on__range=_week_range(query["week"]))
        for param, lookup in (
            ("status", "status"),
            ("kind", "kind"),
            ("project", "assignment__project_id"),
            ("contractor", "assignment__contractor_id"),
        ):
            if param in query:
                entries = entries.filter(**{lookup: query[param]})
        return entries


class _ReviewApi(APIView):
    permission_classes = [SignedIn, CanReviewEntries]

    def _respond(self, entries: list[TimeEntry]) -> Response:
        reviewed = selectors.time_entry_list_for_reviewer().filter(pk__in=[e.pk for e in entries])
        return Response(TimeEntrySerializer(reviewed, many=True).data)


class ReviewApproveApi(_ReviewApi):
    @extend_schema(
        request=EntryIdsSerializer,
        responses={200: TimeEntrySerializer(many=True), 400: VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        """Approve submitted entries, all or none; each contractor gets one email."""
        data = valid(EntryIdsSerializer, request.data)
        entries = services.time_entries_approve(entry_ids=data["ids"], by=request.user)
        return self._respond(entries)


class ReviewRejectApi(_ReviewApi):
    @extend_schema(
        request=RejectSerializer,
        responses={200: TimeEntrySerializer(many=True), 400: VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        """Send submitted entries back with one reason, all or none."""
        data = valid(RejectSerializer, request.data)
        entries = services.time_entries_reject(
            entry_ids=data["ids"], by=request.user, reason=data["reason"]
        )
        return self._respond(entries)
