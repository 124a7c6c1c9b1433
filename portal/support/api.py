"""Support through the API: an asker's conversations (list, open, reply, close) and the
support team's queue (list by clock, answer, assign). The views call the same services as
the pages and the admin."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api_kit import MAX_ID, SignedIn
from portal.people import shown_name
from portal.support import selectors, services
from portal.support.attachments import MAX_FILES
from portal.support.models import AboutKind, Category, Conversation, ConversationStatus, Message

VALIDATION_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description=(
        "Refused; nothing was changed. Messages are keyed by field name; errors that "
        "belong to no field are under `non_field_errors`."
    ),
)


def valid(serializer_class: type[serializers.Serializer], data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_staff = serializers.BooleanField()
    author_name = serializers.SerializerMethodField(
        help_text=_("The staff member's name, never their email address; blank for the asker.")
    )
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author_name(self, message: Message) -> str:
        return shown_name(message.author_name) if message.from_staff else ""


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    category = serializers.ChoiceField(choices=Category.choices)
    subject = serializers.CharField()
    status = serializers.ChoiceField(choices=ConversationStatus.choices)
    about_kind = serializers.ChoiceField(choices=AboutKind.choices, allow_blank=True)
    about_id = serializers.IntegerField(allow_null=True)
    answered_by = serializers.SerializerMethodField(
        help_text=_("The assigned staff member's name, never their email; blank if none yet.")
    )
    opened_at = serializers.DateTimeField()
    last_message_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the next answer is promised; empty unless waiting.")
    )
    first_answer_minutes = serializers.IntegerField(
        allow_null=True, help_text=_("Business minutes the first answer took.")
    )
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_answered_by(self, conversation: Conversation) -> str:
        return shown_name(conversation.assignee_name) if conversation.assignee_id else ""


class ConversationDetailSerializer(ConversationSerializer):
    messages = MessageSerializer(many=True, source="thread")


class StaffConversationSerializer(ConversationSerializer):
    asker = serializers.EmailField(source="contractor.email")
    language = serializers.CharField(allow_blank=True)
    assignee = serializers.EmailField(source="assignee.email", allow_null=True)


def _attachments_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        max_length=MAX_FILES,
        help_text=_(
            "Up to 3 PDF, PNG or JPEG files of at most 5 MB each, checked by their content; "
            "send the request as multipart/form-data to attach them."
        ),
    )


class OpenInSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=10000)
    about_kind = serializers.ChoiceField(choices=AboutKind.choices, required=False, default="")
    about_id = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )


class OpenWithFilesInSerializer(OpenInSerializer):
    attachments = _attachments_field()


class BodyInSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


class ReplyWithFilesInSerializer(BodyInSerializer):
    attachments = _attachments_field()


# The asker's writes take JSON, or multipart/form-data when files come along.
WITH_FILES_PARSERS = [JSONParser, MultiPartParser]


class AssignInSerializer(serializers.Serializer):
    to = serializers.EmailField(help_text=_("A support staff member's email address."))
    shown_name = serializers.CharField(max_length=100, required=False, default="")


def _detail(conversation: Conversation, code: int = status.HTTP_200_OK) -> Response:
    conversation.refresh_from_db()
    conversation.thread = list(selectors.message_list(conversation))
    return Response(ConversationDetailSerializer(conversation).data, status=code)


# --- The asker ---------------------------------------------------------------------------


class ConversationListApi(generics.ListAPIView):
    """Your support conversations, latest activity first."""

    serializer_class = ConversationSerializer

    def get_queryset(self):
        return selectors.conversation_list_for_user(self.request.user)

    parser_classes = WITH_FILES_PARSERS

    @extend_schema(
        request={
            "application/json": OpenInSerializer,
            "multipart/form-data": OpenWithFilesInSerializer,
        },
        responses={201: ConversationDetailSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        """Ask a question, with files if you like; the clock on its first answer starts now."""
        data = valid(OpenWithFilesInSerializer, request.data)
        conversation = services.conversation_open(by=request.user, **data)
        return _detail(conversation, status.HTTP_201_CREATED)


class ConversationDetailApi(APIView):
    @extend_schema(responses={200: ConversationDetailSerializer, 404: None})
    def get(self, request: Request, conversation_id: int) -> Response:
        """One of your conversations with its messages (never staff's internal notes)."""
        return _detail(selectors.conversation_get_for_user(user=request.user, pk=conversation_id))


class ConversationReplyApi(APIView):
    parser_classes = WITH_FILES_PARSERS

    @extend_schema(
        request={
            "application/json": BodyInSerializer,
            "multipart/form-data": ReplyWithFilesInSerializer,
        },
        responses={200: ConversationDetailSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        """Write again in one of your conversations, with files if you like; if it was
        answered, the clock restarts."""
        conversation = selectors.conversation_get_for_user(user=request.user, pk=conversation_id)
        data = valid(ReplyWithFilesInSerializer, request.data)
        services.conversation_reply(
            conversation=conversation,
            by=request.user,
            body=data["body"],
            attachments=data["attachments"],
        )
        return _detail(conversation)


class ConversationCloseApi(APIView):
    @extend_schema(
        request=None,
        responses={200: ConversationDetailSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        """Close one of your conversations."""
        conversation = selectors.conversation_get_for_user(user=request.user, pk=conversation_id)
        services.conversation_close(conversation=conversation, by=request.user)
        return _detail(conversation)


# --- The support team --------------------------------------------------------------------


class IsSupportStaff(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return selectors.is_support_staff(request.user)


class QueueApi(generics.ListAPIView):
    """Every conversation, the soonest due first; answered and closed ones after."""

    serializer_class = StaffConversationSerializer
    permission_classes = [SignedIn, IsSupportStaff]

    def get_queryset(self):
        return selectors.conversation_queue_for_staff(self.request.user)


class QueueAnswerApi(APIView):
    permission_classes = [SignedIn, IsSupportStaff]

    @extend_schema(
        request=BodyInSerializer,
        responses={200: StaffConversationSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        """Answer a conversation; the clock stops and the asker is told in-app and by email."""
        conversation = selectors.conversation_get_for_staff(user=request.user, pk=conversation_id)
        data = valid(BodyInSerializer, request.data)
        services.conversation_answer(conversation=conversation, by=request.user, body=data["body"])
        conversation = selectors.conversation_get_for_staff(user=request.user, pk=conversation_id)
        return Response(StaffConversationSerializer(conversation).data)


class QueueAssignApi(APIView):
    permission_classes = [SignedIn, IsSupportStaff]

    @extend_schema(
        request=AssignInSerializer,
        responses={200: StaffConversationSerializer, 400: VALIDATION_ERROR, 404: None},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        """Assign a conversation to a named support staff member."""
        conversation = selectors.conversation_get_for_staff(user=request.user, pk=conversation_id)
        data = valid(AssignInSerializer, request.data)
        to = get_user_model().objects.filter(email__iexact=data["to"]).first()
        if to is None:
            raise serializers.ValidationError({"to": [_("No such staff member.")]})
        services.conversation_assign(
            conversation=conversation, to=to, by=request.user, shown_name=data["shown_name"]
        )
        conversation = selectors.conversation_get_for_staff(user=request.user, pk=conversation_id)
        return Response(StaffConversationSerializer(conversation).data)
