"""The accounts API: who is signed in, their own application, their own API tokens.

Each view checks the shape of its input with a small serializer, finds the
object through a lookup scoped to the requesting user, and calls the same
service as the site. Business rules live in the services, so a serializer here
checks types and reference lists only.

Payout details have no endpoint on purpose: the site asks for the password
(or an authenticator) again before they change, and a token alone must never
be enough to send someone's pay elsewhere.
"""

import json
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiRequest, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.choices import language_name, validate_currency, validate_language, validate_time_zone
from accounts.models import (
    ApiToken,
    Application,
    ApplicationStatus,
    ContractorStatus,
    ExpertiseArea,
    LanguageLevel,
    ProfileLanguage,
    User,
)
from accounts.selectors import (
    api_token_get_for_user,
    api_token_list_for_user,
    application_latest_for_user,
    contractor_for_user,
)
from portal.api_kit import SignedIn

VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Bad input; nothing was changed. Messages are keyed by field name "
        "(`languages` errors by list index, then field); errors that belong to no "
        "single field are under `non_field_errors`."
    ),
)
NO_APPLICATION = OpenApiResponse(description="You have not applied yet.")


# --- Lookups scoped to the requesting user ------------------------------------


def _latest_application_or_404(user: User) -> Application:
    application = application_latest_for_user(user)
    if application is None:
        raise Http404(gettext("You have not applied yet."))
    return application


# --- Output serializers ---------------------------------------------------------


class LanguageSerializer(serializers.Serializer):
    language = serializers.CharField(help_text=_("ISO 639-1 code, e.g. `de`."))
    name = serializers.SerializerMethodField()
    level = serializers.ChoiceField(choices=LanguageLevel.choices)

    def get_name(self, entry: ProfileLanguage) -> str:
        return language_name(entry.language)


class ExpertiseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ContractorSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ContractorStatus.choices)
    status_reason = serializers.CharField(help_text=_("Why the status last changed, if given."))
    status_changed_at = serializers.DateTimeField()
    legal_name = serializers.CharField()
    display_name = serializers.CharField()
    country = CountryField(help_text=_("ISO 3166-1 alpha-2 code."))
    subdivision = serializers.CharField(
        help_text=_("Province or region (ISO 3166-2 or a wage region); empty if none.")
    )
    time_zone = serializers.CharField(help_text=_("IANA time zone name."))
    hours_per_week = serializers.IntegerField()
    payout_currency = serializers.CharField(help_text=_("ISO 4217 code."))
    languages = LanguageSerializer(many=True)
    expertise = ExpertiseSerializer(many=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    email = serializers.EmailField(source="user.email")
    is_staff = serializers.BooleanField(source="user.is_staff")
    groups = serializers.ListField(child=serializers.CharField(), help_text=_("Staff role names."))
    contractor = ContractorSerializer(
        allow_null=True, help_text=_("Your contractor profile; null if you have never applied.")
    )


class ApplicationStatusChangeSerializer(serializers.Serializer):
    # Plain strings rather than enums: the status enum is named once, on the application.
    from_status = serializers.CharField(help_text=_("An application status; empty for the first."))
    to_status = serializers.CharField(help_text=_("An application status."))
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    editable = serializers.BooleanField(
        source="is_editable", help_text=_("Whether it can still be changed (review not started).")
    )
    decision_reason = serializers.CharField(help_text=_("The reason given with a rejection."))
    motivation = serializers.CharField()
    resume_name = serializers.CharField(source="resume_original_name")
    resume_content_type = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    history = ApplicationStatusChangeSerializer(
        source="status_changes", many=True, help_text=_("Status changes, newest first.")
    )


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text=_("The key's first characters, to tell tokens apart."))
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.SerializerMethodField(
        help_text=_(
            "Send as `Authorization: Token <key>`. Shown only in this response: "
            "only a hash is stored, so a lost key cannot be recovered."
        )
    )

    def get_key(self, token: ApiToken) -> str:
        return self.context["key"]


# --- Input serializers ----------------------------------------------------------


