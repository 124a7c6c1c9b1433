import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from accounts.models import ContractorStatus
from accounts.selectors import (
    application_waiting_count,
    contractor_with_paperwork_for_user,
)
from accounts.services import user_preferences_set
from payments.selectors import (
    earnings_dashboard_for_contractor,
    pay_record,
    payout_queue_for_staff,
)
from portal.celery import app as celery_app
from portal.dates import day_label, format_minutes
from portal.support import selectors as support_selectors
from projects.selectors import (
    review_weeks_waiting,
    review_weeks_waiting_count,
    scheduled_pause_pending_count,
    work_dashboard_for_contractor,
)

logger = logging.getLogger(__name__)

# How many contractor-weeks the admin's to-do list names one by one.
REVIEW_WEEKS_LISTED = 8


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each visitor to where they stand: sign up, apply, onboard or work."""
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    profile = contractor_with_paperwork_for_user(request.user)
    if profile is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "portal/apply_cta.html")
    if profile.status == ContractorStatus.APPLICANT:
        return redirect("accounts:application_status")
    if profile.status == ContractorStatus.ONBOARDING:
        return redirect("accounts:onboarding")
    return render(
        request,
        "portal/dashboard.html",
        {
            "profile": profile,
            "work": work_dashboard_for_contractor(profile),
            "earnings": earnings_dashboard_for_contractor(profile),
        },
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        return False
    return True


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker unreachable")
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = "ok" if _database_ok() else "down"
    broker = _broker_state()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the site's language; a signed-in person's choice is kept on their account.

    Django's ``set_language`` sets the cookie and redirects; storing the choice
    on the user as well makes it follow them to every device they sign in on.
    """
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_preferences_set(user=request.user, language=language)
    return set_language(request)


# --- The staff's to-do list (the admin's index page) -----------------------------------


@dataclass(frozen=True)
class TodoLink:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class TodoItem:
    """Something staff have to do: how many are waiting, and the list that shows them."""

    key: str
    title: str
    count: int
    url: str
    help: str
    links: list[TodoLink] = field(default_factory=list)


def _admin_list(name: str, **filters: str) -> str:
    url = reverse(f"admin:{name}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def staff_todo(user) -> list[TodoItem]:
    """What waits on this staff member, by their permissions; one query or two per item.

    Managers see every queue they can act on; accountants see the overdue
    payouts, which concern them, and nothing they cannot open.
    """
    items: list[TodoItem] = []
    if user.has_perm("accounts.review_application"):
        items.append(_applications_item())
    if user.has_perm("projects.review_timeentry"):
        items.append(_hours_item())
    if user.has_perm("payments.approve_payout") or user.has_perm("payments.view_payout"):
        items.extend(_payout_items(user))
    if user.has_perm("projects.view_project"):
        items.append(
            TodoItem(
                key="scheduled_pauses",
                title=_("Scheduled pauses"),
                count=scheduled_pause_pending_count(),
                url=_admin_list("projects_project", pause_scheduled="yes"),
                help=_("Projects whose contractors were told of a pause still to come."),
            )
        )
    return items


def _applications_item() -> TodoItem:
    return TodoItem(
        key="applications",
        title=_("Applications waiting"),
        count=application_waiting_count(),
        url=_admin_list("accounts_application", status__in="submitted,in_review"),
        help=_("Submitted or in review: approve or reject each, with a reason."),
    )


def _hours_item() -> TodoItem:
    weeks = review_weeks_waiting(limit=REVIEW_WEEKS_LISTED)
    links = [
        TodoLink(
            label=_("%(contractor)s, week of %(day)s")
            % {"contractor": week.contractor_name, "day": day_label(week.week)},
            detail=format_minutes(week.minutes),
            url=reverse(
                "admin:projects_timeentry_week", args=[week.contractor_id, week.week.isoformat()]
            ),
        )
        for week in weeks
    ]
    return TodoItem(
        key="hours",
        title=_("Hours waiting for review"),
        count=review_weeks_waiting_count(),
        url=_admin_list("projects_timeentry", status__exact="submitted"),
        help=_("Contractor-weeks with submitted hours, oldest first: review each week at once."),
        links=links,
    )


def _payout_items(user) -> list[TodoItem]:
    queue = payout_queue_for_staff(today=timezone.localdate())
    items = []
    if user.has_perm("payments.approve_payout"):
        items.append(
            TodoItem(
                key="payouts_to_approve",
                title=_("Payouts to approve"),
                count=queue.to_approve,
                url=_admin_list("payments_payout", status__exact="draft"),
                help=_("Drafts generated from approved hours, waiting for a manager's approval."),
            )
        )
    if user.has_perm("payments.view_payout"):
        items.append(
            TodoItem(
                key="payouts_overdue",
                title=_("Payouts overdue"),
                count=queue.overdue,
                url=_admin_list("payments_payout", due="overdue"),
                help=_("Approved or failed, and still unpaid after their due date."),
            )
        )
    return items


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    """The public record (no login): how fast questions are answered and how punctually
    contractors are paid. It lives here because it reads both support and payments, and
    only the portal's views may stand on top of payments."""
    return render(
        request,
        "support/transparency.html",
        {
            "record": support_selectors.answer_record(),
            "targets": support_selectors.targets(),
            "pay_record": pay_record(),
            "due_days": settings.PAYOUT_DUE_DAYS,
        },
    )
