"""A person's notices through the API: list, unread count, mark one or all read."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import NotificationKind
from portal.notifications import selectors, services


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    link = serializers.CharField(allow_blank=True, help_text=_("A path on the site."))
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedReadSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text=_("How many notices were unread until now."))


class ListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter(
                "unread", OpenApiTypes.BOOL, description=_("Only unread (true) or read.")
            )
        ]
    )
)
class NotificationListApi(generics.ListAPIView):
    """Your notices, newest first."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        query = ListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        notices = selectors.notification_list_for_user(self.request.user)
        if query.validated_data["unread"] is not None:
            notices = notices.filter(read_at__isnull=query.validated_data["unread"])
        return notices


class UnreadCountApi(APIView):
    @extend_schema(responses=UnreadCountSerializer)
    def get(self, request: Request) -> Response:
        """How many of your notices are unread."""
        return Response({"unread": selectors.notification_unread_count(request.user)})


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses={200: NotificationSerializer, 404: None})
    def post(self, request: Request, notification_id: int) -> Response:
        """Mark one of your notices read (again is harmless)."""
        notice = selectors.notification_get_for_user(user=request.user, pk=notification_id)
        notice = services.notification_mark_read(notification=notice, by=request.user)
        return Response(NotificationSerializer(notice).data)


class NotificationReadAllApi(APIView):
    @extend_schema(request=None, responses=MarkedReadSerializer)
    def post(self, request: Request) -> Response:
        """Mark every notice of yours read."""
        return Response({"marked_read": services.notifications_mark_all_read(by=request.user)})