class ApplicantLanguageSerializer(serializers.Serializer):
    language = serializers.CharField(
        validators=[validate_language], help_text=_("ISO 639-1 code, e.g. `de`.")
    )
    level = serializers.ChoiceField(choices=LanguageLevel.choices)


class LanguageListField(serializers.ListField):
    """A list of languages; a multipart request sends it as one field holding JSON."""

    child = ApplicantLanguageSerializer()
    default_error_messages = {"invalid_json": _("Send the languages as a JSON list.")}

    def to_internal_value(self, data: Any) -> list:
        # Multipart gives a list of the field's values: one JSON string here.
        if isinstance(data, list) and len(data) == 1 and isinstance(data[0], str):
            data = data[0]
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("invalid_json")
        return super().to_internal_value(data)


class ApplicationFormSerializer(serializers.Serializer):
    legal_name = serializers.CharField()
    display_name = serializers.CharField()
    country = CountryField(help_text=_("ISO 3166-1 alpha-2 code."))
    subdivision = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Province or region, e.g. `ID-JK`: required where the country's wage floors "
            "differ by it, empty elsewhere."
        ),
    )
    time_zone = serializers.CharField(
        validators=[validate_time_zone], help_text=_("IANA time zone name, e.g. `Europe/Berlin`.")
    )
    site_language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text=_(
            "The language the site and its emails speak to you in; leave it out to keep yours."
        ),
    )
    languages = LanguageListField(
        help_text=_(
            'e.g. `[{"language": "de", "level": "native"}]`. In a multipart request, '
            "send one `languages` field holding this list as JSON."
        )
    )
    expertise = serializers.PrimaryKeyRelatedField(
        queryset=ExpertiseArea.objects.all(),
        many=True,
        required=False,
        help_text=_("Expertise area ids; in multipart, repeat the field once per id."),
    )
    hours_per_week = serializers.IntegerField(help_text=_("Hours you can work a week."))
    payout_currency = serializers.CharField(
        validators=[validate_currency], help_text=_("ISO 4217 code, e.g. `EUR`.")
    )
    motivation = serializers.CharField(
        max_length=Application._meta.get_field("motivation").max_length
    )
    resume = serializers.FileField(
        help_text=_("A PDF or Word (.docx) file, checked by its content."),
    )


# Tells multipart clients (and the docs page) that `languages` is one JSON-encoded part.
APPLICATION_MULTIPART = OpenApiRequest(
    ApplicationFormSerializer, encoding={"languages": {"contentType": "application/json"}}
)


class ApiTokenCreateSerializer(serializers.Serializer):
    # Blank names reach the service, which owns the message for them.
    name = serializers.CharField(allow_blank=True, help_text=_("What the token is for."))


def _applicant_details(data: dict) -> services.ApplicantDetails:
    languages = [(entry["language"], entry["level"]) for entry in data["languages"]]
    return services.ApplicantDetails.from_answers(data, languages=languages)


def _current_answers(application: Application) -> dict:
    """The application's answers as they stand, so a PATCH changes only what it sends."""
    profile = application.profile
    answers = {name: getattr(profile, name) for name in services.PROFILE_FIELDS}
    answers["country"] = profile.country.code
    answers["subdivision"] = profile.subdivision
    answers["motivation"] = application.motivation
    answers["languages"] = [
        {"language": entry.language, "level": entry.level} for entry in profile.languages.all()
    ]
    answers["expertise"] = list(profile.expertise.all())
    return answers


# --- Views ------------------------------------------------------------------------


class MeApi(APIView):
    @extend_schema(
        summary="The signed-in user, with their contractor profile if any",
        responses={200: MeSerializer},
        tags=["me"],
    )
    def get(self, request: Request) -> Response:
        user = request.user
        me = {
            "user": user,
            "groups": list(user.groups.order_by("name").values_list("name", flat=True)),
            "contractor": contractor_for_user(user),
        }
        return Response(MeSerializer(me).data)


