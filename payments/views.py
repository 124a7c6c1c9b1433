"""The contractor's earnings page and CSV, and the accountants' payroll export."""

from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import ContractorProfile, User
from accounts.selectors import contractor_for_user_or_404
from payments import charts, exports, selectors, services
from payments.forms import EarningsDownloadForm, PayrollExportForm
from payments.services import period_bounds
from payments.take_home import take_home_attach, with_floor_top_ups
from portal.admin_site import require_mfa_for_staff
from portal.dates import babel_locale, local_today

# A page of payouts, newest first; each payout's lines are on its own page.
PAYOUTS_PER_PAGE = 12
EXPORT_PERMISSION = "payments.export_payroll"


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


def csv_response(chunks: Iterator[bytes], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def earner_or_404(user: User) -> ContractorProfile:
    """The contractor whose earnings ``user`` may see, for the pages and the API: their own;
    anyone without a contractor profile gets a 404."""
    return contractor_for_user_or_404(user, message=_("Only contractors have earnings."))


@login_required
@require_GET
def earnings(request: HttpRequest) -> HttpResponse:
    profile = earner_or_404(request.user)
    today = local_today(profile.time_zone)
    day = _day(request.GET.get("period"), today)
    # The chart's amounts and weeks, like the rest of the page, in the reader's language.
    locale = babel_locale()
    series = selectors.weekly_earnings_for_contractor(profile, today=today)
    # Where unpaid payouts will go comes with them: no query of its own.
    payouts = Paginator(
        with_floor_top_ups(
            selectors.payout_summaries_for_contractor(request.user).select_related(
                "contractor__payout_details"
            )
        ),
        PAYOUTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    # Each payout's fees, exchange and pay per hour after them, for the whole page at once.
    payouts.object_list = take_home_attach(payouts.object_list, today=today)
    return render(
        request,
        "payments/earnings.html",
        {
            "profile": profile,
            "today": today,
            "earnings": selectors.period_earnings_for_contractor(profile, day=day),
            "charts": [charts.bar_chart(one, locale=locale) for one in series],
            "chart_weeks": selectors.CHART_WEEKS,
            "payouts": payouts,
            "balances": selectors.balance_for_contractor(profile),
            "this_year": today.year,
        },
    )


@login_required
@require_GET
def payout(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the contractor's payouts with every line and adjustment; anyone else's is a 404."""
    profile = earner_or_404(request.user)
    found = selectors.payout_get_for_contractor(user=request.user, pk=pk)
    found.contractor = profile
    take_home_attach([found], today=local_today(profile.time_zone))
    return render(request, "payments/payout.html", {"payout": found})


@login_required
@require_GET
def earnings_csv(request: HttpRequest) -> HttpResponse:
    profile = earner_or_404(request.user)
    form = EarningsDownloadForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            " ".join(form.errors.get("__all__", [_("Choose a pay period or a year.")])),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if form.cleaned_data["period"]:
        start, end = period_bounds(form.cleaned_data["period"])
        name = f"earnings-{start.isoformat()}.csv"
    else:
        year = form.cleaned_data["year"]
        start, end, name = date(year, 1, 1), date(year, 12, 31), f"earnings-{year}.csv"
    chunks = exports.earnings_csv(profile, start=start, end=end, bom=form.cleaned_data["bom"])
    return csv_response(chunks, name)


def export_permission_required(view: Callable) -> Callable:
    """Signed in, with the export permission (403 otherwise), and staff with MFA on."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied(_("Payroll exports are for accountants."))
        return view(request, *args, **kwargs)

    return login_required(require_mfa_for_staff(guarded))


def _payroll_page(
    request: HttpRequest, form: PayrollExportForm, *, status: int = 200, **context
) -> HttpResponse:
    context = {
        "form": form,
        "has_periods": form.fields["period"].queryset.exists(),
        "close_after_days": settings.PAY_PERIOD_CLOSE_AFTER_DAYS,
        **context,
    }
    return render(request, "payments/payroll.html", context, status=status)


@export_permission_required
@require_GET
def payroll(request: HttpRequest) -> HttpResponse:
    form = PayrollExportForm(request.GET or None)
    totals = None
    if form.is_valid():
        payroll_filter = form.payroll_filter()
        totals = selectors.payout_totals(
            selectors.payout_list_for_staff().filter(payroll_filter.q())
        )
    return _payroll_page(request, form, totals=totals)


@export_permission_required
@require_GET
def payroll_csv(request: HttpRequest) -> HttpResponse:
    form = PayrollExportForm(request.GET)
    if not form.is_valid():
        return _payroll_page(request, form, status=400)
    payroll_filter = form.payroll_filter()
    if not exports.payout_exists(payroll_filter):
        # Said on the page rather than served as a file with nothing but its header row.
        return _payroll_page(request, form, totals=[], empty_download=True)
    kind = form.cleaned_data["kind"]
    rows = exports.row_count(kind, payroll_filter)
    if rows > settings.PAYROLL_EXPORT_DIRECT_MAX_ROWS:
        # Too long to write inside a request: the page offers to write it in the background.
        return _payroll_page(request, form, totals=None, too_large=rows)
    return csv_response(
        exports.payroll_csv(kind, payroll_filter, bom=form.cleaned_data["bom"]),
        exports.filename(kind, payroll_filter.period_start),
    )


@export_permission_required
@require_POST
def payroll_export(request: HttpRequest) -> HttpResponse:
    """Write the payroll file in the background and follow it on the job's page."""
    form = PayrollExportForm(request.POST)
    if not form.is_valid():
        return _payroll_page(request, form, status=400)
    payroll_filter = form.payroll_filter()
    if not exports.payout_exists(payroll_filter):
        return _payroll_page(request, form, totals=[], empty_download=True)
    job = services.payroll_export_start(
        payroll=payroll_filter,
        kind=form.cleaned_data["kind"],
        bom=form.cleaned_data["bom"],
        by=request.user,
    )
    messages.info(
        request,
        _("%(job)s is written in the background; this page shows how far it got.") % {"job": job},
    )
    return redirect("admin:jobs_job_change", job.pk)
