"""The payments API: a contractor's earnings and payouts; the payroll export for accountants.

Amounts are integers in the currency's minor units next to the ISO 4217 code,
as everywhere in the API. A contractor reaches only their own payouts;
another's id is a 404. The export streams the same CSV as the payroll page.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, renderers, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import exports, selectors
from payments.exports import Kind, PayrollFilter
from payments.models import AdjustmentKind, FeePolicy, PayoutStatus
from payments.take_home import take_home_attach, with_floor_top_ups
from payments.views import EXPORT_PERMISSION, csv_response, earner_or_404
from portal.api_kit import DayField, SignedIn
from portal.dates import local_today
from projects.models import EntryKind

# --- Earnings -------------------------------------------------------------------------------


class ProjectEarningsSerializer(serializers.Serializer):
    project_id = serializers.IntegerField()
    project_name = serializers.CharField()
    currency = serializers.CharField(help_text=_("ISO 4217 code."))
    logged_minutes = serializers.IntegerField(help_text=_("Every entry, whatever its status."))
    submitted_minutes = serializers.IntegerField(help_text=_("Waiting for review."))
    approved_minutes = serializers.IntegerField()
    logged_minor = serializers.IntegerField(help_text=_("What the logged time is worth."))
    submitted_minor = serializers.IntegerField()
    approved_minor = serializers.IntegerField()


class CurrencyTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    logged_minutes = serializers.IntegerField()
    submitted_minutes = serializers.IntegerField()
    approved_minutes = serializers.IntegerField()
    logged_minor = serializers.IntegerField()
    submitted_minor = serializers.IntegerField()
    approved_minor = serializers.IntegerField()


class PeriodEarningsSerializer(serializers.Serializer):
    period_start = serializers.DateField(source="start_on")
    period_end = serializers.DateField(source="end_on")
    closed = serializers.BooleanField(
        source="is_closed", help_text=_("Closed periods' hours are final and being paid.")
    )
    projects = ProjectEarningsSerializer(many=True)
    totals = CurrencyTotalsSerializer(many=True)


class PeriodQuerySerializer(serializers.Serializer):
    period = DayField(required=False)


class EarningsApi(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.DATE,
                description=_("Any day of the pay period wanted; the current one if absent."),
            )
        ],
        responses={200: PeriodEarningsSerializer, 404: None},
    )
    def get(self, request: Request) -> Response:
        """Your hours in one pay period per project: logged, waiting for review, approved,
        and what each is worth at your rates."""
        profile = earner_or_404(request.user)
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        day = query.validated_data.get("period") or local_today(profile.time_zone)
        earnings = selectors.period_earnings_for_contractor(profile, day=day)
        return Response(PeriodEarningsSerializer(earnings).data)


# --- Payouts ---------------------------------------------------------------------------------


class PayoutLineSerializer(serializers.Serializer):
    time_entry = serializers.IntegerField(source="time_entry_id")
    work_on = serializers.DateField()
    project = serializers.CharField(source="project.name")
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    minutes = serializers.IntegerField()
    rate_minor = serializers.IntegerField(help_text=_("Minor units per hour."))
    amount_minor = serializers.IntegerField(help_text=_("minutes × rate / 60, rounded half-up."))


class AdjustmentSerializer(serializers.Serializer):
    # Named apart from the lines' "kind" (the activity), a different set of values.
    type = serializers.ChoiceField(source="kind", choices=AdjustmentKind.choices)
    amount_minor = serializers.IntegerField(help_text=_("Negative for a deduction."))
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class TakeHomeSerializer(serializers.Serializer):
    fee_policy = serializers.ChoiceField(
        source="policy",
        choices=FeePolicy.choices,
        help_text=_(
            "Who bears the payout provider's fee: the vendor, on top (absorbed), or the "
            "contractor, taken from what is sent (deducted). As it was when paid."
        ),
    )
    fee_minor = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "The provider's fee, in the payout's currency; null until it is paid and reported."
        ),
    )
    sent_minor = serializers.IntegerField(
        help_text=_("What is sent, in the payout's currency: the net, less a deducted fee.")
    )
    currency = serializers.CharField(
        help_text=_(
            "ISO 4217 code of what arrives: your payout currency (the payout's own when no "
            "exchange rate reaches yours yet)."
        )
    )
    exchange_rate = serializers.DecimalField(
        max_digits=24,
        decimal_places=12,
        allow_null=True,
        help_text=_(
            "Units of the received currency per unit of the payout's; null when nothing is "
            "exchanged. The provider's once paid, the vendor's table before."
        ),
    )
    received_minor = serializers.IntegerField(
        help_text=_("What arrives, in minor units of the received currency.")
    )
    estimated = serializers.BooleanField(
        help_text=_("True while the figures are estimates: not paid yet, or not reported.")
    )
    effective_hourly_minor = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "What arrives per hour the payout pays, rounded down, in the received currency; "
            "null for a payout of no hours."
        ),
    )
    floor_hourly_minor = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "The wage floor in force for the payout's week where you live, per hour, in the "
            "received currency; null where none applies or none can be converted."
        ),
    )
    below_floor = serializers.BooleanField(
        help_text=_("Whether the pay per hour after costs is below that floor.")
    )


class PayoutSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period_start = serializers.DateField(source="period.start_on")
    period_end = serializers.DateField(source="period.end_on")
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    minutes = serializers.IntegerField()
    gross_minor = serializers.IntegerField(help_text=_("The sum of the lines."))
    adjustments_minor = serializers.IntegerField(help_text=_("The sum of the adjustments."))
    net_minor = serializers.IntegerField(help_text=_("Gross plus adjustments: what is paid."))
    reference = serializers.CharField(allow_blank=True)
    paid_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(
        allow_null=True,
        help_text=_("The day it is due: a set number of days after its pay period closed."),
    )
    paid_to_method = serializers.CharField(
        allow_blank=True, help_text=_("Where a paid payout was sent: the payout method.")
    )
    paid_to_account = serializers.CharField(
        allow_blank=True, help_text=_("Where a paid payout was sent: the account, masked.")
    )
    failure_reason = serializers.CharField(allow_blank=True)
    line_count = serializers.IntegerField(help_text=_("How many lines it has."))
    take_home = TakeHomeSerializer(
        help_text=_("From what it comes to, through fees and exchange, to what arrives.")
    )
    url = serializers.HyperlinkedIdentityField(
        view_name="api-payout",
        lookup_url_kwarg="payout_id",
        help_text=_("Where its lines and adjustments are."),
    )


class PayoutSerializer(PayoutSummarySerializer):
    lines = PayoutLineSerializer(many=True)
    adjustments = AdjustmentSerializer(many=True)


class PayoutPagination(PageNumberPagination):
    page_size = 12


class PayoutListApi(generics.ListAPIView):
    """Your payouts, newest pay period first, a page at a time; each payout's lines and
    adjustments are at its ``url``."""

    serializer_class = PayoutSummarySerializer
    pagination_class = PayoutPagination

    def get_queryset(self):
        return with_floor_top_ups(
            selectors.payout_summaries_for_contractor(self.request.user).select_related(
                "contractor"
            )
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset) or []
        if not page:
            return page
        return take_home_attach(page, today=local_today(page[0].contractor.time_zone))


class PayoutDetailApi(APIView):
    @extend_schema(responses={200: PayoutSerializer, 404: None})
    def get(self, request: Request, payout_id: int) -> Response:
        """One of your payouts, with its lines and adjustments."""
        payout = selectors.payout_get_for_contractor(user=request.user, pk=payout_id)
        take_home_attach([payout], today=local_today(payout.contractor.time_zone))
        return Response(PayoutSerializer(payout, context={"request": request}).data)


# --- The payroll export -------------------------------------------------------------------------


class CanExportPayroll(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return request.user.has_perm(EXPORT_PERMISSION)


class CSVRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``text/csv``; the CSV itself is streamed, never rendered here.

    Errors (400, 403) still need a body, so they are written as plain text.
    """

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return str(data).encode()


