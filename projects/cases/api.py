"""Cases through the API: the contractor's own (read, respond, appeal), managers' steps, and
the endpoint a labelling platform files an automated signal to.

Each view checks the caller, finds the case through a scoped lookup and calls
the same service the site and the admin call.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ConductRule, ContractorProfile, Sanction
from portal.api_kit import MAX_ID, SignedIn
from projects.api.work import VALIDATION_ERROR, valid
from projects.models import (
    AppealOutcome,
    Assignment,
    Case,
    CaseStatus,
    EvidenceKind,
)
from projects.selectors.cases import case_get_for_contractor, case_list_for_contractor
from projects.services import cases as services


class EvidenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    rule = serializers.CharField(source="rule.code")
    rule_version = serializers.CharField(source="rule.book.version")
    rule_title = serializers.SerializerMethodField()
    rule_text = serializers.SerializerMethodField()
    project = serializers.CharField(source="assignment.project.name", allow_null=True)
    evidence_summary = serializers.CharField()
    evidence = EvidenceSerializer(source="shown_evidence", many=True, required=False)
    warning_text = serializers.CharField(allow_blank=True)
    warning_by = serializers.DateField(allow_null=True)
    proposed_outcome = serializers.CharField(allow_blank=True)
    response_due_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    decision_reasons = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(
        source="decided_by.public_name",
        allow_null=True,
        help_text=_("The decider's name as they chose it; never an email address."),
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    effective_at = serializers.DateTimeField(allow_null=True)
    appeal_due_at = serializers.DateTimeField(allow_null=True)
    appeal_outcome = serializers.CharField(allow_blank=True)
    appeal_reasons = serializers.CharField(allow_blank=True)
    appeal_decided_by = serializers.CharField(
        source="appeal_decided_by.public_name", allow_null=True
    )

    def _text(self, case: Case) -> object:
        return case.rule.text_in(get_language() or "en")

    def get_rule_title(self, case: Case) -> str:
        text = self._text(case)
        return text.title if text else ""  # type: ignore[attr-defined]

    def get_rule_text(self, case: Case) -> str:
        text = self._text(case)
        return text.text if text else ""  # type: ignore[attr-defined]


class CaseListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    rule = serializers.CharField(source="rule.code")
    response_due_at = serializers.DateTimeField(allow_null=True)
    appeal_due_at = serializers.DateTimeField(allow_null=True)


class TextInSerializer(serializers.Serializer):
    text = serializers.CharField()


class RespondInSerializer(TextInSerializer):
    representative_name = serializers.CharField(required=False, allow_blank=True, default="")
    representative_email = serializers.EmailField(required=False, allow_blank=True, default="")


def _case_response(request: Request, case: Case, code: int = status.HTTP_200_OK) -> Response:
    case = case_get_for_contractor(case.contractor.user, case.pk)
    return Response(CaseSerializer(case).data, status=code)


class CaseListApi(generics.ListAPIView):
    """Your cases, newest first (signals waiting for a person are not cases yet)."""

    serializer_class = CaseListSerializer
    permission_classes = [SignedIn]

    def get_queryset(self):
        return case_list_for_contractor(self.request.user)


class CaseDetailApi(APIView):
    permission_classes = [SignedIn]

    @extend_schema(responses={200: CaseSerializer, 404: None})
    def get(self, request: Request, case_id: int) -> Response:
        """One of your cases, with the rule's text and the evidence shown to you."""
        return Response(CaseSerializer(case_get_for_contractor(request.user, case_id)).data)


