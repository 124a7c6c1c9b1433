"""A project's transparency page and the contractor's invitations, through the API.

The same reads and services as the site: a contractor reads a project they are on
or invited to (anything else is 404), and answers their own invitations.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ContractorProfile, User
from accounts.selectors import contractor_for_user
from portal.dates import local_today
from projects import selectors, services
from projects.api.work import VALIDATION_ERROR, AssignmentSerializer, valid
from projects.models import (
    ContentWarning,
    EntryKind,
    FloorBasis,
    InvitationStatus,
    PayBasis,
    ProjectInvitation,
    ProjectStatus,
)
from projects.selectors.about import (
    invitation_get_for_contractor,
    invitation_list_for_contractor,
    project_about_for_contractor,
)


def _profile(user: User) -> ContractorProfile:
    profile = contractor_for_user(user)
    if profile is None:
        raise Http404(_("Only contractors have projects."))
    return profile


class RateRangeSerializer(serializers.Serializer):
    low_minor = serializers.IntegerField(help_text=gettext_lazy("Minor units (cents) per hour."))
    high_minor = serializers.IntegerField(help_text=gettext_lazy("Minor units (cents) per hour."))
    currency = serializers.CharField(help_text=gettext_lazy("ISO 4217 code."))


class ProjectAboutSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.id")
    name = serializers.CharField(source="project.name")
    description = serializers.CharField(source="project.description")
    status = serializers.ChoiceField(source="project.status", choices=ProjectStatus.choices)
    manager_name = serializers.CharField(source="project.manager.public_name")
    content_warning = serializers.ChoiceField(
        source="project.content_warning", choices=ContentWarning.choices
    )
    pay_basis = serializers.ChoiceField(
        choices=PayBasis.choices,
        help_text=gettext_lazy("Every hour logged and approved is paid at the rate of its day."),
    )
    rate_ranges = RateRangeSerializer(
        many=True,
        help_text=gettext_lazy(
            "Lowest and highest rates in force today on the project's active assignments, per "
            "currency at least three people are paid in; the project's default rate, as the "
            "figure rates start from, in place of the others and while nobody is on it."
        ),
    )
    rates_from_default = serializers.BooleanField(
        source="from_default_rate",
        help_text=gettext_lazy("Whether the project's default rate stands in for rates paid."),
    )
    floor_bases = serializers.ListField(
        source="floor_basis_codes",
        child=serializers.ChoiceField(choices=FloorBasis.choices),
        help_text=gettext_lazy(
            "The wage floors counted; no rate goes below the highest of them in force where "
            "the contractor lives."
        ),
    )
    expected_minutes_per_week = serializers.IntegerField(source="expected_minutes")
    start_on = serializers.DateField(source="project.start_on")
    end_on = serializers.DateField(source="project.end_on", allow_null=True)
    expected_weeks = serializers.IntegerField(source="duration_weeks", allow_null=True)
    quality_review = serializers.CharField(source="project.quality_review", allow_blank=True)
    quality_review_written_in = serializers.CharField(
        source="project.quality_review_written_in", allow_blank=True
    )
    paid_activity_kinds = serializers.ListField(
        source="paid_kind_codes", child=serializers.ChoiceField(choices=EntryKind.choices)
    )
    assignment = serializers.IntegerField(source="assignment.pk", allow_null=True)
    invitation = serializers.IntegerField(source="invitation.pk", allow_null=True)


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.IntegerField(source="project_id")
    project_name = serializers.CharField(source="project.name")
    content_warning = serializers.ChoiceField(
        source="project.content_warning", choices=ContentWarning.choices
    )
    status = serializers.ChoiceField(choices=InvitationStatus.choices)
    rate_minor = serializers.IntegerField(help_text=gettext_lazy("Minor units (cents) per hour."))
    currency = serializers.CharField()
    invited_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)


class AcceptSerializer(serializers.Serializer):
    warning_read = serializers.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "Required true for a project with a content warning: the contractor has read it."
        ),
    )


class ProjectAboutApi(APIView):
    @extend_schema(responses={200: ProjectAboutSerializer, 404: None})
    def get(self, request: Request, project_id: int) -> Response:
        """A project you are on or invited to: pay, hours, floors, quality review, warning."""
        about = project_about_for_contractor(profile=_profile(request.user), project_pk=project_id)
        return Response(ProjectAboutSerializer(about).data)


class InvitationListApi(generics.ListAPIView):
    """Your invitations waiting for an answer, newest first."""

    serializer_class = InvitationSerializer

    def get_queryset(self):
        profile = contractor_for_user(self.request.user)
        if profile is None:
            return ProjectInvitation.objects.none()
        return invitation_list_for_contractor(profile)


class InvitationAcceptApi(APIView):
    @extend_schema(
        request=AcceptSerializer,
        responses={201: AssignmentSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        """Join the project at the rate offered; you are assigned to it."""
        data = valid(AcceptSerializer, request.data)
        profile = _profile(request.user)
        invitation = invitation_get_for_contractor(profile=profile, pk=invitation_id)
        assignment = services.invitation_accept(
            invitation=invitation, by=request.user, warning_read=data["warning_read"]
        )
        assignment = selectors.assignment_get_for_contractor(user=request.user, pk=assignment.pk)
        context = {"today": local_today(profile.time_zone)}
        return Response(
            AssignmentSerializer(assignment, context=context).data, status=status.HTTP_201_CREATED
        )


class InvitationDeclineApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: OpenApiResponse(
                InvitationSerializer,
                description="Declined and recorded; declining is never held against you.",
            ),
            400: VALIDATION_ERROR,
            404: None,
        },
    )
    def post(self, request: Request, invitation_id: int) -> Response:
        """Decline the invitation."""
        invitation = invitation_get_for_contractor(profile=_profile(request.user), pk=invitation_id)
        invitation = services.invitation_decline(invitation=invitation, by=request.user)
        return Response(InvitationSerializer(invitation).data)