class ExportQuerySerializer(serializers.Serializer):
    period_start = DayField(help_text=_("The first day of the pay period."))
    kind = serializers.ChoiceField(choices=Kind.CHOICES, default=Kind.SUMMARY)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(
        choices=PayoutStatus.choices, required=False, allow_blank=True, default=""
    )
    bom = serializers.BooleanField(
        default=False,
        help_text=_("Start with a UTF-8 byte order mark, for spreadsheets; off by default."),
    )


class PayrollExportApi(APIView):
    permission_classes = [SignedIn, CanExportPayroll]
    renderer_classes = [renderers.JSONRenderer, CSVRenderer]

    @extend_schema(
        parameters=[ExportQuerySerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description=_(
                    "RFC 4180 CSV in UTF-8, streamed: a header row, then one row "
                    "per payout (summary) or per line (detail). Without a status, cancelled "
                    "payouts are left out."
                ),
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description=_("A parameter is wrong.")),
            403: None,
            404: None,
        },
    )
    def get(self, request: Request):
        """The payroll CSV of one pay period, for staff allowed to export it."""
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        period = selectors.period_get_by_start(data["period_start"])
        payroll = PayrollFilter(
            period_start=period.start_on,
            currency=data["currency"].upper(),
            country=data["country"].upper(),
            status=data["status"],
        )
        return csv_response(
            exports.payroll_csv(data["kind"], payroll, bom=data["bom"]),
            exports.filename(data["kind"], period.start_on),
        )
