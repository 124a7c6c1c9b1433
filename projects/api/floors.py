"""Wage floors and the exchange rates that convert them.

A contractor reads the one floor in force for them today, and nothing of
anyone else's. Staff with the model permissions list and add floors and
rates. Both are append-only: a new figure is a new row from its own date,
added through the same services as the admin and the floors file.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import ContractorProfile, ContractorStatus, User
from accounts.selectors import contractor_for_user
from portal.api_kit import MAX_ID, DayField, SignedIn
from portal.dates import local_today
from portal.models import ExchangeRate
from portal.money import exchange_rate_add
from projects.api.work import VALIDATION_ERROR, valid
from projects.floor_rules import contractor_floor
from projects.models import FloorBasis, FloorUnit, WageFloor
from projects.selectors.floors import FloorInForce
from projects.services.floors import wage_floor_add

VIEW_FLOORS = "projects.view_wagefloor"
ADD_FLOORS = "projects.add_wagefloor"
VIEW_RATES = "portal.view_exchangerate"
ADD_RATES = "portal.add_exchangerate"


def _floor_reader(user: User) -> ContractorProfile | None:
    """The contractor whose own floor ``user`` may read: anyone past the application."""
    profile = contractor_for_user(user)
    if profile is None or profile.status == ContractorStatus.APPLICANT:
        return None
    return profile


class WageFloorAccess(BasePermission):
    """Reading: staff who may view floors, or a contractor (their own floor only).
    Adding: staff who may add floors."""

    def has_permission(self, request: Request, view) -> bool:
        if request.method == "POST":
            return request.user.has_perm(ADD_FLOORS)
        return request.user.has_perm(VIEW_FLOORS) or _floor_reader(request.user) is not None


class ExchangeRateAccess(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm(ADD_RATES if request.method == "POST" else VIEW_RATES)


class ListPagination(PageNumberPagination):
    page_size = 50


# --- Wage floors --------------------------------------------------------------------------


class WageFloorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    country = serializers.CharField(allow_blank=True, help_text=_("Blank: the vendor's floor."))
    subdivision = serializers.CharField(allow_blank=True, help_text=_("ISO 3166-2, if any."))
    subdivision_name = serializers.CharField(allow_blank=True)
    place = serializers.CharField(source="place_label")
    basis = serializers.ChoiceField(choices=FloorBasis.choices)
    amount_minor = serializers.IntegerField(help_text=_("As published, per unit."))
    currency = serializers.CharField(help_text=_("ISO 4217 code of the published amount."))
    unit = serializers.ChoiceField(choices=FloorUnit.choices)
    hours_per_unit = serializers.DecimalField(max_digits=7, decimal_places=2)
    hourly_minor = serializers.IntegerField(
        help_text=_("Per hour in the published currency, rounded up.")
    )
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    source_name = serializers.CharField()
    source_url = serializers.URLField()
    licence = serializers.CharField()
    retrieved_on = serializers.DateField()
    note = serializers.CharField(allow_blank=True)
    in_force_hourly_minor = serializers.SerializerMethodField(
        help_text=_(
            "For a contractor: the floor per hour in their payout currency, as their rates "
            "are checked against it. Null in staff lists."
        )
    )
    in_force_currency = serializers.SerializerMethodField(
        help_text=_("For a contractor: their payout currency. Null in staff lists.")
    )

    def _in_force(self) -> FloorInForce | None:
        return self.context.get("in_force")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_in_force_hourly_minor(self, floor: WageFloor) -> int | None:
        in_force = self._in_force()
        return in_force.hourly_minor if in_force else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_in_force_currency(self, floor: WageFloor) -> str | None:
        in_force = self._in_force()
        return in_force.currency if in_force else None


class WageFloorQuerySerializer(serializers.Serializer):
    country = serializers.CharField(
        max_length=2,
        required=False,
        help_text=_("ISO 3166 code (staff only); a contractor always gets their own floor."),
    )


class WageFloorInSerializer(serializers.Serializer):
    country = serializers.CharField(
        max_length=2,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("ISO 3166 code; blank only for the vendor's floor, which applies everywhere."),
    )
    subdivision = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    subdivision_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    basis = serializers.ChoiceField(choices=FloorBasis.choices)
    amount_minor = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=_("Minor units per unit.")
    )
    currency = serializers.CharField(max_length=3, help_text=_("ISO 4217 code."))
    unit = serializers.ChoiceField(choices=FloorUnit.choices, default=FloorUnit.HOUR)
    hours_per_unit = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        default=Decimal(1),
        help_text=_("1 for an hourly figure; the legal standard hours of a day or a month."),
    )
    valid_from = DayField()
    valid_to = DayField(required=False, allow_null=True, default=None)
    source_name = serializers.CharField(max_length=300)
    source_url = serializers.URLField(max_length=500)
    licence = serializers.CharField(max_length=200)
    retrieved_on = DayField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class WageFloorListApi(generics.ListAPIView):
    """For a contractor, the wage floor in force for them today (at most one row); for staff
    who may view floors, every floor, a page at a time."""

    serializer_class = WageFloorSerializer
    pagination_class = ListPagination
    permission_classes = [SignedIn, WageFloorAccess]

    @extend_schema(parameters=[WageFloorQuerySerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        if request.user.has_perm(VIEW_FLOORS):
            return super().get(request, *args, **kwargs)
        profile = _floor_reader(request.user)
        if profile is None:
            raise exceptions.PermissionDenied()
        in_force = _in_force_today(profile)
        rows = [in_force.floor] if in_force else []
        page = self.paginate_queryset(rows)
        data = WageFloorSerializer(page, many=True, context={"in_force": in_force}).data
        return self.get_paginated_response(data)

    def get_queryset(self) -> QuerySet[WageFloor]:
        query = valid(WageFloorQuerySerializer, self.request.query_params)
        floors = WageFloor.objects.order_by("country", "subdivision", "basis", "-valid_from", "pk")
        if "country" in query:
            floors = floors.filter(country=query["country"].upper())
        return floors

    @extend_schema(
        request=WageFloorInSerializer,
        responses={201: WageFloorSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        """Add a floor from its date; floors are never edited, a new figure is a new row."""
        data = valid(WageFloorInSerializer, request.data)
        floor = wage_floor_add(by=request.user, floor=WageFloor(**data))
        return Response(WageFloorSerializer(floor).data, status=status.HTTP_201_CREATED)


def _in_force_today(profile: ContractorProfile) -> FloorInForce | None:
    """The floor binding ``profile`` today in their payout currency; none while no exchange
    rate reaches it (the rate checks then refuse to judge, and say so)."""
    try:
        return contractor_floor(
            profile, on=local_today(profile.time_zone), currency=profile.payout_currency
        )
    except ValidationError:
        return None


# --- Exchange rates -----------------------------------------------------------------------


class ExchangeRateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_currency = serializers.CharField()
    to_currency = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=24,
        decimal_places=10,
        help_text=_("How many units of to_currency one unit of from_currency buys."),
    )
    on = serializers.DateField()
    source = serializers.CharField()
    created_at = serializers.DateTimeField()


class ExchangeRateQuerySerializer(serializers.Serializer):
    from_currency = serializers.CharField(max_length=3, required=False)
    to_currency = serializers.CharField(max_length=3, required=False)


class ExchangeRateInSerializer(serializers.Serializer):
    from_currency = serializers.CharField(max_length=3, help_text=_("ISO 4217 code."))
    to_currency = serializers.CharField(max_length=3, help_text=_("ISO 4217 code."))
    rate = serializers.DecimalField(
        max_digits=24, decimal_places=10, min_value=Decimal("0.0000000001")
    )
    on = DayField()
    source = serializers.CharField(
        max_length=200, help_text=_("Where the rate comes from, e.g. a central bank.")
    )


class ExchangeRateListApi(generics.ListAPIView):
    """The exchange rates managers recorded, newest first per pair, a page at a time."""

    serializer_class = ExchangeRateSerializer
    pagination_class = ListPagination
    permission_classes = [SignedIn, ExchangeRateAccess]

    @extend_schema(parameters=[ExchangeRateQuerySerializer])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ExchangeRate]:
        query = valid(ExchangeRateQuerySerializer, self.request.query_params)
        rates = ExchangeRate.objects.order_by("from_currency", "to_currency", "-on", "pk")
        for field in ("from_currency", "to_currency"):
            if field in query:
                rates = rates.filter(**{field: query[field].upper()})
        return rates

    @extend_schema(
        request=ExchangeRateInSerializer,
        responses={201: ExchangeRateSerializer, 400: VALIDATION_ERROR},
    )
    def post(self, request: Request) -> Response:
        """Record a rate read from a named source; rates are never edited, a later day's
        row supersedes."""
        data = valid(ExchangeRateInSerializer, request.data)
        rate = exchange_rate_add(by=request.user, rate=ExchangeRate(**data))
        return Response(ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED)