class ApplicationApi(APIView):
    parser_classes = [MultiPartParser, JSONParser]

    @extend_schema(
        summary="Your latest application, with its status history",
        responses={200: ApplicationSerializer, 404: NO_APPLICATION},
        tags=["application"],
    )
    def get(self, request: Request) -> Response:
        application = _latest_application_or_404(request.user)
        return Response(ApplicationSerializer(application).data)

    @extend_schema(
        summary="Apply: the same answers as the site's application form",
        request={"multipart/form-data": APPLICATION_MULTIPART},
        responses={201: ApplicationSerializer, 400: VALIDATION_ERROR},
        tags=["application"],
    )
    def post(self, request: Request) -> Response:
        form = ApplicationFormSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        application = services.application_submit(
            user=request.user,
            details=_applicant_details(form.validated_data),
            resume=form.validated_data["resume"],
        )
        return Response(ApplicationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change your application while it waits for review",
        description="Send only what changes; the résumé is replaced only if a new one is sent "
        "(multipart), and expertise is cleared by sending `[]` in a JSON body. Once review has "
        "started the application can no longer be changed.",
        request={
            "multipart/form-data": APPLICATION_MULTIPART,
            "application/json": ApplicationFormSerializer,
        },
        responses={200: ApplicationSerializer, 400: VALIDATION_ERROR, 404: NO_APPLICATION},
        tags=["application"],
    )
    def patch(self, request: Request) -> Response:
        application = _latest_application_or_404(request.user)
        form = ApplicationFormSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        answers = _current_answers(application) | form.validated_data
        application = services.application_update(
            application=application,
            by=request.user,
            details=_applicant_details(answers),
            resume=form.validated_data.get("resume"),
        )
        return Response(ApplicationSerializer(application).data)


class ApplicationWithdrawApi(APIView):
    @extend_schema(
        summary="Withdraw your open application",
        request=None,
        responses={200: ApplicationSerializer, 400: VALIDATION_ERROR, 404: NO_APPLICATION},
        tags=["application"],
    )
    def post(self, request: Request) -> Response:
        application = _latest_application_or_404(request.user)
        application = services.application_withdraw(application=application, by=request.user)
        return Response(ApplicationSerializer(application).data)


class CreatesFromSessionOnly(BasePermission):
    """Tokens are minted only from a signed-in session: a leaked token must not be able
    to make itself a successor that outlives its revocation."""

    message = _("Create API tokens while signed in to the site, not with another token.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in SAFE_METHODS or isinstance(
            request.successful_authenticator, SessionAuthentication
        )


class ApiTokenListApi(APIView):
    permission_classes = [SignedIn, CreatesFromSessionOnly]

    @extend_schema(
        summary="Your API tokens, revoked ones included (never their keys)",
        responses={200: ApiTokenSerializer(many=True)},
        tags=["tokens"],
    )
    def get(self, request: Request) -> Response:
        tokens = api_token_list_for_user(request.user)
        return Response(ApiTokenSerializer(tokens, many=True).data)

    @extend_schema(
        summary="Create an API token; its key is shown once, in this response",
        description="Only from a signed-in browser session (the site or this page): a request "
        "authenticated with a token gets 403.",
        request=ApiTokenCreateSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: VALIDATION_ERROR,
            403: OpenApiResponse(description="Not signed in with a session."),
        },
        auth=[{"cookieAuth": []}],
        tags=["tokens"],
    )
    def post(self, request: Request) -> Response:
        form = ApiTokenCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, name=form.validated_data["name"])
        output = ApiTokenCreatedSerializer(token, context={"key": key})
        return Response(output.data, status=status.HTTP_201_CREATED)


class ApiTokenRevokeApi(APIView):
    @extend_schema(
        summary="Revoke one of your API tokens; it stops working at once",
        description="Works from a session or with any of your tokens, including the one "
        "making the request. Revoking twice is harmless.",
        responses={204: None, 404: OpenApiResponse(description="You have no such token.")},
        tags=["tokens"],
    )
    def delete(self, request: Request, token_id: int) -> Response:
        token = api_token_get_for_user(user=request.user, pk=token_id)
        services.api_token_revoke(token=token, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