class CaseRespondApi(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        request=RespondInSerializer,
        responses={200: CaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Answer the notice, optionally naming a representative who gets the case's messages."""
        case = case_get_for_contractor(request.user, case_id)
        data = valid(RespondInSerializer, request.data)
        services.case_respond(case=case, by=request.user, **data)
        return _case_response(request, case)


class CaseAppealApi(APIView):
    permission_classes = [SignedIn]

    @extend_schema(
        request=TextInSerializer, responses={200: CaseSerializer, 400: VALIDATION_ERROR, 404: None}
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Appeal the decision within its deadline; a different person hears it."""
        case = case_get_for_contractor(request.user, case_id)
        data = valid(TextInSerializer, request.data)
        services.case_appeal(case=case, by=request.user, text=data["text"])
        return _case_response(request, case)


# --- Managers and platforms ---------------------------------------------------------


class CanWorkCases(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm("projects.change_case")


class CanFileSignals(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm("projects.add_case")


class StaffCaseSerializer(CaseSerializer):
    contractor = serializers.IntegerField(source="contractor_id")
    decided_by = serializers.CharField(source="decided_by.email", allow_null=True)
    appeal_decided_by = serializers.CharField(source="appeal_decided_by.email", allow_null=True)
    evidence = None  # type: ignore[assignment]


class SignalInSerializer(serializers.Serializer):
    contractor = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    rule = serializers.CharField(help_text=_("The code of a rule in force."))
    assignment = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    source = serializers.CharField(max_length=100)
    summary = serializers.CharField()


class WarnInSerializer(serializers.Serializer):
    what_to_change = serializers.CharField()
    change_by = serializers.DateField()


class NoticeInSerializer(serializers.Serializer):
    proposed_outcome = serializers.ChoiceField(choices=Sanction.choices)
    # A year at most: a longer deadline is no deadline (and past a limit, no date at all).
    response_days = serializers.IntegerField(
        min_value=1,
        max_value=365,
        required=False,
        help_text=_("Days to answer; left out, the site's setting (CASE_RESPONSE_DAYS)."),
    )


class DecideInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Sanction.choices)
    reasons = serializers.CharField()
    effective_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    suspended_until = serializers.DateField(required=False, allow_null=True, default=None)


class AppealDecideInSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AppealOutcome.choices)
    reasons = serializers.CharField()
    back_pay_minor = serializers.IntegerField(
        min_value=0, max_value=MAX_ID, required=False, allow_null=True
    )
    back_pay_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonInSerializer(serializers.Serializer):
    reason = serializers.CharField()


class InterimInSerializer(ReasonInSerializer):
    business_days = serializers.IntegerField(
        min_value=1,
        max_value=365,
        required=False,
        help_text=_(
            "At most the site's limit (CASE_INTERIM_MAX_BUSINESS_DAYS); left out, the limit."
        ),
    )


class EvidenceInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    text = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.URLField(required=False, allow_blank=True, default="", max_length=200)
    file = serializers.FileField(required=False, allow_null=True, default=None)
    withheld_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why the contractor may not see it; blank shows it to them."),
    )


class StaffEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    text = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    has_file = serializers.SerializerMethodField()
    withheld_reason = serializers.CharField(allow_blank=True)
    added_at = serializers.DateTimeField()

    def get_has_file(self, item: object) -> bool:
        return bool(item.file)  # type: ignore[attr-defined]


def _staff_case(case_id: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related("contractor__user", "rule__book", "assignment__project"),
        pk=case_id,
    )


def _staff_response(case: Case, code: int = status.HTTP_200_OK) -> Response:
    case = _staff_case(case.pk)
    return Response(StaffCaseSerializer(case).data, status=code)


class CaseSignalApi(APIView):
    permission_classes = [SignedIn, CanFileSignals]

    @extend_schema(
        request=SignalInSerializer,
        responses={201: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request) -> Response:
        """File an automated signal: it opens a case that waits for a person and changes
        nothing about the contractor."""
        data = valid(SignalInSerializer, request.data)
        contractor = get_object_or_404(ContractorProfile, pk=data["contractor"])
        rule = (
            ConductRule.objects.filter(
                code=data["rule"],
                book__published_at__isnull=False,
                book__effective_at__lte=timezone.now(),
            )
            .order_by("-book__effective_at")
            .first()
        )
        if rule is None:
            raise Http404
        assignment = None
        if data["assignment"] is not None:
            assignment = get_object_or_404(Assignment, pk=data["assignment"])
        case = services.case_signal(
            contractor=contractor,
            rule=rule,
            by=request.user,
            source=data["source"],
            summary=data["summary"],
            assignment=assignment,
        )
        return _staff_response(case, status.HTTP_201_CREATED)


class _StepApi(APIView):
    permission_classes = [SignedIn, CanWorkCases]


class CaseWarnApi(_StepApi):
    @extend_schema(
        request=WarnInSerializer,
        responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Give a warning: what to change, by when."""
        data = valid(WarnInSerializer, request.data)
        case = services.case_warn(case=_staff_case(case_id), by=request.user, **data)
        return _staff_response(case)


class CaseNoticeApi(_StepApi):
    @extend_schema(
        request=NoticeInSerializer,
        responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Give notice of the proposed outcome and the deadline to answer."""
        data = valid(NoticeInSerializer, request.data)
        case = services.case_notice(case=_staff_case(case_id), by=request.user, **data)
        return _staff_response(case)


class CaseDecideApi(_StepApi):
    @extend_schema(
        request=DecideInSerializer,
        responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Decide, with reasons; needs the permission to decide cases."""
        data = valid(DecideInSerializer, request.data)
        decision = services.Decision(**data)
        case = services.case_decide(case=_staff_case(case_id), by=request.user, decision=decision)
        return _staff_response(case)


class CaseAppealDecideApi(_StepApi):
    @extend_schema(
        request=AppealDecideInSerializer,
        responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Hear the appeal (not as the first decider); overturning reinstates with back pay."""
        data = valid(AppealDecideInSerializer, request.data)
        decision = services.AppealDecision(
            outcome=data["outcome"],
            reasons=data["reasons"],
            back_pay_minor=data.get("back_pay_minor"),
            back_pay_reason=data["back_pay_reason"],
        )
        case = services.case_appeal_decide(
            case=_staff_case(case_id), by=request.user, decision=decision
        )
        return _staff_response(case)


class CaseTakeApi(_StepApi):
    @extend_schema(
        request=None, responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None}
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Take up a signalled case as its named handler; only now is the contractor told."""
        case = services.case_take(case=_staff_case(case_id), by=request.user)
        return _staff_response(case)


class CaseCloseApi(_StepApi):
    @extend_schema(
        request=ReasonInSerializer,
        responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Close without a sanction (dropped, or the appeal window passed), with a note."""
        data = valid(ReasonInSerializer, request.data)
        case = services.case_close(case=_staff_case(case_id), by=request.user, **data)
        return _staff_response(case)


class CaseInterimApi(_StepApi):
    @extend_schema(
        request=InterimInSerializer,
        responses={200: StaffCaseSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Suspend while a safety or fraud case is heard, for at most the site's limit of
        business days; needs the permission for interim suspensions. It ends by itself."""
        data = valid(InterimInSerializer, request.data)
        case = services.case_interim_suspend(case=_staff_case(case_id), by=request.user, **data)
        return _staff_response(case)


class CaseEvidenceApi(_StepApi):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": EvidenceInSerializer,
            "multipart/form-data": EvidenceInSerializer,
        },
        responses={201: StaffEvidenceSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, case_id: int) -> Response:
        """Add an evidence item: text, a link, or a file (multipart); shown to the contractor
        unless a reason to withhold it is given."""
        data = valid(EvidenceInSerializer, request.data)
        item = services.case_evidence_add(case=_staff_case(case_id), by=request.user, **data)
        return Response(StaffEvidenceSerializer(item).data, status=status.HTTP_201_CREATED)
